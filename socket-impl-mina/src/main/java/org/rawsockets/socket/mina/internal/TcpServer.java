package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.mina.core.service.IoProcessor;
import org.apache.mina.transport.socket.nio.NioSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.ReadableStream;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketKind;
import org.rawsockets.socket.TcpServerOpenInfo;
import org.rawsockets.socket.TcpServerSocket;
import org.rawsockets.socket.TcpServerSocketOptions;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.mina.internal.policy.Access;
import org.rawsockets.socket.mina.internal.policy.AccessKind;
import org.rawsockets.socket.mina.internal.policy.AuditLog;

/**
 * A listening socket: one MINA {@link NioSocketAcceptor} (its own accept thread, the engine's shared
 * I/O processors). Accepted connections wait in a bounded queue; while it is full the accept thread
 * does not accept, so further clients wait in the kernel's backlog.
 */
final class TcpServer extends SocketBase implements TcpServerSocket {

    private final MinaSocketEngine engine;
    private final TcpServerSocketOptions options;
    private final CompletableFuture<TcpServerOpenInfo> opened = new CompletableFuture<>();
    private final Semaphore permits;
    private final AcceptQueue queue = new AcceptQueue();
    private volatile PausingAcceptor acceptor;
    private volatile boolean stopping;
    private boolean openFinished;

    TcpServer(OwnedService owner, TcpServerSocketOptions options) {
        super(owner, SocketKind.TCP_LISTEN, AccessKind.TCP_LISTEN,
                MinaSocketEngine.hostPort(options.localAddress(), options.localPort()));
        this.engine = owner.engine;
        this.options = options;
        this.permits = new Semaphore(engine.config().acceptQueue());
    }

    void start() {
        if (!admit(true)) {
            return;
        }
        try {
            engine.blocking(owner).execute(openStep(this::bind, "listening on " + destination));
        } catch (RejectedExecutionException e) {
            failOpen(new NetworkException(NetworkException.Reason.UNAVAILABLE, "cannot listen on " + destination
                    + ": the socket service is stopping", e));
        }
    }

    private void bind() {
        InetSocketAddress a;
        try {
            a = new InetSocketAddress(InetAddress.getByName(options.localAddress()), options.localPort());
        } catch (UnknownHostException e) {
            failOpen(new NetworkException(NetworkException.Reason.LOCAL_ADDRESS, "cannot listen on " + destination
                    + ": unknown local address", e));
            return;
        }
        auditAddress = a;
        try {
            engine.policy().check(owner.owner(), new Access(AccessKind.TCP_LISTEN, options.localAddress(), null, a));
        } catch (NotAllowedException e) {
            audit(AuditLog.Outcome.REFUSED, e.getMessage());
            failOpen(e);
            return;
        }
        PausingAcceptor acc = new PausingAcceptor();
        acc.setHandler(engine.tcpHandler());
        acc.setBacklog(options.backlog());
        acc.setReuseAddress(true);
        acc.setCloseOnDeactivation(false);
        synchronized (this) {
            if (openFinished) {
                acc.dispose();
                return;
            }
            acceptor = acc;
        }
        try {
            acc.bind(a);
        } catch (IOException | RuntimeException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            failOpen(NetworkReasons.of("cannot listen on " + destination + ": " + c.getMessage(), c));
            return;
        }
        localAddress = acc.getLocalAddress();
        synchronized (this) {
            if (openFinished) {
                return;
            }
            openFinished = true;
        }
        markOpen();
        opened.complete(new TcpServerOpenInfo(localAddress));
    }

    @Override
    void failOpen(Throwable error) {
        synchronized (this) {
            if (openFinished) {
                return;
            }
            openFinished = true;
        }
        opened.completeExceptionally(error);
        queue.fail(error);
        disposeAcceptor();
        markFinished(error instanceof SocketClosedException ? null : error, false);
    }

    /** MINA initialised an accepted session: its connection, not yet registered (I/O thread). */
    private TcpConnection newAccepted(org.apache.mina.core.session.IoSession s) {
        InetSocketAddress remote = (InetSocketAddress) s.getRemoteAddress();
        String ip = remote.getAddress().getHostAddress();
        TcpConnection c = new TcpConnection(owner, SocketKind.TCP_ACCEPTED,
                "from " + MinaSocketEngine.hostPort(ip, remote.getPort()), ip, remote.getPort(), null,
                options.acceptedOptions(), TlsOptions.off(), null);
        c.server = this;
        return c;
    }

    /**
     * MINA opened an accepted session (I/O thread): only now is its connection registered with the
     * owner (quota checked). A session MINA could not initialise was never registered, so it cannot
     * stay behind; refused by the quota: closed, its accept slot freed.
     */
    boolean admitAccepted(TcpConnection c, org.apache.mina.core.session.IoSession s) {
        if (c.admit(false)) {
            return true;
        }
        s.removeAttribute(TcpConnection.SESSION_KEY);
        s.closeNow();
        permits.release();
        return false;
    }

    /** An accepted connection is open (I/O thread). */
    void accepted(TcpConnection c) {
        if (!queue.push(c.facade())) {
            c.closeSocket();
        }
    }

    @Override
    public CompletionStage<TcpServerOpenInfo> opened() {
        return opened.minimalCompletionStage();
    }

    @Override
    public ReadableStream<TcpSocket> readable() {
        return queue;
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
        boolean pending;
        synchronized (this) {
            pending = !openFinished;
        }
        if (pending) {
            failOpen(new SocketClosedException("the server socket on " + destination + " was closed before it opened"));
            return closed;
        }
        stopping = true;
        try {
            engine.blocking(owner).execute(this::disposeNow);
        } catch (RejectedExecutionException e) {
            disposeNow();
        }
        return closed;
    }

    @Override
    void release(SocketClosedException reason) {
        boolean pending;
        synchronized (this) {
            pending = !openFinished;
        }
        if (pending) {
            failOpen(reason);
        } else {
            closeSocket();
        }
    }

    /** Stops listening now (blocks until the accept thread ended). */
    void disposeNow() {
        stopping = true;
        disposeAcceptor();
        List<TcpSocket> waiting = queue.cancelInternal();
        for (TcpSocket s : waiting) {
            s.close();
        }
        markFinished(null, true);
    }

    private void disposeAcceptor() {
        stopping = true;
        PausingAcceptor acc = acceptor;
        if (acc != null) {
            try {
                acc.unbind();
            } catch (RuntimeException ignored) {
                // already unbound
            }
            acc.dispose(true);
        }
    }

    @Override
    long bufferedBytes() {
        return 0;
    }

    String debugState() {
        PausingAcceptor a = acceptor;
        return "permits=" + permits.availablePermits() + " queued=" + queue.size() + " fresh="
                + (a == null ? -1 : a.fresh.size()) + " managed=" + (a == null ? -1 : a.getManagedSessionCount());
    }

    @Override
    public SocketInfo info() {
        return super.info();
    }

    /** Accepted connections not yet taken; each holds one accept permit. */
    private final class AcceptQueue extends Source<TcpSocket> {
        @Override
        protected long weigh(TcpSocket element) {
            return 1;
        }

        @Override
        protected void delivered(TcpSocket element) {
            permits.release();
        }

        @Override
        protected void onCancel() {
            // cancelling the accept stream stops listening
            if (!stopping) {
                closeSocket();
            }
        }

        @Override
        protected String describe() {
            return "the accepted connections of the server socket on " + destination;
        }
    }

    /**
     * Waits for a free accept-queue slot before accepting. The slot is held from the accept until
     * the connection is taken from the queue, refused, or MINA fails to initialise its session
     * ({@link ProcessorPool.InitFailureListener}: MINA then destroys it without any event).
     */
    final class PausingAcceptor extends NioSocketAcceptor implements ProcessorPool.InitFailureListener {
        /** Accepted sessions MINA has not created yet (it replaces their attributes when it does). */
        private final java.util.Set<org.apache.mina.core.session.IoSession> fresh =
                java.util.concurrent.ConcurrentHashMap.newKeySet();

        PausingAcceptor() {
            super(engine.ioPool(), engine.processor());
            setSessionDataStructureFactory(SessionAttributes.FACTORY);
        }

        @Override
        protected NioSession accept(IoProcessor<NioSession> processor, ServerSocketChannel handle) throws Exception {
            while (!permits.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                if (stopping) {
                    return null;
                }
            }
            NioSession s;
            try {
                s = super.accept(processor, handle);
            } catch (Exception e) {
                permits.release();
                throw e;
            }
            if (s == null) {
                permits.release();
                return null;
            }
            fresh.add(s);
            return s;
        }

        /** MINA initialised the session (sessionCreated, I/O thread): attach its connection. */
        void attach(org.apache.mina.core.session.IoSession s) {
            if (fresh.remove(s)) {
                TcpConnection c = newAccepted(s);
                s.setAttribute(TcpConnection.SESSION_KEY, c);
                c.applyOptions(s);
            }
        }

        @Override
        public void initFailed(org.apache.mina.core.session.IoSession s, Throwable cause) {
            if (fresh.remove(s)) {
                permits.release();
            }
        }
    }
}
