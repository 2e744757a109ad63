package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.TlsContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** {@link TlsContract} against the MINA implementation with small buffers on one I/O thread. */
class MinaContractSmallBuffersTlsTest extends TlsContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture(MinaContractFixture.SMALL);
    }
}
