package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.concurrent.RejectedExecutionException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.NetworkException.Reason;

/**
 * The mapping of the JDK's exceptions (as the engine sees them, with the OS's messages) to reasons,
 * for the kinds the loopback contract tests cannot provoke (no route, ICMP unreachable, the peer's
 * certificate alerts); the contract suite checks refused, reset, DNS, certificate and protocol
 * failures end to end.
 */
class NetworkReasonsTest {

    @Test
    void operatingSystemErrors() {
        assertEquals(Reason.REFUSED, NetworkReasons.reasonOf(new ConnectException("Connection refused")));
        assertEquals(Reason.UNREACHABLE, NetworkReasons.reasonOf(new NoRouteToHostException("No route to host")));
        assertEquals(Reason.UNREACHABLE, NetworkReasons.reasonOf(new ConnectException("Network is unreachable")));
        assertEquals(Reason.UNREACHABLE, NetworkReasons.reasonOf(new SocketException("Host is unreachable")));
        assertEquals(Reason.UNREACHABLE, NetworkReasons.reasonOf(new PortUnreachableException("ICMP Port Unreachable")));
        assertEquals(Reason.RESET, NetworkReasons.reasonOf(new IOException("Connection reset by peer")));
        assertEquals(Reason.RESET, NetworkReasons.reasonOf(new SocketException("Broken pipe")));
        assertEquals(Reason.DNS, NetworkReasons.reasonOf(new UnknownHostException("x.invalid")));
        assertEquals(Reason.LOCAL_ADDRESS, NetworkReasons.reasonOf(new BindException("Address already in use")));
        assertEquals(Reason.UNAVAILABLE, NetworkReasons.reasonOf(new RejectedExecutionException("full")));
        assertEquals(Reason.OTHER, NetworkReasons.reasonOf(new IOException("something else")));
        assertEquals(Reason.OTHER, NetworkReasons.reasonOf(null));
    }

    /**
     * Linux reports a peer's reset once (ECONNRESET), then EPIPE: a write on the caller's thread and
     * a read on the I/O thread race for the report, so "Broken pipe" must still say reset.
     */
    @Test
    void aBrokenPipeIsAResetInTheMessageToo() {
        IOException epipe = new IOException("Broken pipe");
        assertEquals(Reason.RESET, NetworkReasons.reasonOf(epipe));
        assertEquals("connection reset by the peer (Broken pipe)", TcpConnection.cause(epipe));
        assertEquals("Connection reset", TcpConnection.cause(new SocketException("Connection reset")));
        assertEquals("Broken pipe", TcpConnection.cause(new IllegalStateException("Broken pipe")));
    }

    @Test
    void tlsFailures() {
        SSLHandshakeException pkix = new SSLHandshakeException("PKIX path building failed");
        pkix.initCause(new CertificateException("unable to find valid certification path"));
        assertEquals(Reason.TLS_CERTIFICATE, NetworkReasons.reasonOf(pkix));
        assertEquals(Reason.TLS_CERTIFICATE,
                NetworkReasons.reasonOf(new SSLHandshakeException("Received fatal alert: certificate_required")));
        assertEquals(Reason.TLS_CERTIFICATE,
                NetworkReasons.reasonOf(new SSLHandshakeException("Received fatal alert: unknown_ca")));
        assertEquals(Reason.TLS_PROTOCOL,
                NetworkReasons.reasonOf(new SSLHandshakeException("Received fatal alert: protocol_version")));
        assertEquals(Reason.TLS_PROTOCOL,
                NetworkReasons.reasonOf(new SSLException("Unrecognized SSL message, plaintext connection?")));
        // a TLS failure whose cause is a reset is still a TLS failure, not a plain reset
        assertEquals(Reason.TLS_PROTOCOL,
                NetworkReasons.reasonOf(new SSLException("closed", new IOException("Connection reset"))));
        // a wrapped engine exception keeps its reason
        assertEquals(Reason.TLS_CERTIFICATE,
                NetworkReasons.reasonOf(new NetworkException(Reason.TLS_CERTIFICATE, "x", pkix)));
        assertEquals(Reason.REFUSED, NetworkReasons.reasonOf(new RuntimeException(new ConnectException("refused"))));
    }

    @Test
    void oldConstructorsSayOther() {
        assertEquals(Reason.OTHER, new NetworkException("m").reason());
        assertEquals(Reason.OTHER, new NetworkException("m", new ConnectException()).reason());
    }
}
