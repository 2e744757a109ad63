package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.ByobContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** The contract suite's {@link ByobContract} against the MINA implementation. */
class MinaContractByobTest extends ByobContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture();
    }
}
