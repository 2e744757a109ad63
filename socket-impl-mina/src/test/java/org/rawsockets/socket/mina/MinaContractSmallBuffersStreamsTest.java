package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.StreamsContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** {@link StreamsContract} against the MINA implementation with small buffers on one I/O thread. */
class MinaContractSmallBuffersStreamsTest extends StreamsContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture(MinaContractFixture.SMALL);
    }
}
