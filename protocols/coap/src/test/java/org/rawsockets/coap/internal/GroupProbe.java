package org.rawsockets.coap.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.rawsockets.coap.CoapLink;
import org.rawsockets.coap.CoapServerLinks;
import org.rawsockets.coap.internal.shell.CoapCommands;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;

/**
 * The Java side of the multicast tests, run as a child JVM inside the test's network namespace
 * ({@code ip netns exec NS java ... GroupProbe ...}): one discovery with a real socket service,
 * results as lines on stdout.
 *
 * <pre>
 * GroupProbe MODE GROUP PORT WINDOW_MS MAX [QUERY]
 *   MODE api:    SERVER host:port n  and  LINK host:port uri attr=value...  per server, then DONE n ms
 *        shell:  coap:groupdiscover's output, each line prefixed with "SHELL "
 *        policy: as api, under the real policy with this bundle's declarations and the given grants
 *                (GRANTS=line;line... in the environment, no default loopback grants)
 *   (BLOCK_SIZE=n in the environment: the discovery's blockSize)
 *        busy:   as api with maxRunning 1, and a second discovery started while the first runs:
 *                BUSY ExceptionClass: message
 *   a failure:   ERROR ExceptionClass: message [| cause CauseClass]
 * </pre>
 */
public final class GroupProbe {

    /** The RawSockets-Access header bnd writes for this bundle's @RequireSocket annotations. */
    static final String DECLARATIONS = "UDP_CONNECTED;host=\"*\";ports=\"*\",UDP_BOUND;host=\"*\";ports=\"*\"";

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String group = args[1];
        int port = Integer.parseInt(args[2]);
        long window = Long.parseLong(args[3]);
        int max = Integer.parseInt(args[4]);
        String query = args.length > 5 ? args[5] : "";
        MinaSocketEngine engine = mode.equals("policy")
                ? new MinaSocketEngine(EngineConfig.defaults(), new PolicyEngine(PolicySettings.ofGrants(false,
                        System.getenv("GRANTS").split(";")), owner -> DECLARATIONS), AuditLog.NONE, HostResolver.JDK)
                : MinaSocketEngine.standalone();
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.coap"));
        int block = System.getenv("BLOCK_SIZE") != null ? Integer.parseInt(System.getenv("BLOCK_SIZE")) : 1024;
        GroupSettings settings = new GroupSettings(group, port, "lo", 1, "", window, max, 10_000,
                mode.equals("busy") ? 1 : 16, block);
        try (GroupDiscoveryImpl d = new GroupDiscoveryImpl(sockets, settings)) {
            if (mode.equals("shell")) {
                String out = new CoapCommands(List.of(), d).groupdiscover(window, max, query);
                out.lines().forEach(l -> System.out.println("SHELL " + l));
                return;
            }
            long t0 = System.nanoTime();
            List<CoapServerLinks> servers;
            try {
                java.util.concurrent.CompletableFuture<List<CoapServerLinks>> first = d.discover(query,
                        Duration.ofMillis(window), max).toCompletableFuture();
                if (mode.equals("busy")) {
                    d.discover(query).toCompletableFuture().handle((r, e) -> {
                        System.out.println(e == null ? "BUSY none" : "BUSY " + e.getClass().getSimpleName() + ": "
                                + e.getMessage());
                        return null;
                    }).get(10, TimeUnit.SECONDS);
                }
                servers = first.get(120, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                System.out.println("ERROR " + c.getClass().getSimpleName() + ": " + c.getMessage()
                        + (c.getCause() != null ? " | cause " + c.getCause().getClass().getSimpleName() : ""));
                return;
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            for (CoapServerLinks s : servers) {
                System.out.println("SERVER " + s.address() + " " + s.links().size());
                for (CoapLink l : s.links()) {
                    StringBuilder b = new StringBuilder("LINK " + s.address() + " " + l.uri());
                    l.attributes().entrySet().stream().sorted(Map.Entry.comparingByKey())
                            .forEach(e -> b.append(' ').append(e.getKey()).append('=').append(String.join(",", e.getValue())));
                    System.out.println(b);
                }
            }
            System.out.println("DONE " + servers.size() + " " + ms + " ms");
        } finally {
            sockets.close();
            engine.close();
        }
    }
}
