package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.ByobContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** {@link ByobContract} against the MINA implementation with small buffers on one I/O thread. */
class MinaContractSmallBuffersByobTest extends ByobContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture(MinaContractFixture.SMALL);
    }
}
