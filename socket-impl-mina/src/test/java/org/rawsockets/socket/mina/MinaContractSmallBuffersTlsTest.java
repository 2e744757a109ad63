package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.TlsContract;
import org.rawsockets.socket.contract.ImplementationGap;
import org.rawsockets.socket.contract.SocketServiceFixture;

/** {@link TlsContract} against the MINA implementation with small buffers on one I/O thread. */
@ImplementationGap(test = "uploadThroughTlsMatchesThePeersChecksum", reason = "intermittent: after writable().close()"
        + " on TLS the readable side sometimes ends before the peer answered (our own close_notify taken for the"
        + " peer's?); see finding #5 in /work/notes/contract-findings.md")
class MinaContractSmallBuffersTlsTest extends TlsContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture(MinaContractFixture.SMALL);
    }
}
