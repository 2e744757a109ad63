package org.rawsockets.dnssd.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.rawsockets.dnssd.DnsSdException;
import org.rawsockets.dnssd.DnsSdRecord;
import org.rawsockets.dnssd.DnsSdTimeoutException;
import org.rawsockets.dnssd.ServiceInfo;
import org.rawsockets.dnssd.internal.codec.DnsName;
import org.rawsockets.dnssd.internal.codec.DnsQuestion;
import org.rawsockets.dnssd.internal.codec.DnsRecord;
import org.rawsockets.dnssd.internal.codec.RecordType;

/**
 * Pending resolves (SRV + TXT + addresses, retransmitted at 1 s, 2 s, 4 s …) and one-shot queries
 * (asked once with the QU bit, completed by the first answer), on the client's thread; bounded by
 * {@code maxPending}.
 */
final class Resolves {

    private final class Resolve {
        final DnsName instance;
        final CompletableFuture<ServiceInfo> future;
        final long deadline;
        final long started;
        long nextSend;
        long interval = RecordCache.SECOND;
        int sends;

        Resolve(DnsName instance, CompletableFuture<ServiceInfo> future, long now, Duration timeout) {
            this.instance = instance;
            this.future = future;
            this.started = now;
            this.deadline = now + timeout.toNanos();
            this.nextSend = now;
        }
    }

    private record Query(DnsName name, int type, CompletableFuture<List<DnsSdRecord>> future, long deadline,
            Duration timeout) {
    }

    private final MdnsClient client;
    private final MdnsSettings settings;
    private final List<Resolve> resolves = new ArrayList<>();
    private final List<Query> queries = new ArrayList<>();

    Resolves(MdnsClient client, MdnsSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    private boolean full(CompletableFuture<?> f, String what) {
        if (resolves.size() + queries.size() >= settings.maxPending()) {
            f.completeExceptionally(new DnsSdException(what + ": " + settings.maxPending() + " resolves and queries are"
                    + " waiting, the limit (maxPending); try again when some have finished"));
            return true;
        }
        return false;
    }

    void resolve(DnsName instance, Duration timeout, CompletableFuture<ServiceInfo> f) {
        if (full(f, "resolve " + instance)) {
            return;
        }
        long now = MdnsClient.now();
        Resolve r = new Resolve(instance, f, now, timeout);
        if (!complete(r, now)) {
            resolves.add(r);
            send(r, now);
        }
    }

    void query(DnsName name, int type, Duration timeout, CompletableFuture<List<DnsSdRecord>> f) {
        if (full(f, "query " + name + " " + RecordType.name(type))) {
            return;
        }
        queries.add(new Query(name, type, f, MdnsClient.now() + timeout.toNanos(), timeout));
        client.sendQuery(List.of(new DnsQuestion(name, type, RecordType.CLASS_IN, true)), List.of());
    }

    /** A response arrived: completes the queries it answers. */
    void answered(List<DnsRecord> records) {
        long now = MdnsClient.now();
        for (Iterator<Query> it = queries.iterator(); it.hasNext();) {
            Query q = it.next();
            boolean match = false;
            for (DnsRecord r : records) {
                if (r.name().equals(q.name) && (q.type == RecordType.ANY || r.type() == q.type) && r.ttl() > 0) {
                    match = true;
                    break;
                }
            }
            if (match) {
                it.remove();
                List<DnsSdRecord> out = new ArrayList<>();
                for (DnsRecord r : client.cached(q.name, q.type, now)) {
                    out.add(new DnsSdRecord(r.name().toString(), RecordType.name(r.type()), r.ttl(), r.data().toString()));
                }
                q.future.complete(out);
            }
        }
    }

    /** The cache changed: completes what it now resolves. */
    void check(long now) {
        resolves.removeIf(r -> complete(r, now));
    }

    void tick(long now) {
        for (Iterator<Resolve> it = resolves.iterator(); it.hasNext();) {
            Resolve r = it.next();
            if (r.future.isDone()) {
                it.remove();
            } else if (now - r.deadline >= 0) {
                it.remove();
                r.future.completeExceptionally(new DnsSdTimeoutException("resolve " + r.instance + " on "
                        + settings.interfaceText() + ": " + missing(r, now) + " within " + millis(r.deadline - r.started)
                        + " ms (" + r.sends + " queries sent); is the service published on this link?"));
            } else if (now - r.nextSend >= 0) {
                send(r, now);
            }
        }
        for (Iterator<Query> it = queries.iterator(); it.hasNext();) {
            Query q = it.next();
            if (q.future.isDone()) {
                it.remove();
            } else if (now - q.deadline >= 0) {
                it.remove();
                q.future.completeExceptionally(new DnsSdTimeoutException("query " + q.name + " " + RecordType.name(q.type)
                        + " on " + settings.interfaceText() + ": no answer within " + q.timeout.toMillis() + " ms"));
            }
        }
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    private String missing(Resolve r, long now) {
        ServiceInfo i = client.info(r.instance, now);
        if (i.host().isEmpty()) {
            return "no SRV record answered";
        }
        if (i.addresses().isEmpty()) {
            return "SRV " + i.host() + ":" + i.port() + " answered but no address (A/AAAA) of " + i.host();
        }
        return "SRV and addresses answered but no TXT record";
    }

    private boolean complete(Resolve r, long now) {
        if (r.future.isDone()) {
            return true;
        }
        ServiceInfo i = client.info(r.instance, now);
        if (i.resolved() && client.hasTxt(r.instance, now)) {
            r.future.complete(i);
            return true;
        }
        return false;
    }

    private void send(Resolve r, long now) {
        ServiceInfo i = client.info(r.instance, now);
        Set<DnsQuestion> qs = new LinkedHashSet<>();
        List<DnsRecord> known = new ArrayList<>();
        boolean qu = r.sends == 0;
        if (i.host().isEmpty()) {
            qs.add(new DnsQuestion(r.instance, RecordType.SRV, RecordType.CLASS_IN, qu));
        }
        if (!client.hasTxt(r.instance, now)) {
            qs.add(new DnsQuestion(r.instance, RecordType.TXT, RecordType.CLASS_IN, qu));
        }
        if (!i.host().isEmpty() && i.addresses().isEmpty()) {
            DnsName host = DnsName.parse(i.host());
            qs.add(new DnsQuestion(host, RecordType.A, RecordType.CLASS_IN, qu));
            if (settings.ipv6()) {
                qs.add(new DnsQuestion(host, RecordType.AAAA, RecordType.CLASS_IN, qu));
            }
        }
        if (!qs.isEmpty()) {
            client.sendQuery(new ArrayList<>(qs), known);
        }
        r.sends++;
        r.nextSend = now + r.interval;
        r.interval *= 2;
    }

    void failAll(DnsSdException e) {
        for (Resolve r : resolves) {
            r.future.completeExceptionally(e);
        }
        resolves.clear();
        for (Query q : queries) {
            q.future.completeExceptionally(e);
        }
        queries.clear();
    }
}
