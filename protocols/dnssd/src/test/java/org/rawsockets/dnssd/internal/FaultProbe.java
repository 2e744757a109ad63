package org.rawsockets.dnssd.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.rawsockets.dnssd.ServiceBrowse;
import org.rawsockets.dnssd.ServiceEvent;
import org.rawsockets.dnssd.ServiceInfo;
import org.rawsockets.dnssd.internal.codec.DnsName;
import org.rawsockets.dnssd.internal.codec.DnsRecord;
import org.rawsockets.dnssd.internal.codec.RecordType;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.netfault.FaultNetwork;
import org.rawsockets.socket.netfault.Leaks;

/**
 * The client side of {@link NetworkFaultsTest}: a child JVM inside the Avahi namespace
 * ({@code lo}, TTL 1) that opens a fresh {@link MdnsClient} per test (so each starts with an empty
 * cache) and closes it again, and counts what a closed client leaves behind in this JVM (sockets of
 * the engine, threads, file descriptors: {@link Leaks}, as the other fault suites count). Commands
 * on stdin, one per line; results as lines:
 * <pre>
 * open TIMEOUT_MS [ipv6]  a fresh client, resolve limit TIMEOUT_MS (and IPv6) -> OPEN
 * browse TYPE          -> EVENT KIND INSTANCE|HOST|PORT|TXT|ADDRESSES (continuously)
 * resolve INSTANCE     -> RESOLVED MS INSTANCE|...  or  ERROR MS CLASS: MESSAGE
 * services             -> SERVICES N INSTANCE|PORT;... (what the browse knows now)
 * cache TYPE           -> CACHE ptr=N srv=N txt=N a=N aaaa=N (records of the type's instances in the cache)
 * status               -> STATUS ...
 * close                the browse and the client closed                   -> CLOSED
 * leaks                -> LEAKS sockets=N threads=N fds=N (released) or ERROR leaks ...
 * quit                 -> BYE
 * </pre>
 */
public final class FaultProbe {

    private static MdnsClient client;
    private static ServiceBrowse browse;
    private static Thread events;

    public static void main(String[] args) throws Exception {
        String iface = args.length > 0 ? args[0] : "lo";
        MinaSocketEngine engine = MinaSocketEngine.standalone();
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.dnssd"));
        try {
            Leaks.startIoThreads(sockets);
            Leaks leaks = Leaks.baseline(sockets::sockets);
            NamespaceProbe.say("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.split(" ", 2);
                String arg = w.length > 1 ? w[1] : "";
                try {
                    switch (w[0]) {
                        case "open" -> {
                            MdnsSettings s = MdnsSettings.defaults().withInterface(iface).withTimeToLive(1);
                            String[] a = arg.split(" ");
                            client = new MdnsClient(sockets, new MdnsSettings(s.networkInterface(),
                                    a.length > 1 && a[1].equals("ipv6"), s.multicastTimeToLive(),
                                    Duration.ofMillis(Long.parseLong(a[0])), s.openTimeout(),
                                    s.maxCacheRecords(), s.maxBrowses(), s.maxEventsPerBrowse(), s.maxPending(),
                                    s.maxPacketSize()));
                            NamespaceProbe.say("OPEN");
                        }
                        case "browse" -> {
                            ServiceBrowse b = client.browse(arg);
                            browse = b;
                            events = new Thread(() -> events(b), "fault-probe-browse");
                            events.start();
                        }
                        case "resolve" -> {
                            long t0 = System.nanoTime();
                            client.resolve(arg).whenComplete((s, t) -> {
                                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                                Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
                                NamespaceProbe.say(t == null ? "RESOLVED " + ms + " " + NamespaceProbe.describe(s)
                                        : "ERROR " + ms + " " + c.getClass().getSimpleName() + ": " + c.getMessage());
                            });
                        }
                        case "services" -> {
                            StringBuilder b = new StringBuilder("SERVICES " + browse.services().size() + " ");
                            for (ServiceInfo s : browse.services()) {
                                b.append(s.instanceName()).append('|').append(s.port()).append(';');
                            }
                            NamespaceProbe.say(b.toString());
                        }
                        case "cache" -> NamespaceProbe.say("CACHE " + cache(arg));
                        case "status" -> NamespaceProbe.say("STATUS " + client.status());
                        case "close" -> {
                            close();
                            NamespaceProbe.say("CLOSED");
                        }
                        case "leaks" -> {
                            leaks.awaitReleased();
                            NamespaceProbe.say("LEAKS sockets=" + sockets.sockets().size() + " threads=" + FaultNetwork.threads()
                                    + " fds=" + FaultNetwork.fds());
                        }
                        case "quit" -> {
                            NamespaceProbe.say("BYE");
                            return;
                        }
                        default -> NamespaceProbe.say("ERROR unknown command " + line);
                    }
                } catch (Exception | AssertionError e) {
                    NamespaceProbe.say("ERROR " + w[0] + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
        } finally {
            close();
            sockets.close();
            engine.close();
        }
    }

    /** The records the client's cache holds for the instances of {@code type}, by type. */
    private static String cache(String type) throws Exception {
        DnsName t = Names.serviceType(type);
        return client.onClientThread(() -> {
            long now = MdnsClient.now();
            List<DnsRecord> ptrs = client.cached(t, RecordType.PTR, now);
            int srv = 0;
            int txt = 0;
            int a = 0;
            int aaaa = 0;
            List<DnsName> hosts = new ArrayList<>();
            for (DnsRecord p : ptrs) {
                DnsName instance = ((DnsRecord.Ptr) p.data()).target();
                List<DnsRecord> srvs = client.cached(instance, RecordType.SRV, now);
                srv += srvs.size();
                txt += client.cached(instance, RecordType.TXT, now).size();
                for (DnsRecord s : srvs) {
                    DnsName host = ((DnsRecord.Srv) s.data()).target();
                    if (!hosts.contains(host)) {
                        hosts.add(host);
                        a += client.cached(host, RecordType.A, now).size();
                        aaaa += client.cached(host, RecordType.AAAA, now).size();
                    }
                }
            }
            return "ptr=" + ptrs.size() + " srv=" + srv + " txt=" + txt + " a=" + a + " aaaa=" + aaaa;
        }).get(10, TimeUnit.SECONDS);
    }

    private static void close() throws InterruptedException {
        if (browse != null) {
            browse.close();
            browse = null;
        }
        if (events != null) {
            events.join(10_000);
            events = null;
        }
        if (client != null) {
            client.close();
            client = null;
        }
    }

    private static void events(ServiceBrowse b) {
        try {
            while (b == browse) {
                Optional<ServiceEvent> e = b.next(Duration.ofMillis(200));
                e.ifPresent(ev -> NamespaceProbe.say("EVENT " + ev.kind() + " " + NamespaceProbe.describe(ev.service())));
            }
        } catch (Exception e) {
            NamespaceProbe.say("ERROR browse " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
