package org.rawsockets.skeleton.internal.shell;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.Table;
import org.rawsockets.skeleton.SkeletonClient;
import org.rawsockets.skeleton.SkeletonException;
import org.rawsockets.skeleton.internal.ServerConfig;
import org.rawsockets.skeleton.internal.SkeletonComponent;

/** Gogo commands of scope {@code skeleton}: servers, send. */
@Component(service = SkeletonCommands.class, property = { "osgi.command.scope=skeleton",
    "osgi.command.function=servers", "osgi.command.function=send" })
public final class SkeletonCommands {

    /** The longest the shell waits; an exchange ends earlier, by its server's own deadline (timeoutMillis). */
    static final long WAIT_MS = 10 * 60_000;

    private final Map<String, SkeletonClient> servers = new ConcurrentHashMap<>();
    private final ConfigRegistry registry;

    public SkeletonCommands() {
        this(SkeletonComponent.REGISTRY);
    }

    /** For tests: servers added with {@link #addServer}, rejections from {@code registry}. */
    public SkeletonCommands(ConfigRegistry registry) {
        this.registry = registry;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addServer(SkeletonClient client) {
        servers.put(client.name(), client);
    }

    public void removeServer(SkeletonClient client) {
        servers.remove(client.name(), client);
    }

    @Descriptor("list the configured servers (factory PID " + ServerConfig.PID + ") and rejected configurations")
    public String servers() {
        StringBuilder sb = new StringBuilder();
        if (servers.isEmpty()) {
            sb.append("no servers configured (add a factory configuration " + ServerConfig.PID + ")\n");
        } else {
            Table t = new Table("name", "target");
            new TreeMap<>(servers).forEach((n, c) -> t.row(n, c.target()));
            sb.append(t);
        }
        for (ConfigRegistry.Rejection r : registry.rejections()) {
            sb.append("rejected: ").append(r.describe()).append('\n');
        }
        return sb.toString();
    }

    @Descriptor("send one line to a server and print its answer")
    public String send(@Descriptor("server name (see servers)") String name, @Descriptor("the line") String line)
            throws SkeletonException, InterruptedException {
        SkeletonClient c = servers.get(name);
        if (c == null) {
            String why = registry.rejection(name).map(r -> ": its configuration was rejected: " + r.reason())
                    .orElse(" (configured: " + new TreeMap<>(servers).keySet() + ")");
            throw new IllegalArgumentException("no server '" + name + "'" + why);
        }
        var answer = c.exchange(line).toCompletableFuture();
        try {
            return answer.get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SkeletonException s ? s : new SkeletonException(e.getCause().toString(), e);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new SkeletonException("server '" + name + "': no answer within " + WAIT_MS + " ms (the shell gave up)");
        } catch (InterruptedException e) {
            answer.cancel(true);
            throw e;
        }
    }
}
