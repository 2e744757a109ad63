package org.rawsockets.socket.mina.libraries;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;
import org.rawsockets.socket.mina.internal.policy.RingAuditLog;

/**
 * The real socket engine with the real policy for one library-using "bundle": no default grants,
 * one grant for the given loopback ports only, as an operator would configure it. Also the peers'
 * helpers: free ports, finding Debian's server binaries.
 */
final class LibraryFixture implements AutoCloseable {

    static final String BUNDLE = "org.example.library";

    final MinaSocketEngine engine;
    final OwnedSocketService service;
    final RingAuditLog audit = new RingAuditLog(1000);
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    /** @param ports the ports granted on 127.0.0.1, e.g. {@code "1883,8883"} */
    LibraryFixture(String ports) {
        PolicyEngine policy = new PolicyEngine(PolicySettings.from(Map.of("defaultGrants", false, "grant.lib",
                BUNDLE + " tcp 127.0.0.1 " + ports)), o -> "TCP;host=\"*\";ports=\"*\"");
        engine = new MinaSocketEngine(EngineConfig.defaults(), policy, audit, HostResolver.JDK);
        service = engine.serviceFor(Owner.of(42, BUNDLE));
    }

    <T extends AutoCloseable> T closeAfter(T r) {
        resources.push(r);
        return r;
    }

    /** The socket of the bundle to {@code 127.0.0.1:port}, as {@code sockets:list} shows it. */
    SocketInfo socketTo(int port) {
        return engine.admin().sockets().stream().filter(i -> i.destination().equals("127.0.0.1:" + port))
                .findFirst().orElseThrow(() -> new AssertionError("no socket to 127.0.0.1:" + port + " listed: "
                        + engine.admin().sockets()));
    }

    /** How many connections of the bundle to {@code 127.0.0.1:port} the audit log saw open. */
    long opened(int port) {
        return audit.recent(1000).stream().filter(e -> e.outcome() == AuditLog.Outcome.OPENED
                && e.owner().symbolicName().equals(BUNDLE) && e.address() != null && e.address().getPort() == port)
                .count();
    }

    @Override
    public void close() throws Exception {
        while (!resources.isEmpty()) {
            resources.pop().close();
        }
        service.close();
        engine.close();
    }

    /** A port free on 127.0.0.1 now (a server started on it may still lose a race: callers retry). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * A server executable: on the PATH, else in the given Debian directories (newest first). A
     * missing one fails the test with the instruction to install the peers.
     */
    static String executable(String name, String... dirs) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        for (String d : dirs) {
            if (Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        throw new AssertionError("test peer '" + name + "' not found on the PATH or in " + String.join(", ", dirs)
                + ": run 'bash .ci/setup' to install the test peers listed in .ci/apt-packages.txt");
    }
}
