package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.ReadTimeoutContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** {@link ReadTimeoutContract} against the MINA implementation with small buffers on one I/O thread. */
class MinaContractSmallBuffersReadTimeoutTest extends ReadTimeoutContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture(MinaContractFixture.SMALL);
    }
}
