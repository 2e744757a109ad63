package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.ReadTimeoutContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** The contract suite's {@link ReadTimeoutContract} against the MINA implementation. */
class MinaContractReadTimeoutTest extends ReadTimeoutContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture();
    }
}
