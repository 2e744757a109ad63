package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.SocketServiceFixture;
import org.rawsockets.socket.contract.SslSocketViewContract;

/** The contract suite's {@link SslSocketViewContract} (the SSLSocket view) against the MINA implementation. */
class MinaContractSslSocketViewTest extends SslSocketViewContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture();
    }
}
