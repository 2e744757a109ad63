package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.TcpContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** {@link TcpContract} against the MINA implementation with small buffers on one I/O thread. */
class MinaContractSmallBuffersTcpTest extends TcpContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture(MinaContractFixture.SMALL);
    }
}
