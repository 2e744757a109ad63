package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.TcpContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** The contract suite's {@link TcpContract} against the MINA implementation. */
class MinaContractTcpTest extends TcpContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture();
    }
}
