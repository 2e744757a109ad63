package org.rawsockets.socket.mina.internal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;

/**
 * Named endpoints are the operator's decision (issue 10, item 5): an open through endpoint
 * {@code NAME} that a grant of {@code endpoint:NAME} covers needs only a declaration of the kind
 * (TCP to any host, whatever ports), not of the endpoint's port. Built-in denials still apply.
 */
class EndpointPolicyTest {

    static final String SMTP_LIKE = "TCP;host=\"*\";ports=\"25,465,587\"";
    static final Map<String, String> HEADERS = Map.of(
            "org.example.smtp", SMTP_LIKE,
            "org.example.udponly", "UDP_BOUND;host=\"*\";ports=\"*\"",
            "org.example.plc", "UDP_CONNECTED;host=\"*\";ports=\"502\"");

    static final PolicySettings SETTINGS = PolicySettings.ofGrants(true,
            "org.example.smtp tcp endpoint:mail *",       // g1
            "org.example.smtp tcp endpoint:relay *",      // g2
            "org.example.smtp tcp endpoint:mx 25",        // g3
            "org.example.smtp tcp endpoint:mx-any *",     // g4
            "org.example.udponly tcp endpoint:mail *",    // g5
            "org.example.plc udp-connected endpoint:plc *", // g6
            "org.example.smtp tcp endpoint:meta *");      // g7

    static PolicyEngine engine(PolicySettings s) {
        return new PolicyEngine(s, o -> HEADERS.get(o.symbolicName()));
    }

    static Access via(AccessKind kind, String endpoint, String host, String ip, int port) {
        return new Access(kind, host, endpoint, new InetSocketAddress(Addresses.literal(ip), port));
    }

    @ParameterizedTest(name = "{0} {1} endpoint {2} -> {3}:{4} = {5}")
    @CsvSource(delimiter = '|', textBlock = """
            # bundle            | kind           | endpoint | IP              | port | allowed | message contains
            org.example.smtp    | TCP_CONNECT    | mail     | 127.0.0.1       | 2525 | true    | its address and port are endpoint 'mail''s, granted by 'g1'
            org.example.smtp    | TCP_CONNECT    | mail     | 127.0.0.1       | 2587 | true    | granted by 'default.loopback'
            org.example.smtp    | TCP_CONNECT    | relay    | 93.184.216.34   | 2525 | true    | granted by 'g2'
            org.example.smtp    | TCP_CONNECT    | other    | 127.0.0.1       | 2525 | false   | no grant covers endpoint:other
            org.example.smtp    | TCP_CONNECT    |          | 127.0.0.1       | 2525 | false   | does not declare it
            org.example.smtp    | TCP_CONNECT    | mx       | 93.184.216.34   | 25   | true    | granted by 'g3'
            org.example.smtp    | TCP_CONNECT    | mx-any   | 93.184.216.34   | 25   | false   | does not lift the built-in denial 'smtp-port-25'
            org.example.smtp    | TCP_CONNECT    | meta     | 169.254.169.254 | 80   | false   | does not lift the built-in denial 'cloud-metadata'
            org.example.udponly | TCP_CONNECT    | mail     | 127.0.0.1       | 2525 | false   | @RequireSocket(kind = RequireSocket.Kind.TCP
            org.example.plc     | UDP_CONNECTED  | plc      | 10.0.0.7        | 1502 | true    | granted by 'g6'
            org.example.plc     | UDP_CONNECTED  | plc      | 10.0.0.7        | 502  | true    | declared (udp-connected * 502) and granted by 'g6'
            """)
    void decides(String bundle, AccessKind kind, String endpoint, String ip, int port, boolean allowed, String fragment) {
        PolicyEngine e = engine(SETTINGS);
        Owner owner = Owner.of(7, bundle);
        Access a = via(kind, endpoint, "mail.lan", ip, port);
        Decision d = e.explain(owner, a);
        assertEquals(allowed, d.allowed(), d.toString());
        assertTrue(d.message().contains(fragment), "expected '" + fragment + "' in: " + d.message());
        assertEquals(allowed, e.allows(owner, a));
        assertEquals(allowed, e.decide(owner, a).allowed());
    }

    @Test
    void withoutTheDefaultGrantsALoopbackEndpointAlsoNeedsItsAddressGranted() {
        Owner owner = Owner.of(7, "org.example.smtp");
        Access a = via(AccessKind.TCP_CONNECT, "mail", "127.0.0.1", "127.0.0.1", 2525);
        Map<String, Object> config = new HashMap<>(Map.of("defaultGrants", false, "grant.mail", "org.example.smtp tcp endpoint:mail *"));
        Decision d = engine(PolicySettings.from(config)).explain(owner, a);
        assertEquals(false, d.allowed(), d.toString());
        assertTrue(d.message().contains("built-in denial 'loopback'"), d.message());
        Matcher m = Pattern.compile("'grant\\.([^ ]+) = ([^']+)'").matcher(d.message());
        assertTrue(m.find(), d.message());
        config.put("grant." + m.group(1), m.group(2));
        assertTrue(engine(PolicySettings.from(config)).explain(owner, a).allowed(), m.group(2));
    }

    @Test
    void theSuggestedEndpointGrantAllowsAnUndeclaredPort() {
        Owner owner = Owner.of(7, "org.example.smtp");
        Access a = via(AccessKind.TCP_CONNECT, "newmail", "127.0.0.1", "127.0.0.1", 2525);
        Decision d = engine(PolicySettings.defaults()).explain(owner, a);
        assertEquals(false, d.allowed(), d.toString());
        assertTrue(d.message().contains("'grant.smtp-tcp-endpoint_newmail-2525 = org.example.smtp tcp endpoint:newmail 2525'"),
                d.message());
        PolicyEngine fixed = engine(PolicySettings.from(Map.of("grant.smtp-tcp-endpoint_newmail-2525",
                "org.example.smtp tcp endpoint:newmail 2525")));
        assertTrue(fixed.explain(owner, a).allowed());
    }

    /**
     * Through the engine: a bundle that declares TCP to 25/465/587 only reaches a mail server on
     * another port through an operator endpoint with a grant of it, and not directly.
     */
    @Test
    void theEngineOpensAnEndpointOnAPortTheBundleDoesNotDeclare() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
                MinaSocketEngine engine = new MinaSocketEngine(EngineConfig.defaults(),
                        engine(PolicySettings.ofGrants(true, "org.example.smtp tcp endpoint:mail *")), AuditLog.NONE,
                        HostResolver.JDK)) {
            int port = listener.getLocalPort();
            listener.setSoTimeout(20_000);
            engine.putEndpoint(new MinaSocketEngine.Endpoint(
                    new EndpointInfo("mail", "127.0.0.1", port, TlsMode.OFF, null, "test relay"), null));
            OwnedSocketService sockets = engine.serviceFor(Owner.of(7, "org.example.smtp"));
            TcpSocket s = sockets.openTcpEndpoint("mail", TcpSocketOptions.defaults());
            s.opened().toCompletableFuture().get(20, TimeUnit.SECONDS);
            try (Socket accepted = listener.accept()) {
                assertEquals(port, accepted.getLocalPort());
            }
            s.close().toCompletableFuture().get(20, TimeUnit.SECONDS);
            ExecutionException direct = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> sockets.openTcp("127.0.0.1", port).opened().toCompletableFuture().get(20, TimeUnit.SECONDS));
            assertInstanceOf(NotAllowedException.class, direct.getCause());
            assertTrue(direct.getCause().getMessage().contains("does not declare it"), direct.getCause().getMessage());
        }
    }
}
