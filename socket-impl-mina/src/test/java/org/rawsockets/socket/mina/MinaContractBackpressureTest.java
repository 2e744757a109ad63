package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.BackpressureContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** The contract suite's {@link BackpressureContract} against the MINA implementation. */
class MinaContractBackpressureTest extends BackpressureContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture();
    }
}
