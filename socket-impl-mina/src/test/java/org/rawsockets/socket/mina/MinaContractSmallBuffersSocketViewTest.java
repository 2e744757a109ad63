package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.SocketServiceFixture;
import org.rawsockets.socket.contract.SocketViewContract;

/** {@link SocketViewContract} with small buffers and queues on one I/O thread (every backpressure edge). */
class MinaContractSmallBuffersSocketViewTest extends SocketViewContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture(MinaContractFixture.SMALL);
    }
}
