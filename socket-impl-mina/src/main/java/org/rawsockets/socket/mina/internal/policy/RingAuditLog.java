package org.rawsockets.socket.mina.internal.policy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the last {@code capacity} audit entries in a ring buffer (older ones are overwritten,
 * counted in {@link #overwritten()}) and writes one SLF4J line per entry to the logger
 * {@code org.rawsockets.socket.audit}: INFO for opens and closes, WARN for refusals and failures.
 *
 * <p>{@link #record(Entry)} runs on I/O threads and never blocks beyond a short lock: the ring is
 * updated at once, the log line is handed to one logging thread through a bounded queue
 * ({@value #DEFAULT_LOG_QUEUE} entries). When the log cannot keep up (a stuck appender, a full
 * disk) further lines are dropped and counted ({@link #logDropped()}, shown by
 * {@code policy:audit}); the logging thread reports the count with a WARN line once it moves
 * again. The ring and the counts always have every entry.
 */
public class RingAuditLog implements AuditLog, AutoCloseable {

    /** The logger every entry goes to, so operators can route the audit trail on its own. */
    public static final String LOGGER = "org.rawsockets.socket.audit";
    public static final int DEFAULT_CAPACITY = 1000;
    public static final int MAX_CAPACITY = 100_000;
    /** Log lines waiting for the logging thread before further ones are dropped. */
    public static final int DEFAULT_LOG_QUEUE = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final long CLOSE_WAIT_MILLIS = 1000;

    private final Object lock = new Object();
    private Entry[] ring;
    private int next;
    private int size;
    private long overwritten;
    /** Entries recorded since start: the sequence number of the most recent one. */
    private long recorded;
    private final Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);

    private final Consumer<Entry> sink;
    private final ThreadPoolExecutor logger;
    private final AtomicLong logDropped = new AtomicLong();
    private final AtomicLong logDroppedReported = new AtomicLong();

    /** A ring of {@code capacity} entries logging to {@value #LOGGER}. */
    public RingAuditLog(int capacity) {
        this(capacity, DEFAULT_LOG_QUEUE, RingAuditLog::log);
    }

    /**
     * @param logQueue log lines that may wait for the logging thread
     * @param sink writes one entry (on the logging thread; it may block)
     */
    RingAuditLog(int capacity, int logQueue, Consumer<Entry> sink) {
        this.ring = new Entry[checkCapacity(capacity)];
        this.sink = sink;
        this.logger = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new ArrayBlockingQueue<>(logQueue), r -> {
            Thread t = new Thread(r, "rawsockets-audit-log");
            t.setDaemon(true);
            return t;
        }, (r, executor) -> logDropped.incrementAndGet());
        this.logger.allowCoreThreadTimeOut(true); // no thread while nothing is logged
    }

    private static int checkCapacity(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("audit capacity must be in 1.." + MAX_CAPACITY + ", was " + capacity);
        }
        return capacity;
    }

    /** Changes the capacity, keeping the most recent entries that fit. */
    public void resize(int capacity) {
        checkCapacity(capacity);
        synchronized (lock) {
            List<Entry> keep = recentLocked(capacity);
            ring = new Entry[capacity];
            next = 0;
            size = 0;
            for (Entry e : keep) {
                addLocked(e);
            }
        }
    }

    @Override
    public void record(Entry entry) {
        synchronized (lock) {
            addLocked(entry);
            recorded++;
            counts.merge(entry.outcome(), 1L, Long::sum);
        }
        try {
            logger.execute(() -> write(entry)); // full queue: the rejection handler counts it
        } catch (RejectedExecutionException e) {
            logDropped.incrementAndGet(); // closed
        }
    }

    private void write(Entry entry) {
        try {
            sink.accept(entry);
        } catch (RuntimeException e) {
            LOG.warn("audit log line could not be written: {}", e.toString());
        }
        long dropped = logDropped.get();
        long reported = logDroppedReported.get();
        if (dropped > reported && logDroppedReported.compareAndSet(reported, dropped)) {
            LOG.warn("audit: {} entries were not written to this log because it could not keep up ({} since start);"
                    + " policy:audit shows the recent ones and the counts", dropped - reported, dropped);
        }
    }

    /** Audit entries not written to the log because the logging thread could not keep up (or was closed). */
    public long logDropped() {
        return logDropped.get();
    }

    /**
     * Stops the logging thread: lines still queued get up to a second to be written, then the
     * thread is interrupted. Entries recorded later stay in the ring and count as not logged.
     */
    @Override
    public void close() {
        logger.shutdown();
        try {
            if (!logger.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                logDropped.addAndGet(logger.shutdownNow().size());
            }
        } catch (InterruptedException e) {
            logger.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void addLocked(Entry entry) {
        if (size == ring.length) {
            overwritten++;
        } else {
            size++;
        }
        ring[next] = entry;
        next = (next + 1) % ring.length;
    }

    @Override
    public List<Entry> recent(int max) {
        synchronized (lock) {
            return recentLocked(max);
        }
    }

    private List<Entry> recentLocked(int max) {
        int n = Math.max(0, Math.min(max, size));
        List<Entry> out = new ArrayList<>(n);
        int start = Math.floorMod(next - n, ring.length);
        for (int i = 0; i < n; i++) {
            out.add(ring[(start + i) % ring.length]);
        }
        return out;
    }

    /** An entry with its sequence number (1 for the first entry since start). */
    public record Numbered(long sequence, Entry entry) {
    }

    /**
     * The entries recorded after sequence {@code after} that the ring still holds, oldest first, at
     * most {@code max} (the most recent ones when there are more).
     */
    public List<Numbered> since(long after, int max) {
        synchronized (lock) {
            long available = Math.max(0, recorded - Math.max(after, recorded - size));
            int n = (int) Math.min(available, Math.max(0, max));
            List<Entry> last = recentLocked(n);
            List<Numbered> out = new ArrayList<>(n);
            long first = recorded - n + 1;
            for (int i = 0; i < last.size(); i++) {
                out.add(new Numbered(first + i, last.get(i)));
            }
            return out;
        }
    }

    /** Entries recorded since start (the most recent entry's sequence number). */
    public long recorded() {
        synchronized (lock) {
            return recorded;
        }
    }

    public int capacity() {
        synchronized (lock) {
            return ring.length;
        }
    }

    /** Entries dropped from the ring because it was full (they were still logged). */
    public long overwritten() {
        synchronized (lock) {
            return overwritten;
        }
    }

    /** Entries recorded since start, per outcome. */
    public Map<Outcome, Long> counts() {
        synchronized (lock) {
            Map<Outcome, Long> copy = new EnumMap<>(Outcome.class);
            copy.putAll(counts);
            return copy;
        }
    }

    /** One line: {@code REFUSED org.example [12] #0 tcp connect example.org:22 -> 93.184.216.34:22 in=0 out=0 (why)}. */
    public static String format(Entry e) {
        StringBuilder sb = new StringBuilder();
        sb.append(e.time()).append(' ').append(e.outcome()).append(' ').append(e.owner()).append(" #").append(e.socketId())
                .append(' ').append(e.kind().label()).append(' ').append(e.destination());
        if (e.address() != null) {
            sb.append(" -> ").append(e.address().getAddress() == null ? e.address().getHostString()
                    : Addresses.text(e.address().getAddress())).append(':').append(e.address().getPort());
        }
        if (e.outcome() == Outcome.CLOSED) {
            sb.append(" in=").append(e.bytesIn()).append(" out=").append(e.bytesOut());
        }
        if (e.detail() != null && !e.detail().isEmpty()) {
            sb.append(" (").append(e.detail()).append(')');
        }
        return sb.toString();
    }

    private static void log(Entry e) {
        if (e.outcome() == Outcome.REFUSED || e.outcome() == Outcome.FAILED) {
            if (LOG.isWarnEnabled()) {
                LOG.warn("audit {}", format(e));
            }
        } else if (LOG.isInfoEnabled()) {
            LOG.info("audit {}", format(e));
        }
    }
}
