package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.StreamsContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** The contract suite's {@link StreamsContract} against the MINA implementation. */
class MinaContractStreamsTest extends StreamsContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture();
    }
}
