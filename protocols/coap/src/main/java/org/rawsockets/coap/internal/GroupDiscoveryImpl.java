package org.rawsockets.coap.internal;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.rawsockets.coap.CoapException;
import org.rawsockets.coap.CoapGroupDiscovery;
import org.rawsockets.coap.CoapServerLinks;
import org.rawsockets.coap.CoapTimeoutException;
import org.rawsockets.coap.CoapTransportException;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.UdpSocketOptions;

/**
 * {@link CoapGroupDiscovery} on the socket service: each discovery opens its own bound
 * {@link UdpSocket} ({@code localAddress}, ephemeral port; multicast interface and TTL from the
 * settings, multicast loopback on so servers on this host hear the request), runs one
 * {@link GroupExchange} and closes the socket. At most {@code maxRunning} run at once.
 */
public final class GroupDiscoveryImpl implements CoapGroupDiscovery, AutoCloseable {

    private final SocketService sockets;
    private final GroupSettings settings;
    private final Set<GroupExchange> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    GroupDiscoveryImpl(SocketService sockets, GroupSettings settings) {
        this.sockets = sockets;
        this.settings = settings;
    }

    /**
     * For in-process users outside OSGi and tests: {@code group}, {@code port}, interface (empty: the
     * default), TTL, the default window and 64 servers at most.
     */
    public static GroupDiscoveryImpl create(SocketService sockets, String group, int port, String multicastInterface,
            int multicastTimeToLive) {
        return new GroupDiscoveryImpl(sockets, GroupSettings.defaults().withGroup(group, port)
                .withInterface(multicastInterface, "").withTimeToLive(multicastTimeToLive));
    }

    GroupSettings settings() {
        return settings;
    }

    @Override
    public String target() {
        return settings.target();
    }

    @Override
    public CompletionStage<List<CoapServerLinks>> discover(String query) {
        return discover(query, Duration.ofMillis(settings.windowMillis()), settings.maxResponses());
    }

    @Override
    public CompletionStage<List<CoapServerLinks>> discover(String query, Duration window, int maxResponses) {
        Objects.requireNonNull(window, "window");
        String q = query == null ? "" : query.strip();
        if (q.startsWith("?")) {
            q = q.substring(1);
        }
        long millis = window.toMillis();
        GroupSettings.checkWindow(millis);
        GroupSettings.checkMaxResponses(maxResponses);
        if (closed) {
            return CompletableFuture.failedFuture(new CoapTransportException("coap discovery " + target()
                    + ": the discovery service is closed (configuration changed or bundle stopping)", null));
        }
        UdpSocketOptions.Builder b = UdpSocketOptions.builder().local(settings.localAddress(), 0)
                .multicastTimeToLive(settings.multicastTimeToLive()).multicastLoopback(true);
        if (!settings.multicastInterface().isEmpty()) {
            b.multicastInterface(settings.multicastInterface());
        }
        GroupExchange x;
        synchronized (running) {
            if (running.size() >= settings.maxRunning()) {
                return CompletableFuture.failedFuture(new CoapException("coap discovery " + target() + ": "
                        + settings.maxRunning() + " discoveries are running already (maxRunning); wait for one to end",
                        null));
            }
            x = new GroupExchange(sockets, sockets.openUdp(b.build()), settings, q, millis, maxResponses);
            running.add(x);
        }
        x.result().whenComplete((r, e) -> running.remove(x));
        if (closed) {
            x.end(new CoapTransportException(x.describe() + ": the discovery service is closed", null));
            return x.result();
        }
        x.socket().opened().toCompletableFuture().orTimeout(settings.connectTimeoutMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((info, e) -> {
                    if (e == null) {
                        x.start();
                        return;
                    }
                    Throwable t = CoapClientImpl.unwrap(e);
                    x.end(t instanceof TimeoutException
                            ? new CoapTimeoutException(x.describe() + ": the UDP socket did not open within"
                                    + " connectTimeoutMillis " + settings.connectTimeoutMillis() + " ms")
                            : new CoapTransportException(x.describe() + ": cannot open a UDP socket bound to "
                                    + settings.localAddress() + " (port 0): " + t.getMessage(), t));
                });
        return x.result();
    }

    /** Ends the running discoveries with {@link CoapTransportException}; later calls fail the same way. */
    @Override
    public void close() {
        closed = true;
        for (GroupExchange x : running) {
            x.end(new CoapTransportException(x.describe() + ": the discovery service closed (configuration changed"
                    + " or bundle stopping)", null));
        }
    }
}
