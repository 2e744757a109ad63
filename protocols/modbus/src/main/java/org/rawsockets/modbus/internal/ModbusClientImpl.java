package org.rawsockets.modbus.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.rawsockets.modbus.Bits;
import org.rawsockets.modbus.DeviceIdCategory;
import org.rawsockets.modbus.DeviceIdentification;
import org.rawsockets.modbus.FunctionCode;
import org.rawsockets.modbus.ModbusClient;
import org.rawsockets.modbus.ModbusClientStatus;
import org.rawsockets.modbus.ModbusConnectionException;
import org.rawsockets.modbus.ModbusException;
import org.rawsockets.modbus.ModbusExceptionResponse;
import org.rawsockets.modbus.ModbusProtocolException;
import org.rawsockets.modbus.ModbusTimeoutException;
import org.rawsockets.modbus.ModbusTransport;
import org.rawsockets.modbus.Registers;
import org.rawsockets.modbus.internal.codec.FrameResult;
import org.rawsockets.modbus.internal.codec.MbapCodec;
import org.rawsockets.modbus.internal.codec.Pdus;
import org.rawsockets.modbus.internal.codec.Request;
import org.rawsockets.modbus.internal.codec.RtuCodec;
import org.rawsockets.modbus.internal.codec.StreamDecoder;
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
 * <p>Locking: all connection and request state is guarded by {@code lock}; futures are completed
 * outside it. The receive path (framing into a per-connection bounded buffer) runs on the link's
 * read loop, which never overlaps itself.
 */
public final class ModbusClientImpl implements ModbusClient, AutoCloseable {

    /** Round trips of one 43/14 "more follows" sequence, at most. */
    static final int MAX_DEVICE_ID_ROUNDS = 64;

    private final ClientSettings settings;
    private final Link.Connector connector;
    private final boolean rtu;
    private final ScheduledThreadPoolExecutor timer;
    private final String who;

    private final Object lock = new Object();
    // ---- guarded by lock ----
    private ModbusClientStatus.State state = ModbusClientStatus.State.IDLE;
    private Session session; // the connected session
    private Session connecting; // the session being opened
    private final ArrayDeque<Pending<?>> queue = new ArrayDeque<>();
    private final Pending<?>[] byTransaction;
    private Pending<?> rtuInFlight;
    private int inFlight;
    private int nextTransaction;
    private int failedAttempts;
    private long nextAttemptAt;
    private String lastError;
    private ScheduledFuture<?> reconnectTask;
    private Pending<?> head; // deadline list: queued and in-flight requests, oldest first
    private Pending<?> tail;
    private ScheduledFuture<?> sweepTask;
    // ---- counters ----
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong unmatched = new AtomicLong();

    /** A client on the socket service; connects at once. */
    public ModbusClientImpl(ClientSettings settings, SocketService sockets) {
        this(settings, new SocketConnector(sockets, settings));
    }

    ModbusClientImpl(ClientSettings settings, Link.Connector connector) {
        this.settings = settings;
        this.connector = connector;
        this.rtu = settings.transport() == ModbusTransport.RTU_OVER_TCP;
        this.byTransaction = rtu ? null : new Pending<?>[65536];
        this.who = "modbus device '" + settings.name() + "' (" + connector.target() + ")";
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "modbus-" + settings.name() + "-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        synchronized (lock) {
            startConnectLocked();
        }
    }

    /** One request from submit to completion. */
    private static final class Pending<T> {
        final Request<T> request;
        final int unitId;
        final CompletableFuture<T> future = new CompletableFuture<>();
        long deadline;
        Pending<?> prev; // deadline list (guarded by lock)
        Pending<?> next;
        int transaction = -1;
        boolean sent;
        /** Written under lock before the client completes the future; read without it by {@link #abandoned}. */
        volatile boolean done;

        Pending(Request<T> request, int unitId) {
            this.request = request;
            this.unitId = unitId;
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
    public CompletionStage<Bits> readCoils(int unitId, int address, int quantity) {
        return submit(unitId, Pdus.readBits(FunctionCode.READ_COILS, address, quantity));
    }

    @Override
    public CompletionStage<Bits> readDiscreteInputs(int unitId, int address, int quantity) {
        return submit(unitId, Pdus.readBits(FunctionCode.READ_DISCRETE_INPUTS, address, quantity));
    }

    @Override
    public CompletionStage<Registers> readHoldingRegisters(int unitId, int address, int quantity) {
        return submit(unitId, Pdus.readRegisters(FunctionCode.READ_HOLDING_REGISTERS, address, quantity));
    }

    @Override
    public CompletionStage<Registers> readInputRegisters(int unitId, int address, int quantity) {
        return submit(unitId, Pdus.readRegisters(FunctionCode.READ_INPUT_REGISTERS, address, quantity));
    }

    @Override
    public CompletionStage<Void> writeSingleCoil(int unitId, int address, boolean value) {
        return submit(unitId, Pdus.writeSingleCoil(address, value));
    }

    @Override
    public CompletionStage<Void> writeSingleRegister(int unitId, int address, int value) {
        return submit(unitId, Pdus.writeSingleRegister(address, value));
    }

    @Override
    public CompletionStage<Void> writeMultipleCoils(int unitId, int address, Bits values) {
        return submit(unitId, Pdus.writeMultipleCoils(address, values));
    }

    @Override
    public CompletionStage<Void> writeMultipleRegisters(int unitId, int address, Registers values) {
        return submit(unitId, Pdus.writeMultipleRegisters(address, values));
    }

    @Override
    public CompletionStage<Void> maskWriteRegister(int unitId, int address, int andMask, int orMask) {
        return submit(unitId, Pdus.maskWriteRegister(address, andMask, orMask));
    }

    @Override
    public CompletionStage<Registers> readWriteMultipleRegisters(int unitId, int readAddress, int readQuantity,
            int writeAddress, Registers values) {
        return submit(unitId, Pdus.readWriteMultipleRegisters(readAddress, readQuantity, writeAddress, values));
    }

    @Override
    public CompletionStage<DeviceIdentification> readDeviceIdentification(int unitId, DeviceIdCategory category) {
        checkUnit(unitId);
        CompletableFuture<DeviceIdentification> result = new CompletableFuture<>();
        deviceIdRound(unitId, category, 0, 0, new LinkedHashMap<>(), result);
        return result;
    }

    private void deviceIdRound(int unitId, DeviceIdCategory category, int objectId, int round,
            Map<Integer, byte[]> objects, CompletableFuture<DeviceIdentification> result) {
        submit(unitId, Pdus.readDeviceIdentification(category, objectId)).whenComplete((page, e) -> {
            if (e != null) {
                result.completeExceptionally(unwrap(e));
                return;
            }
            for (Map.Entry<Integer, byte[]> o : page.objects().entrySet()) {
                if (objects.size() < 256) {
                    objects.put(o.getKey(), o.getValue());
                }
            }
            int lastOfCategory = switch (category) {
                case BASIC -> 0x02;
                case REGULAR -> 0x7F;
                case EXTENDED -> 0xFF;
            };
            if (!page.moreFollows() || page.nextObjectId() > lastOfCategory) {
                // Some devices (npm modbus-serial among them) announce objects beyond the requested
                // category; what belongs to the category has arrived, so stop there.
                result.complete(new DeviceIdentification(page.conformityLevel(), objects));
            } else if (round + 1 >= MAX_DEVICE_ID_ROUNDS || page.nextObjectId() <= objectId) {
                result.completeExceptionally(new ModbusProtocolException(who + " unit " + unitId
                        + ": Read Device Identification does not progress (next object id " + page.nextObjectId()
                        + " after " + objectId + ", round " + (round + 1) + ")"));
            } else {
                deviceIdRound(unitId, category, page.nextObjectId(), round + 1, objects, result);
            }
        });
    }

    @Override
    public CompletionStage<byte[]> sendRaw(int unitId, byte[] pdu) {
        Request<byte[]> request = Pdus.raw(pdu);
        if (rtu && !RtuCodec.canFrame(request.functionCode())) {
            throw new IllegalArgumentException(who + ": " + FunctionCode.describe(request.functionCode())
                    + " cannot be used over RTU: RTU frames have no length, and this client only knows the"
                    + " response length of functions 1-6, 15, 16, 22, 23, 43");
        }
        return submit(unitId, request);
    }

    @Override
    public ModbusClientStatus status() {
        synchronized (lock) {
            return new ModbusClientStatus(settings.name(), connector.target(), settings.transport(), state, inFlight,
                    queue.size(), completed.get(), failed.get(), timeouts.get(), connects.get(), unmatched.get(),
                    lastError);
        }
    }

    /** Closes the connection and fails everything pending; idempotent. */
    @Override
    public void close() {
        List<Pending<?>> toFail = new ArrayList<>();
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

    private void checkUnit(int unitId) {
        int min = rtu ? 1 : 0;
        int max = rtu ? 247 : 255;
        if (unitId < min || unitId > max) {
            throw new IllegalArgumentException(who + ": unit id must be " + min + ".." + max + " for "
                    + settings.transport() + ", was " + unitId);
        }
    }

    private <T> CompletionStage<T> submit(int unitId, Request<T> request) {
        checkUnit(unitId);
        Pending<T> p = new Pending<>(request, unitId);
        ModbusException reject = null;
        synchronized (lock) {
            switch (state) {
                case CLOSED -> reject = new ModbusConnectionException(who + ": the client is closed");
                case BACKOFF -> reject = new ModbusConnectionException(who + ": not connected (" + lastError
                        + "); next attempt in " + Math.max(0, (nextAttemptAt - System.nanoTime()) / 1_000_000)
                        + " ms");
                default -> {
                    // queued requests beyond the free in-flight slots are bounded by maxQueued, also
                    // while connecting (nothing in flight then) and while answers are being handled
                    if (queue.size() >= settings.maxQueued() + Math.max(0, settings.maxInFlight() - inFlight)) {
                        reject = new ModbusConnectionException(who + ": " + inFlight + " requests in flight and "
                                + queue.size() + " queued (maxQueued); try again later or raise maxQueued");
                    } else {
                        queue.add(p);
                        armLocked(p);
                        p.future.whenComplete((v, e) -> abandoned(p)); // no-op unless the caller completed it
                        if (state == ModbusClientStatus.State.CONNECTED && !session.receiving) {
                            flushLocked();
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
        if (s == null || queue.isEmpty() || inFlight >= settings.maxInFlight()) {
            return;
        }
        if (rtu) {
            Pending<?> p = queue.poll();
            p.sent = true;
            rtuInFlight = p;
            inFlight++;
            s.link.send(ByteBuffer.wrap(RtuCodec.encode(p.unitId, p.request.pdu())));
            return;
        }
        int n = Math.min(queue.size(), settings.maxInFlight() - inFlight);
        if (s.link.datagram() || !s.coalesce || n == 1) {
            for (int i = 0; i < n; i++) {
                Pending<?> p = assignLocked(queue.poll());
                s.link.send(ByteBuffer.wrap(MbapCodec.encode(p.transaction, p.unitId, p.request.pdu())));
            }
            return;
        }
        // Several answers arrived together and freed several slots: send their successors together.
        // Batches are only ever passed on, never made: a request from a caller goes out on its own
        // (many devices parse one ADU per segment, and digitalpetri's server measured slower when
        // pipelined frames shared a segment).
        Pending<?>[] batch = new Pending<?>[n];
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            batch[i] = assignLocked(queue.poll());
            bytes += MbapCodec.HEADER + batch[i].request.pdu().length;
        }
        ByteBuffer out = ByteBuffer.allocate(bytes);
        for (Pending<?> p : batch) {
            MbapCodec.encode(p.transaction, p.unitId, p.request.pdu(), out);
        }
        out.flip();
        s.link.send(out);
    }

    private Pending<?> assignLocked(Pending<?> p) {
        int tx = nextTransaction;
        while (byTransaction[tx] != null) {
            tx = (tx + 1) & 0xFFFF;
        }
        nextTransaction = (tx + 1) & 0xFFFF;
        byTransaction[tx] = p;
        p.transaction = tx;
        p.sent = true;
        inFlight++;
        return p;
    }

    /*
     * Timeouts without a timer per request: the timeout is the same for every request, so deadlines
     * grow in submission order. Pending requests form a doubly linked list in that order (O(1) to
     * add and to remove when answered); one scheduled sweep fires at the head's deadline, fails what
     * has expired and re-arms for the new head. Answered requests leave the list at once, so the list
     * holds exactly the queued and in-flight requests (bounded by maxQueued + maxInFlight).
     */

    private void armLocked(Pending<?> p) {
        p.deadline = System.nanoTime() + settings.timeout().toNanos();
        p.prev = tail;
        if (tail == null) {
            head = p;
        } else {
            tail.next = p;
        }
        tail = p;
        if (sweepTask == null) {
            sweepTask = timer.schedule(this::sweep, p.deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
    }

    private void unlinkLocked(Pending<?> p) {
        if (p.prev == null && head != p) {
            return; // not linked
        }
        if (p.prev == null) {
            head = p.next;
        } else {
            p.prev.next = p.next;
        }
        if (p.next == null) {
            tail = p.prev;
        } else {
            p.next.prev = p.prev;
        }
        p.prev = null;
        p.next = null;
    }

    private void sweep() {
        List<Pending<?>> expired = new ArrayList<>();
        Session resync = null;
        Session recycle = null;
        String connection;
        synchronized (lock) {
            sweepTask = null;
            long now = System.nanoTime();
            while (head != null && head.deadline - now <= 0) {
                Pending<?> p = head;
                unlinkLocked(p);
                p.done = true;
                expired.add(p);
                if (p.sent) {
                    inFlight--;
                    if (rtu) {
                        // A late RTU answer would be taken for the next request's: start a clean stream.
                        rtuInFlight = null;
                        resync = session;
                    } else {
                        byTransaction[p.transaction] = null;
                        // Sent requests still in flight belong to the current connection (a lost one
                        // failed its own): count its unanswered ones in a row.
                        if (session != null && !session.link.datagram()) {
                            session.timeoutsInARow++;
                        }
                    }
                } else {
                    queue.remove(p);
                }
            }
            int limit = settings.reconnectAfterTimeouts();
            if (resync == null && limit > 0 && session != null && session.timeoutsInARow >= limit) {
                recycle = session;
            }
            if (head != null && state != ModbusClientStatus.State.CLOSED) {
                sweepTask = timer.schedule(this::sweep, head.deadline - now, TimeUnit.NANOSECONDS);
            }
            connection = state == ModbusClientStatus.State.CONNECTED ? ""
                    : " (" + state.name().toLowerCase() + (lastError == null ? "" : ": " + lastError) + ")";
            if (resync == null) {
                flushLocked();
            }
        }
        for (Pending<?> p : expired) {
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
    private void abandoned(Pending<?> p) {
        if (p.done) {
            return; // the usual case, without the lock: completed by this client
        }
        Session resync = null;
        synchronized (lock) {
            if (p.done) {
                return; // completed by this client: nothing to undo
            }
            p.done = true;
            unlinkLocked(p);
            failed.incrementAndGet();
            if (p.sent) {
                inFlight--;
                if (rtu) {
                    rtuInFlight = null;
                    resync = session;
                } else {
                    byTransaction[p.transaction] = null;
                }
            } else {
                queue.remove(p);
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
        Pending<?> p;
        synchronized (lock) {
            if (s != session) {
                return;
            }
            if (rtu) {
                p = rtuInFlight;
                rtuInFlight = null;
            } else {
                p = byTransaction[frame.transactionId()];
                byTransaction[frame.transactionId()] = null;
            }
            if (p == null) {
                unmatched.incrementAndGet();
                if (!rtu) {
                    return; // a late answer to a request that timed out
                }
            } else {
                inFlight--;
                p.done = true;
                unlinkLocked(p);
                s.answered = true;
                s.timeoutsInARow = 0;
                failedAttempts = 0;
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

    private <T> void complete(Pending<T> p, FrameResult.Frame frame) {
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
        List<Pending<?>> toFail = new ArrayList<>();
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
                message = message + "; next attempt in " + (nextAttemptAt - System.nanoTime()) / 1_000_000 + " ms";
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
        List<Pending<?>> toFail = new ArrayList<>();
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

    private void backoffLocked(String error, List<Pending<?>> toFail) {
        failedAttempts++;
        lastError = error;
        state = ModbusClientStatus.State.BACKOFF;
        long min = settings.reconnectMin().toNanos();
        long max = settings.reconnectMax().toNanos();
        int shift = Math.min(failedAttempts - 1, 30);
        long base = min > (max >> shift) ? max : Math.min(max, min << shift);
        long delay = Math.max(1_000_000L, (long) (base * ThreadLocalRandom.current().nextDouble(0.8, 1.2)));
        nextAttemptAt = System.nanoTime() + delay;
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

    private void takeInFlightLocked(List<Pending<?>> out) {
        if (rtu) {
            if (rtuInFlight != null) {
                out.add(rtuInFlight);
                rtuInFlight = null;
            }
        } else if (inFlight > 0) {
            for (int i = 0; i < byTransaction.length; i++) {
                if (byTransaction[i] != null) {
                    out.add(byTransaction[i]);
                    byTransaction[i] = null;
                }
            }
        }
        inFlight = 0;
        for (Pending<?> p : out) {
            p.done = true;
            unlinkLocked(p);
        }
    }

    private void takeQueuedLocked(List<Pending<?>> out) {
        Pending<?> p;
        while ((p = queue.poll()) != null) {
            p.done = true;
            unlinkLocked(p);
            out.add(p);
        }
    }

    private void failAll(List<Pending<?>> list, java.util.function.Function<Pending<?>, ModbusException> error) {
        for (Pending<?> p : list) {
            failed.incrementAndGet();
            p.future.completeExceptionally(error.apply(p));
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static String describe(Throwable e) {
        Throwable t = unwrap(e);
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
