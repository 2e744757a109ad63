package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.ServerContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** {@link ServerContract} against the MINA implementation with small buffers on one I/O thread. */
class MinaContractSmallBuffersServerTest extends ServerContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture(MinaContractFixture.SMALL);
    }
}
