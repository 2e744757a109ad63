package org.rawsockets.skeleton.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.skeleton.SkeletonException;
import org.rawsockets.skeleton.internal.shell.SkeletonCommands;
import org.rawsockets.socket.contract.PeerProcess;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * The component, client and shell against an independent peer: socat echoing every connection
 * ({@code PIPE}) on a free loopback port; a peer that accepts and never answers for the deadline.
 */
class EndToEndTest {

    private MinaSocketEngine engine;
    private MinaSocketEngine.OwnedSocketService sockets;
    private PeerProcess socat;
    private final ConfigRegistry registry = new ConfigRegistry(ServerConfig.PID, "skeleton server");

    @BeforeEach
    void start() {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.skeleton"));
        socat = PeerProcess.start(true, "socat", "-d", "-d", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork", "PIPE");
    }

    @AfterEach
    void stop() {
        socat.close();
        sockets.close();
        engine.close();
    }

    static Map<String, Object> config(String name, int port, Object... kv) {
        Map<String, Object> m = new HashMap<>(Map.of("service.pid", ServerConfig.PID + "~" + name, "name", name,
                "host", "127.0.0.1", "port", port));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void exchangesLinesWithSocatThroughTheComponentAndTheShell() throws Exception {
        SkeletonComponent echo = new SkeletonComponent(sockets, config("echo", socat.awaitSocatPort()), registry);
        assertEquals("héllo wörld", await(echo.exchange("héllo wörld")));
        String longest = "x".repeat(1024);
        assertEquals(longest, await(echo.exchange(longest)));

        SkeletonCommands shell = new SkeletonCommands(registry);
        shell.addServer(echo);
        assertEquals("name  target\necho  127.0.0.1:" + socat.awaitSocatPort() + "\n", shell.servers());
        assertEquals("from the shell", shell.send("echo", "from the shell"));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> shell.send("nope", "x"));
        assertEquals("no server 'nope' (configured: [echo])", none.getMessage());
        echo.deactivate();
    }

    @Test
    void aSilentPeerFailsTheExchangeByItsDeadline() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return silent.accept();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            SkeletonComponent c = new SkeletonComponent(sockets, config("silent", silent.getLocalPort(),
                    "timeoutMillis", 300), registry);
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(c.exchange("anyone?")));
            assertInstanceOf(SkeletonException.class, e.getCause());
            assertEquals("server 'silent' (127.0.0.1:" + silent.getLocalPort() + "): exchange: no answer within 300 ms"
                    + " (timeoutMillis)", e.getCause().getMessage());
            accepted.get(60, TimeUnit.SECONDS).close();
            c.deactivate();
        }
    }

    @Test
    void badConfigurationIsRefusedNamingTheProperty() {
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class,
                () -> new SkeletonComponent(sockets, config("bad", 70000), registry));
        assertTrue(e.getMessage().contains("field 'port' = '70000': out of range; rule: 1..65535"), e.getMessage());
        assertTrue(new SkeletonCommands(registry).servers().contains("rejected: PID " + ServerConfig.PID + "~bad"),
                new SkeletonCommands(registry).servers());
    }
}
