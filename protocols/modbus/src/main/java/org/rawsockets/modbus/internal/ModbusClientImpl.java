package org.rawsockets.modbus.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.rawsockets.modbus.ModbusClientStatus;
import org.rawsockets.modbus.ModbusConnectionException;
import org.rawsockets.modbus.ModbusException;
import org.rawsockets.modbus.ModbusExceptionResponse;
import org.rawsockets.modbus.ModbusProtocolException;
import org.rawsockets.modbus.ModbusTimeoutException;
import org.rawsockets.modbus.internal.codec.FrameResult;
import org.rawsockets.modbus.internal.codec.MbapCodec;
import org.rawsockets.modbus.internal.codec.Request;
import org.rawsockets.modbus.internal.codec.StreamDecoder;
import org.rawsockets.protocols.config.ReconnectBackoff;
import org.rawsockets.socket.SocketService;

/**
 * The client of one device: one shared connection, requests pipelined by transaction id (MBAP) up to
 * {@code maxInFlight}, the rest waiting in a bounded queue; a per-request timer that frees the slot;
 * reconnect at once after a lost connection and with exponential back-off plus jitter after failed
 * connects. A TCP connection on which {@code reconnectAfterTimeouts} requests in a row got no answer
 * (a silent, stuck or trickling peer, a half-open connection) is closed and opened again. A request
 * whose stage the caller completes first (cancel, {@code orTimeout}) leaves the queue or frees its
 * slot at once.
 *
 * <p>The API's requests are built by {@link ModbusRequestApi}; the queue and the in-flight slots are
 * a {@link RequestWindow}, the timeouts a {@link DeadlineList} swept by one timer, the delay between
 * failed connects a {@link ReconnectBackoff}. This class holds the connection lifecycle and the
 * protocol between them.
 *
 * <p>Locking: all connection and request state is guarded by {@code lock}; futures are completed
 * outside it. The receive path (framing into a per-connection bounded buffer) runs on the link's
 * read loop, which never overlaps itself.
 */
public final class ModbusClientImpl extends ModbusRequestApi implements AutoCloseable {

    private final Link.Connector connector;
    private final ScheduledThreadPoolExecutor timer;

    private final Object lock = new Object();
    // ---- guarded by lock ----
    private ModbusClientStatus.State state = ModbusClientStatus.State.IDLE;
    private Session session; // the connected session
    private Session connecting; // the session being opened
    private final RequestWindow window;
    private final ReconnectBackoff backoff;
    private String lastError;
    private ScheduledFuture<?> reconnectTask;
    private final DeadlineList deadlines = new DeadlineList(); // queued and in-flight requests, oldest first
    private ScheduledFuture<?> sweepTask;
    // ---- counters ----
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong unmatched = new AtomicLong();

    /** A client on the socket service; connects at once, or at the first request without {@code connectOnStart}. */
    public ModbusClientImpl(ClientSettings settings, SocketService sockets) {
        this(settings, new SocketConnector(sockets, settings));
    }

    ModbusClientImpl(ClientSettings settings, Link.Connector connector) {
        super(settings, "modbus device '" + settings.name() + "' (" + connector.target() + ")");
        this.connector = connector;
        this.window = new RequestWindow(rtu, settings.maxInFlight(), settings.maxQueued());
        this.backoff = new ReconnectBackoff(settings.reconnectMin(), settings.reconnectMax());
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "modbus-" + settings.name() + "-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        if (settings.connectOnStart()) {
            synchronized (lock) {
                startConnectLocked();
            }
        }
    }

    // ---- API --------------------------------------------------------------------------------

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public int defaultUnitId() {
        return settings.unitId();
    }

    public ClientSettings settings() {
        return settings;
    }

    @Override
    public ModbusClientStatus status() {
        synchronized (lock) {
            return new ModbusClientStatus(settings.name(), connector.target(), settings.transport(), state,
                    window.inFlight(), window.queued(), completed.get(), failed.get(), timeouts.get(), connects.get(),
                    unmatched.get(), lastError);
        }
    }

    /** Closes the connection and fails everything pending; idempotent. */
    @Override
    public void close() {
        List<PendingRequest<?>> toFail = new ArrayList<>();
        Session s;
        Session c;
        synchronized (lock) {
            if (state == ModbusClientStatus.State.CLOSED) {
                return;
            }
            state = ModbusClientStatus.State.CLOSED;
            if (reconnectTask != null) {
                reconnectTask.cancel(false);
            }
            if (sweepTask != null) {
                sweepTask.cancel(false);
                sweepTask = null;
            }
            s = session;
            c = connecting;
            session = null;
            connecting = null;
            takeInFlightLocked(toFail);
            takeQueuedLocked(toFail);
        }
        if (s != null) {
            s.link.close();
        }
        if (c != null && c.link != null) {
            c.link.close();
        }
        failAll(toFail, p -> new ModbusConnectionException(who + ": the client was closed before "
                + p.request.description() + " was answered"));
        timer.shutdownNow();
    }

    // ---- submit, send, timeout -------------------------------------------------------------------

    @Override
    <T> CompletionStage<T> submit(int unitId, Request<T> request) {
        checkUnit(unitId);
        PendingRequest<T> p = new PendingRequest<>(request, unitId);
        ModbusException reject = null;
        synchronized (lock) {
            switch (state) {
                case CLOSED -> reject = new ModbusConnectionException(who + ": the client is closed");
                case BACKOFF -> reject = new ModbusConnectionException(who + ": not connected (" + lastError
                        + "); next attempt in " + Math.max(0, backoff.millisToNextAttempt())
                        + " ms");
                default -> {
                    // queued requests beyond the free in-flight slots are bounded by maxQueued, also
                    // while connecting (nothing in flight then) and while answers are being handled
                    if (window.queueFull()) {
                        reject = new ModbusConnectionException(who + ": " + window.inFlight()
                                + " requests in flight and " + window.queued()
                                + " queued (maxQueued); try again later or raise maxQueued");
                    } else {
                        window.enqueue(p);
                        armLocked(p);
                        p.future.whenComplete((v, e) -> abandoned(p)); // no-op unless the caller completed it
                        if (state == ModbusClientStatus.State.CONNECTED && !session.receiving) {
                            flushLocked();
                        } else if (state == ModbusClientStatus.State.IDLE) {
                            startConnectLocked(); // connectOnStart=false: the first request connects
                        }
                    }
                }
            }
        }
        if (reject != null) {
            failed.incrementAndGet();
            p.future.completeExceptionally(reject);
        }
        return p.future;
    }

    /** Sends queued requests while slots are free. */
    private void flushLocked() {
        Session s = session;
        if (s != null) {
            window.flush(s.link, s.coalesce);
        }
    }

    /** Adds {@code p} to the deadline list; the sweep fires at the oldest deadline (see {@link DeadlineList}). */
    private void armLocked(PendingRequest<?> p) {
        deadlines.add(p, System.nanoTime() + settings.timeout().toNanos());
        if (sweepTask == null) {
            sweepTask = timer.schedule(this::sweep, p.deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
    }

    private void sweep() {
        List<PendingRequest<?>> expired = new ArrayList<>();
        Session resync = null;
        Session recycle = null;
        String connection;
        synchronized (lock) {
            sweepTask = null;
            long now = System.nanoTime();
            while (deadlines.head() != null && deadlines.head().deadline - now <= 0) {
                PendingRequest<?> p = deadlines.head();
                deadlines.remove(p);
                p.done = true;
                expired.add(p);
                if (p.sent) {
                    window.release(p);
                    if (rtu) {
                        // A late RTU answer would be taken for the next request's: start a clean stream.
                        resync = session;
                    } else {
                        // Sent requests still in flight belong to the current connection (a lost one
                        // failed its own): count its unanswered ones in a row.
                        if (session != null && !session.link.datagram()) {
                            session.timeoutsInARow++;
                        }
                    }
                } else {
                    window.dequeue(p);
                }
            }
            int limit = settings.reconnectAfterTimeouts();
            if (resync == null && limit > 0 && session != null && session.timeoutsInARow >= limit) {
                recycle = session;
            }
            if (deadlines.head() != null && state != ModbusClientStatus.State.CLOSED) {
                sweepTask = timer.schedule(this::sweep, deadlines.head().deadline - now, TimeUnit.NANOSECONDS);
            }
            connection = state == ModbusClientStatus.State.CONNECTED ? ""
                    : " (" + state.name().toLowerCase() + (lastError == null ? "" : ": " + lastError) + ")";
            if (resync == null) {
                flushLocked();
            }
        }
        for (PendingRequest<?> p : expired) {
            timeouts.incrementAndGet();
            failed.incrementAndGet();
            p.future.completeExceptionally(new ModbusTimeoutException(who + " unit " + p.unitId + ": no response to "
                    + p.request.description() + " within " + settings.timeout().toMillis() + " ms"
                    + (p.sent ? "" : ", it was still waiting to be sent") + connection));
        }
        if (resync != null) {
            lost(resync, new ModbusTimeoutException("RTU stream resynchronised after a timeout"));
        } else if (recycle != null) {
            lost(recycle, new ModbusTimeoutException(recycle.timeoutsInARow + " requests in a row got no answer within "
                    + settings.timeout().toMillis() + " ms: connection closed, a new one is opened"
                    + " (reconnectAfterTimeouts=" + settings.reconnectAfterTimeouts() + ")"));
        }
    }

    /**
     * The caller completed a request's stage itself (cancelled it, or gave up with {@code orTimeout}):
     * it leaves the queue, or frees its slot at once (an RTU stream is started afresh, since the
     * answer may still come).
     */
    private void abandoned(PendingRequest<?> p) {
        if (p.done) {
            return; // the usual case, without the lock: completed by this client
        }
        Session resync = null;
        synchronized (lock) {
            if (p.done) {
                return; // completed by this client: nothing to undo
            }
            p.done = true;
            deadlines.remove(p);
            failed.incrementAndGet();
            if (p.sent) {
                window.release(p);
                if (rtu) {
                    resync = session;
                }
            } else {
                window.dequeue(p);
            }
            if (resync == null && session != null && !session.receiving) {
                flushLocked();
            }
        }
        if (resync != null) {
            lost(resync, new ModbusConnectionException("RTU stream resynchronised after a request was cancelled"));
        }
    }

    // ---- receive ----------------------------------------------------------------------------

    private void onFrame(Session s, FrameResult.Frame frame) {
        PendingRequest<?> p;
        synchronized (lock) {
            if (s != session) {
                return;
            }
            p = window.match(frame.transactionId());
            if (p == null) {
                unmatched.incrementAndGet();
                if (!rtu) {
                    return; // a late answer to a request that timed out
                }
            } else {
                p.done = true;
                deadlines.remove(p);
                s.answered = true;
                s.timeoutsInARow = 0;
                backoff.reset();
                if (!s.receiving) {
                    flushLocked();
                }
            }
        }
        if (p == null) {
            lost(s, new ModbusProtocolException(who + ": RTU frame from unit " + frame.unitId()
                    + " arrived while no request was waiting"));
            return;
        }
        complete(p, frame);
    }

    private <T> void complete(PendingRequest<T> p, FrameResult.Frame frame) {
        String context = who + " unit " + p.unitId;
        if (frame.unitId() != p.unitId) {
            failed.incrementAndGet();
            p.future.completeExceptionally(new ModbusProtocolException(context + ": the response to "
                    + p.request.description() + " came from unit " + frame.unitId()));
            return;
        }
        T value;
        try {
            value = p.request.decode(frame.pdu(), context);
        } catch (ModbusExceptionResponse e) {
            completed.incrementAndGet();
            failed.incrementAndGet();
            p.future.completeExceptionally(e);
            return;
        } catch (ModbusException e) {
            failed.incrementAndGet();
            p.future.completeExceptionally(e);
            return;
        }
        completed.incrementAndGet();
        p.future.complete(value);
    }

    /** One connection attempt and, once open, its receive state. */
    private final class Session implements Link.Listener {
        Link link;
        boolean answered;
        /** Guarded by lock: sent requests in a row that timed out on this connection. */
        int timeoutsInARow;
        /** Guarded by lock: inside {@link #received}, sending waits for the end of the chunk. */
        boolean receiving;
        /** Guarded by lock: the current flush may put several ADUs in one write. */
        boolean coalesce;
        private final StreamDecoder decoder = new StreamDecoder(rtu ? StreamDecoder.Framing.RTU
                : StreamDecoder.Framing.MBAP);

        @Override
        public void received(Link l, ByteBuffer data) {
            if (l.datagram()) {
                FrameResult r = MbapCodec.decodeDatagram(data);
                if (r instanceof FrameResult.Frame f) {
                    onFrame(this, f);
                } else if (r instanceof FrameResult.Invalid inv) {
                    synchronized (lock) {
                        lastError = "dropped a malformed datagram: " + inv.reason();
                    }
                    unmatched.incrementAndGet();
                }
                return;
            }
            synchronized (lock) {
                // Answers in this chunk free slots and their callbacks may submit more: send what is
                // then ready with one write after the chunk.
                receiving = true;
            }
            try {
                decoder.feed(data, f -> onFrame(this, f));
            } catch (ModbusProtocolException e) {
                lost(this, new ModbusProtocolException(who + ": " + e.getMessage()));
            }
            synchronized (lock) {
                receiving = false;
                if (session == this) {
                    coalesce = true;
                    try {
                        flushLocked();
                    } finally {
                        coalesce = false;
                    }
                }
            }
        }

        @Override
        public void closed(Link l, Throwable cause) {
            lost(this, cause);
        }

        @Override
        public void writeFailed(Link l, Throwable cause) {
            try {
                timer.execute(() -> lost(this, cause));
            } catch (java.util.concurrent.RejectedExecutionException closedClient) {
                // the client is closed: its close() failed what was pending and closed the link
            }
        }
    }

    // ---- connection lifecycle ---------------------------------------------------------------------

    private void startConnectLocked() {
        state = ModbusClientStatus.State.CONNECTING;
        Session s = new Session();
        connecting = s;
        CompletionStage<Link> opened;
        try {
            opened = connector.connect(s);
        } catch (RuntimeException e) {
            opened = CompletableFuture.failedFuture(e);
        }
        opened.whenComplete((link, error) -> connected(s, link, error));
    }

    private void connected(Session s, Link link, Throwable error) {
        List<PendingRequest<?>> toFail = new ArrayList<>();
        String message = null;
        synchronized (lock) {
            if (connecting != s || state == ModbusClientStatus.State.CLOSED) {
                if (link != null) {
                    link.close();
                }
                return;
            }
            connecting = null;
            if (error != null) {
                message = "cannot connect: " + describe(error);
                backoffLocked(message, toFail);
                message = message + "; next attempt in " + backoff.millisToNextAttempt() + " ms";
            } else {
                s.link = link;
                session = s;
                state = ModbusClientStatus.State.CONNECTED;
                connects.incrementAndGet();
                flushLocked();
            }
        }
        String m = message;
        failAll(toFail, p -> new ModbusConnectionException(who + ": " + m, error));
    }

    /** The session's connection ended: fail what was in flight, reconnect (at once if it had worked). */
    private void lost(Session s, Throwable cause) {
        List<PendingRequest<?>> toFail = new ArrayList<>();
        String reason = describe(cause);
        synchronized (lock) {
            if (s != session) {
                return;
            }
            session = null;
            lastError = "connection lost: " + reason;
            takeInFlightLocked(toFail);
            if (state != ModbusClientStatus.State.CLOSED) {
                if (s.answered) {
                    startConnectLocked();
                } else {
                    // Closed before anything was answered: a device that drops us at once must not
                    // make us reconnect in a tight loop.
                    backoffLocked(lastError, toFail);
                }
            }
        }
        s.link.close();
        failAll(toFail, p -> new ModbusConnectionException(who + " unit " + p.unitId + ": " + p.request.description()
                + " was " + (p.sent ? "sent but the connection was lost before the answer" : "not sent") + " ("
                + reason + ")", cause));
    }

    private void backoffLocked(String error, List<PendingRequest<?>> toFail) {
        long delay = backoff.failed();
        lastError = error;
        state = ModbusClientStatus.State.BACKOFF;
        takeQueuedLocked(toFail);
        reconnectTask = timer.schedule(this::reconnect, delay, TimeUnit.NANOSECONDS);
    }

    private void reconnect() {
        synchronized (lock) {
            if (state == ModbusClientStatus.State.BACKOFF) {
                startConnectLocked();
            }
        }
    }

    private void takeInFlightLocked(List<PendingRequest<?>> out) {
        window.takeInFlight(out);
        for (PendingRequest<?> p : out) {
            p.done = true;
            deadlines.remove(p);
        }
    }

    private void takeQueuedLocked(List<PendingRequest<?>> out) {
        PendingRequest<?> p;
        while ((p = window.pollQueued()) != null) {
            p.done = true;
            deadlines.remove(p);
            out.add(p);
        }
    }

    private void failAll(List<PendingRequest<?>> list, java.util.function.Function<PendingRequest<?>, ModbusException> error) {
        for (PendingRequest<?> p : list) {
            failed.incrementAndGet();
            p.future.completeExceptionally(error.apply(p));
        }
    }

    private static String describe(Throwable e) {
        Throwable t = DeviceIdReader.unwrap(e);
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
