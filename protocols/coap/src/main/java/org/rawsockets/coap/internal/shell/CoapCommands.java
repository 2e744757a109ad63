package org.rawsockets.coap.internal.shell;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.rawsockets.coap.CoapClient;
import org.rawsockets.coap.CoapException;
import org.rawsockets.coap.CoapGroupDiscovery;
import org.rawsockets.coap.CoapLink;
import org.rawsockets.coap.CoapMethod;
import org.rawsockets.coap.CoapObservation;
import org.rawsockets.coap.CoapRequest;
import org.rawsockets.coap.CoapResponse;
import org.rawsockets.coap.CoapServerLinks;
import org.rawsockets.coap.CoapTimeoutException;
import org.rawsockets.coap.internal.CoapDeviceComponent;
import org.rawsockets.coap.internal.DeviceConfig;
import org.rawsockets.coap.internal.GroupDiscoveryComponent;
import org.rawsockets.protocols.config.ConfigRegistry;

/**
 * Gogo commands of scope {@code coap}: devices, get, put, post, delete, observe, discover, and
 * groupdiscover (multicast discovery).
 */
@Component(service = CoapCommands.class, property = { "osgi.command.scope=coap", "osgi.command.function=devices",
    "osgi.command.function=get", "osgi.command.function=put", "osgi.command.function=post",
    "osgi.command.function=delete", "osgi.command.function=observe", "osgi.command.function=discover",
    "osgi.command.function=groupdiscover" })
public final class CoapCommands {

    /** The longest the shell waits beyond a device's own timeoutMillis. */
    static final long WAIT_MS = 180_000;
    static final long MAX_NOTIFICATIONS = 1_000_000;
    /** Notifications waiting to be printed; beyond it the oldest unprinted one is dropped and counted. */
    static final int NOTIFICATION_BUFFER = 256;
    /** groupdiscover's window and limit when the service is not this bundle's component. */
    static final long DEFAULT_WINDOW_MS = 6000;
    static final int DEFAULT_MAX_SERVERS = 64;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<CoapClient> devices = new CopyOnWriteArrayList<>();
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile CoapGroupDiscovery group;
    private final ConfigRegistry registry;

    public CoapCommands() {
        this.registry = CoapDeviceComponent.REGISTRY;
    }

    /** For tests: a fixed set of devices. */
    CoapCommands(List<CoapClient> devices) {
        this(devices, null);
    }

    /** For tests: a fixed set of devices and a multicast discovery service (or {@code null}). */
    public CoapCommands(List<CoapClient> devices, CoapGroupDiscovery group) {
        this.devices.addAll(devices);
        this.group = group;
        this.registry = new ConfigRegistry(DeviceConfig.PID, "CoAP device");
    }

    @Descriptor("list the configured CoAP devices: name, target, state, datagrams, last error")
    public String devices() {
        List<CoapClient> list = new ArrayList<>(devices);
        list.sort(Comparator.comparing(CoapClient::name));
        StringBuilder rejected = new StringBuilder();
        List<ConfigRegistry.Rejection> rejections = registry.rejections();
        if (!rejections.isEmpty()) {
            rejected.append("rejected configurations (see the log):\n");
            rejections.forEach(r -> rejected.append("  ").append(r.describe()).append('\n'));
        }
        if (list.isEmpty()) {
            return "no CoAP devices configured (add a factory configuration " + DeviceConfig.PID + ")\n" + rejected;
        }
        StringBuilder b = new StringBuilder();
        for (CoapClient c : list) {
            b.append(c.name()).append("  ").append(c.target()).append("  ")
                    .append(c instanceof CoapDeviceComponent d ? d.status() : "-").append('\n');
        }
        return b.toString() + rejected;
    }

    @Descriptor("GET a resource and print the response code, options and payload")
    public String get(
            @Descriptor("non-confirmable (NON) instead of CON") @Parameter(names = { "-n", "--non" },
                    presentValue = "true", absentValue = "false") boolean non,
            @Descriptor("Accept Content-Format number, -1 for none") @Parameter(names = { "-a", "--accept" },
                    absentValue = "-1") int accept,
            @Descriptor("device name (see coap:devices)") String device,
            @Descriptor("resource path, optionally with ?query, e.g. /sensors/temp") String path) throws Exception {
        return show(call(device, request(CoapMethod.GET, path).withAccept(accept).withConfirmable(!non)));
    }

    @Descriptor("GET a resource by its URI, e.g. coaps://10.0.0.7:5684/sensors/temp: the configured device with"
            + " that scheme, host and port answers it (its DTLS keys or certificates apply)")
    public String get(
            @Descriptor("non-confirmable (NON) instead of CON") @Parameter(names = { "-n", "--non" },
                    presentValue = "true", absentValue = "false") boolean non,
            @Descriptor("Accept Content-Format number, -1 for none") @Parameter(names = { "-a", "--accept" },
                    absentValue = "-1") int accept,
            @Descriptor("coap:// or coaps:// URI of a configured device's resource") String uri) throws Exception {
        java.net.URI u;
        try {
            u = new java.net.URI(uri);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URI: " + uri + " (" + e.getReason() + ")");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("coap") && !scheme.equals("coaps") || u.getHost() == null) {
            throw new IllegalArgumentException("not a coap:// or coaps:// URI with a host: " + uri
                    + " (or give a device name and a path: coap:get DEVICE /path)");
        }
        int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("coaps") ? 5684 : 5683;
        String host = u.getHost();
        String wanted = scheme + "://" + host + ":" + port;
        List<CoapClient> matching = new ArrayList<>();
        List<String> known = new ArrayList<>();
        for (CoapClient c : devices) {
            if (c instanceof CoapDeviceComponent d) {
                known.add(d.name() + " " + d.uri());
                if (d.uri().equalsIgnoreCase(wanted)) {
                    matching.add(c);
                }
            }
        }
        if (matching.size() > 1) {
            throw new IllegalArgumentException("several CoAP devices are configured for " + wanted + ": " + String.join(
                    ", ", matching.stream().map(CoapClient::name).sorted().toList()) + "; name one: coap:get DEVICE "
                    + (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath()));
        }
        CoapClient device = matching.isEmpty() ? null : matching.get(0);
        if (device == null) {
            known.sort(null);
            throw new IllegalArgumentException("no CoAP device configured for " + wanted + " (its keys or trust come"
                    + " from a device configuration, " + DeviceConfig.PID + ")" + (known.isEmpty() ? ""
                            : "; configured: " + String.join(", ", known)));
        }
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getPath();
        String pathAndQuery = u.getRawQuery() == null ? path : path + "?" + u.getQuery();
        return get(non, accept, device.name(), pathAndQuery);
    }

    @Descriptor("PUT a UTF-8 text payload to a resource")
    public String put(
            @Descriptor("Content-Format number (0 text/plain, 50 JSON)") @Parameter(names = { "-f", "--format" },
                    absentValue = "0") int format,
            @Descriptor("non-confirmable (NON) instead of CON") @Parameter(names = { "-n", "--non" },
                    presentValue = "true", absentValue = "false") boolean non,
            @Descriptor("device name (see coap:devices)") String device,
            @Descriptor("resource path") String path,
            @Descriptor("payload (UTF-8 text)") String payload) throws Exception {
        return show(call(device, request(CoapMethod.PUT, path).withPayload(utf8(payload), format).withConfirmable(!non)));
    }

    @Descriptor("POST a UTF-8 text payload to a resource")
    public String post(
            @Descriptor("Content-Format number (0 text/plain, 50 JSON)") @Parameter(names = { "-f", "--format" },
                    absentValue = "0") int format,
            @Descriptor("non-confirmable (NON) instead of CON") @Parameter(names = { "-n", "--non" },
                    presentValue = "true", absentValue = "false") boolean non,
            @Descriptor("device name (see coap:devices)") String device,
            @Descriptor("resource path") String path,
            @Descriptor("payload (UTF-8 text)") String payload) throws Exception {
        return show(call(device, request(CoapMethod.POST, path).withPayload(utf8(payload), format)
                .withConfirmable(!non)));
    }

    @Descriptor("DELETE a resource")
    public String delete(@Descriptor("device name (see coap:devices)") String device,
            @Descriptor("resource path") String path) throws Exception {
        return show(call(device, request(CoapMethod.DELETE, path)));
    }

    @Descriptor("observe a resource: print one line per notification until interrupted (Ctrl-C) or -c notifications")
    public String observe(
            @Descriptor("number of notifications (the first response counts), 0 = until interrupted")
            @Parameter(names = { "-c", "--count" }, absentValue = "0") long count,
            @Descriptor("device name (see coap:devices)") String device,
            @Descriptor("resource path") String path) throws Exception {
        if (count < 0 || count > MAX_NOTIFICATIONS) {
            throw new IllegalArgumentException("count (-c) must be 0..1000000, was " + count);
        }
        CoapClient c = device(device);
        LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>(NOTIFICATION_BUFFER);
        long[] dropped = new long[1];
        CoapClient.Listener listener = new CoapClient.Listener() {
            @Override
            public void onNotification(CoapResponse n) {
                offer(n);
            }

            @Override
            public void onError(CoapException error) {
                offer(error);
            }

            private void offer(Object o) {
                synchronized (dropped) {
                    while (!queue.offer(o)) {
                        queue.poll();
                        dropped[0]++;
                    }
                }
            }
        };
        PrintStream out = System.out;
        long got = 0;
        long limit = count == 0 ? Long.MAX_VALUE : count;
        try (CoapObservation o = await(c.observe(request(CoapMethod.GET, path), listener), c.name() + ": observe "
                + path)) {
            while (got < limit && !Thread.currentThread().isInterrupted()) {
                Object next;
                try {
                    next = queue.poll(250, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (next == null) {
                    continue;
                }
                if (next instanceof CoapException e) {
                    throw e;
                }
                CoapResponse n = (CoapResponse) next;
                out.println(n.code() + " observe=" + n.observe() + " " + body(n));
                out.flush();
                got++;
            }
        }
        synchronized (dropped) {
            return got + " notification(s) of " + path + " on " + c.name()
                    + (dropped[0] > 0 ? " (" + dropped[0] + " dropped: printing was slower than the device)" : "")
                    + "\n";
        }
    }

    @Descriptor("discover a device's resources (GET /.well-known/core)")
    public String discover(@Descriptor("device name (see coap:devices)") String device) throws Exception {
        return discover(device, "");
    }

    @Descriptor("discover a device's resources matching a query, e.g. rt=temperature")
    public String discover(@Descriptor("device name (see coap:devices)") String device,
            @Descriptor("query filter, e.g. rt=temperature") String query) throws Exception {
        CoapClient c = device(device);
        List<CoapLink> links = await(c.discover(query), c.name() + ": discover");
        StringBuilder b = new StringBuilder();
        for (CoapLink l : links) {
            link(b, l);
        }
        return b.append(links.size()).append(" resource(s) on ").append(c.name()).append('\n').toString();
    }

    @Descriptor("multicast discovery: GET /.well-known/core to the configured group (PID org.rawsockets.coap.discovery);"
            + " every server answering within the window, with its resources")
    public String groupdiscover(
            @Descriptor("window in milliseconds (default: the configured windowMillis)")
            @Parameter(names = { "-w", "--window" }, absentValue = "0") long windowMillis,
            @Descriptor("stop after this many servers answered (default: the configured maxResponses)")
            @Parameter(names = { "-m", "--max" }, absentValue = "0") int max) throws Exception {
        return groupdiscover(windowMillis, max, "");
    }

    @Descriptor("multicast discovery of the resources matching a query, e.g. rt=temperature")
    public String groupdiscover(
            @Descriptor("window in milliseconds (default: the configured windowMillis)")
            @Parameter(names = { "-w", "--window" }, absentValue = "0") long windowMillis,
            @Descriptor("stop after this many servers answered (default: the configured maxResponses)")
            @Parameter(names = { "-m", "--max" }, absentValue = "0") int max,
            @Descriptor("query filter, e.g. rt=temperature") String query) throws Exception {
        if (windowMillis < 0 || max < 0) {
            throw new IllegalArgumentException("-w (window, ms) and -m (servers) must be positive, were " + windowMillis
                    + " and " + max);
        }
        CoapGroupDiscovery g = group;
        if (g == null) {
            throw new IllegalStateException("no CoAP multicast discovery service (component "
                    + "org.rawsockets.coap.discovery is not active; see scr:info for why)");
        }
        long window = windowMillis > 0 ? windowMillis
                : g instanceof GroupDiscoveryComponent c ? c.windowMillis() : DEFAULT_WINDOW_MS;
        int limit = max > 0 ? max : g instanceof GroupDiscoveryComponent c ? c.maxResponses() : DEFAULT_MAX_SERVERS;
        List<CoapServerLinks> servers = new ArrayList<>(await(g.discover(query, Duration.ofMillis(window), limit),
                "discovery on " + g.target(), window + WAIT_MS));
        servers.sort(Comparator.comparing(CoapServerLinks::address));
        StringBuilder b = new StringBuilder();
        for (CoapServerLinks s : servers) {
            b.append("coap://").append(s.address()).append("  ").append(s.links().size()).append(" resource(s)\n");
            for (CoapLink l : s.links()) {
                link(b.append("  "), l);
            }
        }
        return b.append(servers.size()).append(" server(s) answered on ").append(g.target()).append(" within ")
                .append(window).append(" ms").append(servers.size() >= limit ? " (limit " + limit + " reached)" : "")
                .append('\n').toString();
    }

    /** One link: URI, then its attributes sorted by name, {@code key=v1 v2} or {@code key}. */
    private static void link(StringBuilder b, CoapLink l) {
        b.append(l.uri());
        l.attributes().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e -> {
            b.append("  ").append(e.getKey());
            if (!e.getValue().isEmpty()) {
                b.append('=').append(String.join(" ", e.getValue()));
            }
        });
        b.append('\n');
    }

    static CoapRequest request(CoapMethod method, String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        CoapRequest r = CoapRequest.of(method, q < 0 ? pathAndQuery : pathAndQuery.substring(0, q));
        return q < 0 ? r : r.withQuery(pathAndQuery.substring(q + 1));
    }

    private CoapResponse call(String device, CoapRequest request) throws Exception {
        CoapClient c = device(device);
        return await(c.send(request), c.name() + ": " + request);
    }

    static String show(CoapResponse r) {
        return r.code() + (r.contentFormat() >= 0 ? " ct=" + r.contentFormat() : "") + " " + r.payload().length
                + " bytes\n" + body(r) + (r.payload().length > 0 ? "\n" : "");
    }

    static String body(CoapResponse r) {
        int ct = r.contentFormat();
        boolean text = ct == -1 || ct == 0 || ct == 40 || ct == 41 || ct == 50 || ct == 110 || ct == 111;
        if (text) {
            return r.text();
        }
        byte[] p = r.payload();
        return "(binary) " + HexFormat.of().formatHex(p, 0, Math.min(p.length, 64)) + (p.length > 64 ? "..." : "");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private CoapClient device(String name) {
        for (CoapClient c : devices) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        StringBuilder b = new StringBuilder("no CoAP device named '" + name + "'");
        registry.rejection(name).ifPresent(r -> b.append(": its configuration was refused: ").append(r.reason()));
        List<String> names = devices.stream().map(CoapClient::name).sorted().toList();
        b.append(names.isEmpty() ? "; none is configured (factory configuration " + DeviceConfig.PID + ")"
                : "; configured: " + String.join(", ", names));
        throw new IllegalArgumentException(b.toString());
    }

    private static <T> T await(CompletionStage<T> stage, String what) throws Exception {
        return await(stage, what, WAIT_MS);
    }

    private static <T> T await(CompletionStage<T> stage, String what, long waitMs) throws Exception {
        try {
            return stage.toCompletableFuture().get(waitMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        } catch (TimeoutException e) {
            stage.toCompletableFuture().cancel(false);
            throw new CoapTimeoutException(what + " did not complete within " + waitMs + " ms");
        }
    }
}
