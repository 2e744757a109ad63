package org.rawsockets.socket.mina.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;

import javax.net.SocketFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;

/**
 * How the policy sees a library's own name resolution through the Socket view: a name grant
 * covers the address the library resolved only when the service's own resolution of that name
 * agrees, so a bundle cannot claim a granted name for an arbitrary address.
 */
class SocketViewPolicyTest {

    private static final String BUNDLE = "org.example.app";

    private ServerSocket server;
    private MinaSocketEngine engine;
    private OwnedSocketService service;

    @BeforeEach
    void start() throws Exception {
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        PolicyEngine policy = new PolicyEngine(PolicySettings.from(Map.of("defaultGrants", false, "grant.app",
                BUNDLE + " tcp localhost " + server.getLocalPort())), o -> "TCP;host=\"*\";ports=\"*\"");
        engine = new MinaSocketEngine(EngineConfig.defaults(), policy, AuditLog.NONE, HostResolver.JDK);
        service = engine.serviceFor(Owner.of(7, BUNDLE));
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
        engine.close();
        server.close();
    }

    @Test
    void aNameGrantCoversTheAddressTheLibraryResolvedWhenTheServiceAgrees() throws Exception {
        SocketFactory f = service.socketFactory();
        InetAddress resolvedByLibrary = InetAddress.getByAddress("localhost", new byte[] { 127, 0, 0, 1 });
        try (Socket s = f.createSocket()) {
            s.connect(new InetSocketAddress(resolvedByLibrary, server.getLocalPort()), 5000);
            assertEquals(resolvedByLibrary, s.getInetAddress(), "connected to the library's address");
            assertTrue(service.sockets().get(0).destination().startsWith("localhost:"),
                    "listed under the name: " + service.sockets());
        }
    }

    @Test
    void aNameGrantDoesNotCoverAnAddressTheNameDoesNotResolveTo() throws Exception {
        SocketFactory f = service.socketFactory();
        // a bundle claiming "localhost" for 127.0.0.2: the service's lookup of localhost disagrees,
        // so the policy sees the bare address, which no grant covers
        InetAddress claimed = InetAddress.getByAddress("localhost", new byte[] { 127, 0, 0, 2 });
        try (Socket s = f.createSocket()) {
            NotAllowedException e = assertThrows(NotAllowedException.class,
                    () -> s.connect(new InetSocketAddress(claimed, server.getLocalPort()), 5000));
            assertTrue(e.getMessage().contains("127.0.0.2") && e.getMessage().contains(BUNDLE), e.getMessage());
        }
    }

    @Test
    void anUnresolvedNameIsResolvedAndCheckedByTheService() throws Exception {
        try (Socket s = service.socketFactory().createSocket("localhost", server.getLocalPort())) {
            assertTrue(s.getInetAddress().isLoopbackAddress(), "connected to " + s.getInetAddress());
        }
        assertThrows(NotAllowedException.class,
                () -> service.socketFactory().createSocket("127.0.0.1", server.getLocalPort()),
                "the bare address is not granted");
    }
}
