package org.rawsockets.dnssd.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.rawsockets.dnssd.DnsSdException;
import org.rawsockets.dnssd.ServiceBrowse;
import org.rawsockets.dnssd.ServiceEvent;
import org.rawsockets.dnssd.ServiceInfo;
import org.rawsockets.dnssd.internal.codec.DnsName;

/**
 * One browse: the instances last reported (changed on the client's thread only) and the bounded
 * event buffer the caller takes from.
 */
final class BrowseImpl implements ServiceBrowse {

    private static final ServiceEvent WAKE = new ServiceEvent(ServiceEvent.Kind.GONE,
            new ServiceInfo("", "", "", "", "", 0, Map.of(), List.of()));

    final DnsName type;
    private final BlockingQueue<ServiceEvent> events;
    private final AtomicLong dropped = new AtomicLong();
    private final Consumer<BrowseImpl> onClose;
    /** Instance (escaped text) to what was last reported; replaced, never changed in place. */
    private volatile Map<DnsName, ServiceInfo> known = Map.of();
    private volatile DnsSdException failure;
    private volatile boolean closed;
    /** Query schedule (client thread). */
    long nextQueryNanos;
    long intervalNanos = RecordCache.SECOND;

    BrowseImpl(DnsName type, int maxEvents, Consumer<BrowseImpl> onClose) {
        this.type = type;
        this.events = new ArrayBlockingQueue<>(maxEvents);
        this.onClose = onClose;
    }

    @Override
    public String serviceType() {
        return type.toString();
    }

    @Override
    public Optional<ServiceEvent> next(Duration timeout) throws DnsSdException, InterruptedException {
        if (failure != null) {
            throw failure;
        }
        ServiceEvent e = closed ? events.poll() : events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (e == WAKE || e == null) {
            if (failure != null) {
                throw failure;
            }
            return Optional.empty();
        }
        return Optional.of(e);
    }

    @Override
    public List<ServiceInfo> services() {
        return new ArrayList<>(new TreeMap<>(byText(known)).values());
    }

    private static Map<String, ServiceInfo> byText(Map<DnsName, ServiceInfo> m) {
        Map<String, ServiceInfo> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (ServiceInfo s : m.values()) {
            out.put(s.instanceName(), s);
        }
        return out;
    }

    @Override
    public long droppedEvents() {
        return dropped.get();
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            events.offer(WAKE);
            onClose.accept(this);
        }
    }

    /** Client thread: the instances now; emits FOUND/UPDATED/GONE by difference. */
    void update(Map<DnsName, ServiceInfo> now) {
        if (closed) {
            return;
        }
        Map<DnsName, ServiceInfo> before = known;
        for (Map.Entry<DnsName, ServiceInfo> e : now.entrySet()) {
            ServiceInfo old = before.get(e.getKey());
            if (old == null) {
                emit(new ServiceEvent(ServiceEvent.Kind.FOUND, e.getValue()));
            } else if (!old.equals(e.getValue())) {
                emit(new ServiceEvent(ServiceEvent.Kind.UPDATED, e.getValue()));
            }
        }
        for (Map.Entry<DnsName, ServiceInfo> e : before.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                emit(new ServiceEvent(ServiceEvent.Kind.GONE, e.getValue()));
            }
        }
        known = Map.copyOf(now);
    }

    Map<DnsName, ServiceInfo> known() {
        return known;
    }

    private void emit(ServiceEvent e) {
        if (!events.offer(e)) {
            dropped.incrementAndGet();
        }
    }

    /** The browse cannot go on (socket failure): waiters get the exception. */
    void fail(DnsSdException e) {
        failure = e;
        closed = true;
        events.offer(WAKE);
    }
}
