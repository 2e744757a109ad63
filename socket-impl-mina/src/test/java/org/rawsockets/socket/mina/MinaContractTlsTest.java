package org.rawsockets.socket.mina;

import org.rawsockets.socket.contract.ImplementationGap;
import org.rawsockets.socket.contract.SocketServiceFixture;
import org.rawsockets.socket.contract.TlsContract;

/** The contract suite's {@link TlsContract} against the MINA implementation. */
@ImplementationGap(test = "uploadThroughTlsMatchesThePeersChecksum", reason = "closing the writable side of a TLS"
        + " socket closes the whole connection (TcpConnection.shutdownOutput removes the SslFilter), so the peer's"
        + " answer after our close_notify is lost; see /work/notes/contract-findings.md")
@ImplementationGap(test = "downloadThroughTlsMatchesTheFile", reason = "the peer's close_notify is not surfaced as"
        + " the end of the stream (SslEvent.UNSECURED ignored); see /work/notes/contract-findings.md")
class MinaContractTlsTest extends TlsContract {
    @Override
    protected SocketServiceFixture createFixture() {
        return new MinaContractFixture();
    }
}
