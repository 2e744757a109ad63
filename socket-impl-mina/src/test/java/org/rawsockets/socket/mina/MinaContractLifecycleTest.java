package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.LifecycleContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** The contract suite's {@link LifecycleContract} against the MINA implementation. */
class MinaContractLifecycleTest extends LifecycleContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture();
    }
}
