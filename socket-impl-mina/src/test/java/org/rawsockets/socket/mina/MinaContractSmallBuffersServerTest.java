package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.ImplementationGap;
import org.rawsockets.socket.contract.ServerContract;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** {@link ServerContract} against the MINA implementation with small buffers on one I/O thread. */
@ImplementationGap(test = "acceptingPausesWhileNobodyReads", reason = "the listener keeps accepting while nobody"
        + " reads the accept stream; see /work/notes/contract-findings.md")
class MinaContractSmallBuffersServerTest extends ServerContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture(MinaContractFixture.SMALL);
    }
}
