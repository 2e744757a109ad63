package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.SocketServiceFixture;
import org.rawsockets.socket.contract.SocketViewContract;

/** The contract suite's {@link SocketViewContract} (the java.net.Socket view) against the MINA implementation. */
class MinaContractSocketViewTest extends SocketViewContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture();
    }
}
