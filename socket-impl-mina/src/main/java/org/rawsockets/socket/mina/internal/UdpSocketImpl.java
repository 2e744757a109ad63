package org.rawsockets.socket.mina.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.DatagramSessionConfig;
import org.rawsockets.socket.MulticastController;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.ReadableStream;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketKind;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpOpenInfo;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.WritableStream;
import org.rawsockets.socket.mina.internal.policy.Access;
import org.rawsockets.socket.mina.internal.policy.AccessKind;
import org.rawsockets.socket.mina.internal.policy.AuditLog;

/**
 * A UDP socket: its life cycle (open, close, release), the receive queue and the send side's checks,
 * quota and completion. The mode does the rest: {@link UdpConnected} (a session of the engine's
 * shared {@code NioDatagramConnector}) or {@link UdpBound} (its own acceptor, whose channel also
 * carries the multicast memberships, {@link UdpMulticast}).
 */
final class UdpSocketImpl extends SocketBase implements UdpSocket {

    static final String SESSION_KEY = UdpSocketImpl.class.getName();

    final MinaSocketEngine engine;
    final UdpSocketOptions options;
    final String endpointName;
    private final int maxDatagram;
    final CompletableFuture<UdpOpenInfo> opened = new CompletableFuture<>();
    private final Rx rx = new Rx();
    private final Tx tx = new Tx();
    final UdpMulticast multicast = new UdpMulticast(this);
    private final AtomicLong dropped = new AtomicLong();
    /** The mode: exactly one of the two is set. */
    private final UdpConnected connected;
    final UdpBound bound;

    // guarded by this
    private boolean openFinished;
    private boolean closing;
    /** Why the owner's release closed it: later sends fail with it. Set once, under this. */
    private volatile SocketClosedException released;

    UdpSocketImpl(OwnedService owner, UdpSocketOptions options, String endpointName) {
        super(owner, options.isConnected() ? SocketKind.UDP_CONNECTED : SocketKind.UDP_BOUND,
                options.isConnected() ? AccessKind.UDP_CONNECTED : AccessKind.UDP_BIND,
                endpointName != null ? "endpoint:" + endpointName
                        : options.isConnected()
                                ? MinaSocketEngine.hostPort(options.remoteAddress().get(), options.remotePort())
                                : MinaSocketEngine.hostPort(options.localAddress().get(), options.localPort()));
        this.engine = owner.engine;
        this.options = options;
        this.endpointName = endpointName;
        this.maxDatagram = engine.config().maxDatagramSize();
        this.connected = options.isConnected() ? new UdpConnected(this) : null;
        this.bound = options.isConnected() ? null : new UdpBound(this);
    }

    void start() {
        if (!admit(true)) {
            return;
        }
        try {
            engine.blocking(owner).execute(openStep(options.isConnected() ? connected::open : bound::open,
                    "opening UDP " + destination));
        } catch (RejectedExecutionException e) {
            failOpen(new NetworkException(NetworkException.Reason.UNAVAILABLE, "cannot open UDP " + destination
                    + ": the socket service is stopping", e));
        }
    }

    synchronized boolean openFinished() {
        return openFinished;
    }

    /** The open ends now (successfully or not): true the first time. */
    synchronized boolean finishOpen() {
        boolean first = !openFinished;
        openFinished = true;
        return first;
    }

    /** The connected mode's session, once connected; null in bound mode. */
    private IoSession session() {
        return connected == null ? null : connected.session;
    }

    void configure(DatagramSessionConfig c) {
        c.setReadBufferSize(maxDatagram + 1);
        c.setMinReadBufferSize(maxDatagram + 1);
        c.setMaxReadBufferSize(maxDatagram + 1);
        c.setCloseOnPortUnreachable(false);
        options.sendBufferSize().ifPresent(c::setSendBufferSize);
        options.receiveBufferSize().ifPresent(c::setReceiveBufferSize);
    }

    /** Checks the policy for the open; refused: audited, and the open fails. */
    boolean check(AccessKind kind, String host, InetSocketAddress a) {
        try {
            engine.policy().check(owner.owner(), new Access(kind, host, endpointName, a));
            return true;
        } catch (NotAllowedException e) {
            audit(AuditLog.Outcome.REFUSED, e.getMessage());
            failOpen(e);
            return false;
        }
    }

    @Override
    void failOpen(Throwable error) {
        if (!finishOpen()) {
            return;
        }
        opened.completeExceptionally(error);
        rx.fail(error);
        IoSession s = session();
        if (s != null) {
            s.closeNow(); // may run on an I/O thread: no waiting for it
        }
        if (bound != null) {
            bound.dispose();
        }
        markFinished(error instanceof SocketClosedException ? null : error, false);
    }

    // ------------------------------------------------------------------ receive

    void onMessage(IoSession s, IoBuffer buf) {
        int n = buf.remaining();
        if (n > maxDatagram) {
            dropped.incrementAndGet();
            return;
        }
        // cheapest drop first; the per-source policy decision allocates nothing and builds no
        // explanation (this runs on the I/O thread for every datagram a peer sends)
        if (rx.size() >= engine.config().udpReceiveQueue()) {
            dropped.incrementAndGet();
            return;
        }
        InetSocketAddress src = (InetSocketAddress) s.getRemoteAddress();
        if (!options.isConnected() && !engine.policy().allowsDatagramFrom(owner.owner(), src, endpointName)) {
            dropped.incrementAndGet();
            return;
        }
        if (!owner.fitsBuffer(n)) {
            dropped.incrementAndGet(); // the owner's maxBufferedBytes quota is used up by unread data
            return;
        }
        byte[] data = new byte[n];
        buf.get(data);
        countIn(n);
        UdpMessage m = options.isConnected() ? UdpMessage.of(ByteBuffer.wrap(data).asReadOnlyBuffer())
                : new UdpMessage(ByteBuffer.wrap(data).asReadOnlyBuffer(), src.getAddress().getHostAddress(),
                        src.getPort(), null);
        if (!rx.push(m)) {
            dropped.incrementAndGet();
        }
    }

    @Override
    public long droppedDatagrams() {
        return dropped.get();
    }

    // ------------------------------------------------------------------ close

    @Override
    public CompletionStage<UdpOpenInfo> opened() {
        return opened.minimalCompletionStage();
    }

    @Override
    public ReadableStream<UdpMessage> readable() {
        return rx;
    }

    @Override
    public WritableStream<UdpMessage> writable() {
        return tx;
    }

    @Override
    public MulticastController multicast() {
        return multicast;
    }

    @Override
    public CompletionStage<Void> closed() {
        return closed.minimalCompletionStage();
    }

    @Override
    public CompletionStage<Void> close() {
        return closeSocket().minimalCompletionStage();
    }

    @Override
    CompletableFuture<Void> closeSocket() {
        if (!openFinished()) {
            failOpen(new SocketClosedException("the UDP socket " + destination + " was closed before it opened"));
            return closed;
        }
        synchronized (this) {
            if (closing) {
                return closed;
            }
            closing = true;
        }
        rx.cancelInternal();
        if (options.isConnected()) {
            finishClose(); // a connected socket's close does not block
            return closed;
        }
        try {
            engine.blocking(owner).execute(this::finishClose);
        } catch (RejectedExecutionException e) {
            finishClose();
        }
        return closed;
    }

    /** Closes the MINA resources; waits only for the bound socket's own acceptor thread. */
    private void finishClose() {
        IoSession s = session();
        if (s != null) {
            s.closeNow().addListener(f -> markFinished(null, true));
            return;
        }
        if (bound != null) {
            bound.dispose();
        }
        markFinished(null, true);
    }

    @Override
    void release(SocketClosedException reason) {
        if (!openFinished()) {
            failOpen(reason);
            return;
        }
        synchronized (this) {
            if (released == null) {
                released = reason;
            }
        }
        rx.fail(reason);
        closeSocket();
    }

    /** Why a send fails now that the socket is closing or closed. */
    private SocketClosedException closedError(Throwable cause) {
        return released != null ? released
                : new SocketClosedException("the UDP socket " + destination + " is closed", cause);
    }

    /** Releases the MINA resources now (engine stop: waits up to 5 s for the session to close). */
    void disposeNow() {
        IoSession s = session();
        if (s != null) {
            s.closeNow().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (bound != null) {
            bound.dispose();
        }
    }

    @Override
    long bufferedBytes() {
        return tx.queued.get() + rx.weight();
    }

    @Override
    public SocketInfo info() {
        return super.info();
    }

    // ------------------------------------------------------------------ send

    private final class Tx implements WritableStream<UdpMessage> {
        private final AtomicLong queued = new AtomicLong();

        @Override
        public CompletionStage<Void> write(UdpMessage m) {
            Objects.requireNonNull(m, "message");
            int n = m.data().remaining();
            if (n > maxDatagram) {
                throw new IllegalArgumentException("datagram of " + n + " bytes exceeds maxDatagramSize (" + maxDatagram
                        + " bytes) of the socket service");
            }
            if (options.isConnected() && m.remoteAddress() != null) {
                throw new IllegalArgumentException("a connected UDP socket sends to its peer only: use UdpMessage.of(data)"
                        + " without remoteAddress/remotePort");
            }
            if (!options.isConnected() && m.remoteAddress() == null) {
                throw new IllegalArgumentException("a bound UDP socket needs a destination in every message:"
                        + " UdpMessage.to(host, port, data)");
            }
            synchronized (UdpSocketImpl.this) {
                if (closing || isFinished()) {
                    return CompletableFuture.failedFuture(closedError(null));
                }
            }
            // queued datagrams count against the bundle's buffered-bytes quota until sent or failed, as
            // TCP writes do: a caller that never waits for its writes cannot grow the queue without bound
            if (!owner.reserveBuffer(n)) {
                return CompletableFuture.failedFuture(new NotAllowedException("bundle " + owner.owner()
                        + " exceeds its quota maxBufferedBytes (" + owner.quotas().maxBufferedBytes()
                        + " bytes buffered for its sockets) sending a datagram of " + n + " bytes on " + destination
                        + "; wait for earlier writes to complete or ask the operator to raise the quota"));
            }
            return opened.thenCompose(info -> connected != null ? submit(connected.session, m.data(), n)
                    : bound.send(m, n)).whenComplete((v, e) -> owner.buffered.addAndGet(-n));
        }

        CompletionStage<Void> submit(IoSession s, ByteBuffer data, int n) {
            if (s instanceof org.apache.mina.transport.socket.nio.NioSession ns
                    && ns.getChannel() instanceof DatagramChannel ch && ch.isConnected()) {
                CompletionStage<Void> inPlace = sendInPlace(ch, null, data, n);
                if (inPlace != null) {
                    return inPlace;
                }
            }
            return submitToMina(s, data, n);
        }

        CompletionStage<Void> submitToMina(IoSession s, ByteBuffer data, int n) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            queued.addAndGet(n);
            WriteFuture wf = s.write(IoBuffer.wrap(data));
            wf.addListener(x -> {
                queued.addAndGet(-n);
                WriteFuture w = (WriteFuture) x;
                if (w.isWritten()) {
                    countOut(n);
                    f.complete(null);
                } else {
                    Throwable c = w.getException();
                    f.completeExceptionally(isFinished() || closing ? closedError(c)
                            : NetworkReasons.of("sending a datagram on " + destination + " failed: "
                                    + (c == null ? "not sent" : c.getMessage()), c));
                }
            });
            return f;
        }

        /**
         * Sends a datagram on the caller's thread when none of this socket's is waiting in MINA (so
         * one writer's datagrams keep their order): a non-blocking send takes the whole datagram or
         * nothing, and saves the hand-over to the I/O thread and its wake-up, which a
         * request-response protocol (CoAP) pays per request and a bound socket sending a stream of
         * datagrams per datagram. {@code to} is null on a connected channel, the destination on a
         * bound socket's unconnected one. An error (e.g. a port unreachable reported for an earlier
         * datagram) fails this write as MINA's send would have; nothing sent (no buffer space) or a
         * channel closed meanwhile: {@code null}, the datagram goes to MINA.
         */
        CompletionStage<Void> sendInPlace(DatagramChannel ch, InetSocketAddress to, ByteBuffer data, int n) {
            if (queued.get() != 0 || !owner.engine.writeInPlace()) {
                return null;
            }
            int position = data.position();
            try {
                if ((to == null ? ch.write(data) : ch.send(data, to)) == n) {
                    countOut(n);
                    return CompletableFuture.completedFuture(null);
                }
            } catch (java.nio.channels.ClosedChannelException e) {
                // closed meanwhile: MINA fails the write as it did before
            } catch (java.io.IOException e) {
                return CompletableFuture.failedFuture(NetworkReasons.of("sending a datagram on " + destination
                        + " failed: " + e.getMessage(), e));
            }
            data.position(position);
            return null;
        }

        @Override
        public CompletionStage<Void> close() {
            return closeSocket().minimalCompletionStage();
        }

        @Override
        public CompletionStage<Void> abort(Throwable reason) {
            return closeSocket().minimalCompletionStage();
        }

        @Override
        public long queuedBytes() {
            return queued.get();
        }
    }

    /**
     * Received datagrams not yet read: bounded by {@code udpReceiveQueue} (count) and, with the
     * owner's other buffers, by its {@code maxBufferedBytes} quota (bytes, weighed here).
     */
    private final class Rx extends Source<UdpMessage> {
        @Override
        protected long weigh(UdpMessage element) {
            return element.data().capacity(); // made by onMessage exactly the datagram's size
        }

        @Override
        protected void afterPush(long newWeight, long delta) {
            owner.buffered.addAndGet(delta);
        }

        @Override
        protected void afterTake(long newWeight, long delta) {
            owner.buffered.addAndGet(-delta);
        }

        @Override
        protected String describe() {
            return "the readable side of the UDP socket " + destination;
        }
    }

    /** Sends {@code data} on {@code s} (either mode), counted as queued until MINA wrote it. */
    CompletionStage<Void> submit(IoSession s, ByteBuffer data, int n) {
        return tx.submit(s, data, n);
    }

    /**
     * Sends {@code data} to {@code to} on a bound socket's channel on the caller's thread when none of
     * this socket's datagrams waits in MINA; {@code null} when it must go through MINA after all.
     */
    CompletionStage<Void> sendInPlace(DatagramChannel ch, InetSocketAddress to, ByteBuffer data, int n) {
        return tx.sendInPlace(ch, to, data, n);
    }

    /** Peer sessions a bound socket has created (MINA makes one per peer address it talks with). */
    long peerSessionsCreated() {
        return bound == null ? 0 : bound.peerSessionsCreated();
    }

    /** The peer addresses a bound socket has a session with now. */
    List<SocketAddress> peerSessions() {
        return bound == null ? List.of() : bound.peerSessions();
    }

    /** UDP session events: connected sessions carry their socket as an attribute; bound ones are fixed. */
    static final class Handler extends IoHandlerAdapter {
        private final UdpSocketImpl fixed;

        Handler() {
            this(null);
        }

        Handler(UdpSocketImpl fixed) {
            this.fixed = fixed;
        }

        private UdpSocketImpl socket(IoSession s) {
            return fixed != null ? fixed : (UdpSocketImpl) s.getAttribute(SESSION_KEY);
        }

        @Override
        public void messageReceived(IoSession session, Object message) {
            UdpSocketImpl u = socket(session);
            if (u != null && message instanceof IoBuffer b) {
                u.onMessage(session, b);
            }
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            // UDP errors (e.g. ICMP unreachable) do not end the socket
        }

        @Override
        public void sessionClosed(IoSession session) {
            UdpSocketImpl u = socket(session);
            if (u != null && fixed == null) {
                u.rx.end();
                if (!u.isFinished() && u.openFinished()) {
                    u.markFinished(null, true);
                }
            }
        }

        @Override
        public void inputClosed(IoSession session) {
            // not for UDP
        }
    }
}
