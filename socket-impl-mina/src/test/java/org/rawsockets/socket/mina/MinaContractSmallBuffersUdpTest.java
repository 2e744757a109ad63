package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.UdpContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** {@link UdpContract} against the MINA implementation with small buffers on one I/O thread. */
class MinaContractSmallBuffersUdpTest extends UdpContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture(MinaContractFixture.SMALL);
    }
}
