package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.ServerContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** The contract suite's {@link ServerContract} against the MINA implementation. */
class MinaContractServerTest extends ServerContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture();
    }
}
