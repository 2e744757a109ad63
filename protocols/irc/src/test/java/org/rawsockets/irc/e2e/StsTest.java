package org.rawsockets.irc.e2e;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.TlsOptions;

/**
 * IRCv3 STS against InspIRCd 3 with m_ircv3_sts (plaintext port advertising {@code sts=port=},
 * TLS port advertising {@code sts=duration=300}), started by the test.
 */
class StsTest extends ServerTestBase {

    int tlsPort;
    String serverPem;
    Path policies;

    void startServer() throws Exception {
        Path[] cert = IrcServers.certificate(dir);
        serverPem = Files.readString(cert[0], US_ASCII);
        tlsPort = IrcServers.freePort();
        // The policy is sent to clients that name "localhost" in SNI (InspIRCd matches the host).
        server = IrcServers.inspircd(dir, "commandrate=\"100000\"", "<module name=\"ssl_gnutls\">"
                + "<module name=\"ircv3_sts\"><module name=\"sslinfo\">\n<sslprofile name=\"tls\" provider=\"gnutls\" certfile=\"" + cert[0]
                + "\" keyfile=\"" + cert[1] + "\" hash=\"sha256\">\n<bind address=\"127.0.0.1\" port=\"" + tlsPort
                + "\" type=\"clients\" sslprofile=\"tls\">\n<sts host=\"localhost\" port=\"" + tlsPort
                + "\" duration=\"300\" preload=\"no\">\n");
        policies = dir.resolve("data/sts-policies");
    }

    /** Plaintext settings whose TLS options (trust, SNI) serve an STS upgrade. */
    IrcSettings.Builder plainWithSts(String nick, int port) {
        return plain(nick).server("127.0.0.1", port).tls(TlsOptions.builder().trustedCertificatesPem(serverPem)
                .serverName("localhost").build()).tls(false).stsPolicyFile(policies);
    }

    boolean secure(IrcClient c) throws Exception {
        List<IrcMessage> whois = ok(c.whois(c.nick()));
        return whois.stream().anyMatch(m -> m.command().equals("671"));
    }

    @Test
    void aPlaintextConnectionIsUpgradedAndThePolicyIsKeptForTheNextClient() throws Exception {
        startServer();
        IrcClient first = client(plainWithSts("stsbot", server.port).build());
        long t0 = Instant.now().getEpochSecond();
        assertEquals("stsbot", ok(first.connect()));
        assertTrue(secure(first), "the registered connection is not TLS");
        // The policy from the TLS connection: 127.0.0.1, the TLS port, 300 s from now.
        String[] line = Files.readString(policies).strip().split(" ");
        assertEquals("127.0.0.1", line[0]);
        assertEquals(tlsPort, Integer.parseInt(line[1]));
        long expiry = Long.parseLong(line[2]);
        assertTrue(expiry >= t0 + 300 && expiry <= Instant.now().getEpochSecond() + 300, String.join(" ", line));

        // A new client with the same policy file never tries plaintext: its plaintext port is closed.
        int closed = IrcServers.freePort();
        IrcClient second = client(plainWithSts("stsbot2", closed).build());
        assertEquals("stsbot2", ok(second.connect()));
        assertTrue(secure(second));
    }

    @Test
    void anExpiredPolicyIsNotApplied() throws Exception {
        startServer();
        Files.createDirectories(policies.getParent());
        Files.writeString(policies, "127.0.0.1 " + tlsPort + " " + (Instant.now().getEpochSecond() - 1) + "\n");
        int closed = IrcServers.freePort();
        IrcClient c = client(plainWithSts("expired", closed).build());
        NetworkException e = assertInstanceOf(NetworkException.class, failure(c.connect()));
        assertEquals(NetworkException.Reason.REFUSED, e.reason(), e.toString());
        assertTrue(e.getMessage().contains(String.valueOf(closed)), e.getMessage());
    }

    @Test
    void withAPolicyAFailingTlsConnectionNeverFallsBackToPlaintext() throws Exception {
        startServer();
        // The policy names InspIRCd's plaintext port (which greets in plaintext: the TLS handshake fails);
        // the configured plaintext port is a scripted server that records any line it gets.
        try (ScriptedServer configured = new ScriptedServer((line, out) -> ScriptedServerTest.welcome(line))) {
            Files.createDirectories(policies.getParent());
            Files.writeString(policies, "127.0.0.1 " + server.port + " " + (Instant.now().getEpochSecond() + 600) + "\n");
            IrcClient c = client(plainWithSts("nofallback", configured.port()).build());
            Throwable t = failure(c.connect());
            assertInstanceOf(NetworkException.class, t, t.toString());
            assertFalse(c.isConnected());
            assertTrue(configured.received.isEmpty(), configured.received.toString());
        }
    }
}
