package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.SocketServiceFixture;
import org.rawsockets.socket.contract.TlsContract;

/** The contract suite's {@link TlsContract} against the MINA implementation. */
class MinaContractTlsTest extends TlsContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture();
    }
}
