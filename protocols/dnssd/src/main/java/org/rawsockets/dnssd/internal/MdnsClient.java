package org.rawsockets.dnssd.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.rawsockets.dnssd.DnsMessageException;
import org.rawsockets.dnssd.DnsSd;
import org.rawsockets.dnssd.DnsSdException;
import org.rawsockets.dnssd.DnsSdNetworkException;
import org.rawsockets.dnssd.DnsSdRecord;
import org.rawsockets.dnssd.DnsSdStatus;
import org.rawsockets.dnssd.ServiceBrowse;
import org.rawsockets.dnssd.ServiceInfo;
import org.rawsockets.dnssd.internal.codec.DnsDecoder;
import org.rawsockets.dnssd.internal.codec.DnsEncoder;
import org.rawsockets.dnssd.internal.codec.DnsMessage;
import org.rawsockets.dnssd.internal.codec.DnsName;
import org.rawsockets.dnssd.internal.codec.DnsQuestion;
import org.rawsockets.dnssd.internal.codec.DnsRecord;
import org.rawsockets.dnssd.internal.codec.RecordType;
import org.rawsockets.dnssd.internal.codec.TxtAttributes;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.UdpMessage;

/**
 * The mDNS client (RFC 6762 as a querier, RFC 6763 browse/resolve). All state (cache, browses,
 * pending resolves and queries) belongs to one thread; public methods hand work to it. A tick every
 * {@value #TICK_MILLIS} ms expires records, sends the browses' due queries (1 s, 2 s, 4 s … up to an
 * hour, known answers included) and refresh queries at 80–95 % of a PTR's life, retransmits
 * resolves and ends the overdue ones.
 */
public final class MdnsClient implements DnsSd, AutoCloseable {

    static final long TICK_MILLIS = 200;
    private static final long MAX_INTERVAL = 3600 * RecordCache.SECOND;
    private static final long REOPEN_NANOS = 5 * RecordCache.SECOND;

    private final MdnsSettings settings;
    private final ScheduledThreadPoolExecutor thread;
    private final MdnsTransport transport;
    private final RecordCache cache;
    private final List<BrowseImpl> browses = new CopyOnWriteArrayList<>();
    private final Resolves resolves;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private volatile String lastError = "";
    private volatile int cacheSize;
    private volatile long evictions;
    private long lastOpenAttempt = Long.MIN_VALUE;
    private volatile boolean closed;

    public MdnsClient(SocketService sockets, MdnsSettings settings) {
        this.settings = settings;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "rawsockets-dnssd");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        this.transport = new MdnsTransport(sockets, settings, thread);
        this.cache = new RecordCache(settings.maxCacheRecords());
        this.resolves = new Resolves(this, settings);
        thread.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    MdnsSettings settings() {
        return settings;
    }

    static long now() {
        return System.nanoTime();
    }

    // ---- API --------------------------------------------------------------------------------

    @Override
    public ServiceBrowse browse(String serviceType) throws DnsSdException {
        DnsName type = Names.serviceType(serviceType);
        if (closed) {
            throw new DnsSdException("browse " + type + ": the DNS-SD client is stopped");
        }
        if (browses.size() >= settings.maxBrowses()) {
            throw new DnsSdException("browse " + type + ": " + browses.size() + " browses are running, the limit"
                    + " (maxBrowses); close one first");
        }
        BrowseImpl b = new BrowseImpl(type, settings.maxEventsPerBrowse(), x -> {
            browses.remove(x);
        });
        browses.add(b);
        run(() -> {
            if (ensureOpen(b::fail)) {
                b.update(instances(b.type, now()));
                b.nextQueryNanos = now();
                tick();
            }
        });
        return b;
    }

    @Override
    public CompletionStage<ServiceInfo> resolve(String instanceName) {
        return resolve(instanceName, settings.timeout());
    }

    @Override
    public CompletionStage<ServiceInfo> resolve(String instanceName, Duration timeout) {
        DnsName instance = Names.instance(instanceName);
        CompletableFuture<ServiceInfo> f = new CompletableFuture<>();
        run(() -> {
            if (ensureOpen(f::completeExceptionally)) {
                resolves.resolve(instance, timeout, f);
            }
        });
        return f;
    }

    @Override
    public CompletionStage<List<DnsSdRecord>> query(String name, String type, Duration timeout) {
        DnsName n;
        try {
            n = DnsName.parse(name.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("query name '" + name + "': " + e.getMessage(), e);
        }
        int t = RecordType.parse(type);
        CompletableFuture<List<DnsSdRecord>> f = new CompletableFuture<>();
        run(() -> {
            if (ensureOpen(f::completeExceptionally)) {
                resolves.query(n, t, timeout, f);
            }
        });
        return f;
    }

    @Override
    public DnsSdStatus status() {
        return new DnsSdStatus(settings.networkInterface(), transport.isOpen(), received.get(), malformed.get(), sent.get(),
                cacheSize, evictions, browses.size(), lastError);
    }

    /** Stops the thread, closes the socket, fails what waits; bounded. */
    @Override
    public void close() {
        closed = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                resolves.failAll(new DnsSdException("the DNS-SD client on " + settings.interfaceText() + " was stopped"));
                done.complete(null);
            });
            done.get(5, TimeUnit.SECONDS);
        } catch (RejectedExecutionException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // already stopped or stuck: the socket is closed below anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (BrowseImpl b : browses) {
            b.close();
        }
        transport.close();
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the client thread --------------------------------------------------------------------

    private void run(Runnable r) {
        try {
            thread.execute(r);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the DNS-SD client on " + settings.interfaceText() + " is stopped", e);
        }
    }

    /** Runs {@code task} on the client's thread, where the cache lives (the tests read the cache so). */
    <T> CompletableFuture<T> onClientThread(java.util.function.Supplier<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        run(() -> f.complete(task.get()));
        return f;
    }

    /** Opens the socket when needed; on failure tells {@code failure} and returns false. */
    private boolean ensureOpen(java.util.function.Consumer<DnsSdException> failure) {
        if (transport.isOpen()) {
            return true;
        }
        lastOpenAttempt = now();
        try {
            transport.open(this::datagram, this::broken);
            return true;
        } catch (DnsSdNetworkException e) {
            lastError = e.getMessage();
            failure.accept(e);
            return false;
        }
    }

    private void broken(Throwable t) {
        transport.close();
        DnsSdNetworkException e = new DnsSdNetworkException("mDNS on " + settings.interfaceText() + ": the socket failed: "
                + t.getMessage(), t);
        lastError = e.getMessage();
        for (BrowseImpl b : browses) {
            b.fail(e);
        }
        browses.clear();
        resolves.failAll(e);
    }

    private void datagram(UdpMessage m) {
        received.incrementAndGet();
        DnsMessage msg;
        try {
            msg = DnsDecoder.decode(m.data());
        } catch (DnsMessageException e) {
            malformed.incrementAndGet();
            lastError = "from " + m.remoteAddress() + ":" + m.remotePort() + ": " + e.getMessage();
            return;
        }
        // queries of others and responses with an error code or an unknown opcode are ignored (§18);
        // so are responses not from port 5353 (§6: only a responder on 5353 is a Multicast DNS responder)
        if (!msg.isResponse() || msg.opcode() != 0 || msg.rcode() != 0 || m.remotePort() != MdnsTransport.PORT) {
            return;
        }
        long now = now();
        List<DnsRecord> records = msg.allRecords();
        for (DnsRecord r : records) {
            cache.put(r, now);
        }
        resolves.answered(records);
        changed(now);
    }

    private void tick() {
        if (closed) {
            return;
        }
        long now = now();
        List<DnsRecord> expired = cache.expire(now);
        if (!transport.isOpen() && !browses.isEmpty() && now - lastOpenAttempt > REOPEN_NANOS) {
            ensureOpen(e -> {
            });
        }
        for (BrowseImpl b : browses) {
            if (b.isClosed()) {
                browses.remove(b);
                continue;
            }
            boolean due = b.nextQueryNanos != 0 && now - b.nextQueryNanos >= 0;
            boolean refresh = false;
            for (RecordCache.Entry e : cache.entries(b.type, RecordType.PTR, now)) {
                if (e.refreshes < 4 && e.age(now) >= 0.80 + 0.05 * e.refreshes) {
                    e.refreshes++;
                    refresh = true;
                }
            }
            if (due || refresh) {
                sendQuery(List.of(DnsQuestion.of(b.type, RecordType.PTR)), knownAnswers(b.type, now));
            }
            if (due) {
                b.nextQueryNanos = now + b.intervalNanos;
                b.intervalNanos = Math.min(MAX_INTERVAL, b.intervalNanos * 2);
            }
        }
        resolves.tick(now);
        if (!expired.isEmpty()) {
            changed(now);
        }
        cacheSize = cache.size();
        evictions = cache.evictions();
    }

    /** Known answers for a PTR question: cached PTRs with more than half their TTL left (§7.1). */
    private List<DnsRecord> knownAnswers(DnsName type, long now) {
        List<DnsRecord> out = new ArrayList<>();
        for (RecordCache.Entry e : cache.entries(type, RecordType.PTR, now)) {
            if (e.age(now) < 0.5) {
                out.add(e.current(now));
            }
        }
        return out;
    }

    /** Sends a query (split as needed); a failure is counted in {@code lastError}. */
    void sendQuery(List<DnsQuestion> questions, List<DnsRecord> known) {
        if (!transport.isOpen()) {
            return;
        }
        for (byte[] p : DnsEncoder.encodeQuery(questions, known, settings.maxPacketSize())) {
            sent.incrementAndGet();
            transport.send(p).whenComplete((v, t) -> {
                if (t != null) {
                    lastError = "mDNS on " + settings.interfaceText() + ": sending a query failed: " + t.getMessage();
                }
            });
        }
    }

    private void changed(long now) {
        for (BrowseImpl b : browses) {
            b.update(instances(b.type, now));
        }
        resolves.check(now);
        cacheSize = cache.size();
        evictions = cache.evictions();
    }

    /** The instances of a type in the cache, each as far as known. */
    private Map<DnsName, ServiceInfo> instances(DnsName type, long now) {
        Map<DnsName, ServiceInfo> out = new LinkedHashMap<>();
        for (DnsRecord r : cache.records(type, RecordType.PTR, now)) {
            DnsName instance = ((DnsRecord.Ptr) r.data()).target();
            out.put(instance, info(instance, now));
        }
        return out;
    }

    /** What the cache knows of an instance. */
    ServiceInfo info(DnsName instance, long now) {
        List<DnsRecord> srvs = cache.records(instance, RecordType.SRV, now);
        DnsRecord.Srv srv = srvs.stream().map(r -> (DnsRecord.Srv) r.data())
                .min(Comparator.comparingInt(DnsRecord.Srv::priority).thenComparing(s -> -s.weight())).orElse(null);
        Map<String, String> txt = Map.of();
        List<DnsRecord> txts = cache.records(instance, RecordType.TXT, now);
        if (!txts.isEmpty()) {
            txt = TxtAttributes.of((DnsRecord.Txt) txts.get(0).data()).asStrings();
        }
        List<String> addresses = srv == null ? List.of() : addresses(srv.target(), now);
        return Names.info(instance, srv == null ? "" : srv.target().toString(), srv == null ? 0 : srv.port(), txt, addresses);
    }

    List<String> addresses(DnsName host, long now) {
        List<String> out = new ArrayList<>();
        for (DnsRecord r : cache.records(host, RecordType.A, now)) {
            out.add(((DnsRecord.A) r.data()).address().getHostAddress());
        }
        for (DnsRecord r : cache.records(host, RecordType.AAAA, now)) {
            out.add(ipv6Text(((DnsRecord.Aaaa) r.data()).address().getAddress()));
        }
        return out;
    }

    boolean hasTxt(DnsName instance, long now) {
        return !cache.records(instance, RecordType.TXT, now).isEmpty();
    }

    List<DnsRecord> cached(DnsName name, int type, long now) {
        if (type == RecordType.ANY) {
            List<DnsRecord> all = new ArrayList<>();
            for (int t : new int[] { RecordType.A, RecordType.AAAA, RecordType.PTR, RecordType.SRV, RecordType.TXT,
                    RecordType.NSEC }) {
                all.addAll(cache.records(name, t, now));
            }
            return all;
        }
        return cache.records(name, type, now);
    }

    /** RFC 5952 text of an IPv6 address: lower case, the longest run of zero groups (two or more) as {@code ::}. */
    static String ipv6Text(byte[] a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8;) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(g[i]));
        }
        return b.toString();
    }
}
