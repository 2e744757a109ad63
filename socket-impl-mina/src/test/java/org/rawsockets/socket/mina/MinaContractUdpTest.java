package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.UdpContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** The contract suite's {@link UdpContract} against the MINA implementation. */
class MinaContractUdpTest extends UdpContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture();
    }
}
