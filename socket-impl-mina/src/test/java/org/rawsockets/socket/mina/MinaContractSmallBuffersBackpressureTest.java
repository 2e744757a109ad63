package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.BackpressureContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** {@link BackpressureContract} against the MINA implementation with small buffers on one I/O thread. */
class MinaContractSmallBuffersBackpressureTest extends BackpressureContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture(MinaContractFixture.SMALL);
    }
}
