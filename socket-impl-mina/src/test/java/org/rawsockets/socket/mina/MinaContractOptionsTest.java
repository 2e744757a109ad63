package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.OptionsContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** The contract suite's {@link OptionsContract} against the MINA implementation. */
class MinaContractOptionsTest extends OptionsContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture();
    }
}
