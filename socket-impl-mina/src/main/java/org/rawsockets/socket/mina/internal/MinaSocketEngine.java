package org.rawsockets.socket.mina.internal;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import javax.net.ssl.SSLContext;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.service.IoProcessor;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.FilterEvent;
import org.apache.mina.filter.ssl.SslEvent;
import org.apache.mina.transport.socket.nio.NioDatagramConnector;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.apache.mina.transport.socket.nio.NioSession;
import org.apache.mina.transport.socket.nio.NioSocketConnector;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.QuotaUse;
import org.rawsockets.socket.SocketAdmin;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketKind;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpServerSocket;
import org.rawsockets.socket.TcpServerSocketOptions;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket engine without OSGi: shared MINA I/O processors, connector/acceptor/datagram support,
 * the socket registry and counters. The DS components wrap one engine; tests and benchmarks create
 * one directly ({@link #standalone()}).
 *
 * <p><b>Threads.</b> {@code ioThreads} MINA {@link NioProcessor}s (shared by every TCP and connected
 * UDP socket) do the network I/O and complete the futures of the sockets: callbacks attached to
 * {@code opened()}, {@code read()}, {@code write()} and {@code closed()} run on them unless the
 * stage was already complete, and must not block. Each TCP server socket has one accept thread (it
 * waits while the accept queue is full, so further clients stay in the kernel's backlog) and each
 * bound UDP socket one MINA datagram acceptor thread, which also delivers its datagrams. Name
 * resolution, binding and closing of listeners and deferred write flushes run on a small executor
 * ({@code resolverThreads}) that is fair between bundles ({@link FairExecutor}: one bundle uses at
 * most half of its threads, its further tasks wait in its own bounded queue), timeouts and Happy
 * Eyeballs attempts on one timer thread. A plain-text TCP write with nothing of its socket on the
 * way out is written to the channel on the calling thread ({@link TcpTx}); the rest goes through
 * MINA's queue and the I/O threads. The blocking stream views throw
 * {@link IllegalStateException} when used on any of these engine threads. {@link #close()} closes
 * every socket and stops every thread.
 *
 * <p><b>Flow control.</b> Per TCP socket, received bytes not yet read are bounded by
 * {@code highWaterMark} (+ one network read): above it the engine stops reading from the socket,
 * below {@code lowWaterMark} it resumes. A write completes at once while the bytes queued to send
 * stay under {@code highWaterMark}, otherwise once they drained below {@code lowWaterMark}.
 *
 * <p><b>TLS.</b> MINA's {@code SslFilter} (client mode) with SNI, ALPN, protocol list and HTTPS
 * host name verification applied to its {@code SSLEngine}. Closing the writable side sends
 * close_notify, then FIN; the peer's close_notify ends the readable side.
 */
public final class MinaSocketEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MinaSocketEngine.class);

    /** Blocking tasks one bundle may have waiting (lookups for bound-UDP sends included). */
    static final int BLOCKING_QUEUE_PER_BUNDLE = 1024;

    /** An operator-configured endpoint: what bundles see, plus trust material they never see. */
    public record Endpoint(EndpointInfo info, String caCertificatesPem) {
        public Endpoint {
            Objects.requireNonNull(info, "info");
        }
    }

    private final EngineConfig config;
    private final SocketPolicy policy;
    private final AuditLog audit;
    private final HostResolver resolver;

    private final ThreadPoolExecutor ioPool;
    private final ProcessorPool processor;
    private final NioSocketConnector tcpConnector;
    private final NioDatagramConnector udpConnector;
    private final FairExecutor blocking;
    private final ScheduledThreadPoolExecutor timer;
    /**
     * Pooled buffers of the copying byte paths (readInto, blocking views): 64 KiB each, 8 MiB kept at
     * most, write copies into them while fewer than 512 (32 MiB) are out.
     */
    private final ChunkPool chunks = new ChunkPool(128, 512);

    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentSkipListMap<Long, SocketBase> registry = new ConcurrentSkipListMap<>();
    private final Set<OwnedService> owners = ConcurrentHashMap.newKeySet();
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Admin admin = new Admin();
    private final TcpHandler tcpHandler = new TcpHandler();
    /** One SSLContext per TLS configuration: TLS sessions resume, PEM is parsed once. */
    private final TlsContexts tlsContexts = new TlsContexts();
    private volatile boolean closed;
    /**
     * Whether plain-text writes may go to the channel on the caller's thread ({@link TcpTx});
     * {@code -Drawsockets.writeInPlace=false} (read when the engine starts) hands every write to
     * the I/O threads instead.
     */
    private final boolean writeInPlace = !"false".equals(System.getProperty("rawsockets.writeInPlace"));
    /**
     * Whether a blocking view of a plain connection may read the channel on the reader's thread
     * while the network is ahead ({@link InPlaceReader}); {@code -Drawsockets.readInPlace=false}
     * (read when the engine starts) leaves every read to the I/O threads.
     */
    private final boolean readInPlace = !"false".equals(System.getProperty("rawsockets.readInPlace"));

    public MinaSocketEngine(EngineConfig config, SocketPolicy policy, AuditLog audit, HostResolver resolver) {
        this(config, policy, audit, resolver, null);
    }

    /**
     * @param processors makes I/O processor {@code i} (tests provoke failures with it); null: NIO
     *            processors
     * @throws RuntimeException when a resource cannot be created (e.g. no file descriptor left): every
     *             thread, selector and descriptor taken until then is released first
     */
    MinaSocketEngine(EngineConfig config, SocketPolicy policy, AuditLog audit, HostResolver resolver,
            IntFunction<IoProcessor<NioSession>> processors) {
        this.config = Objects.requireNonNull(config, "config");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        TlsSupport.init();
        ThreadPoolExecutor io = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), new IoThreads("rawsockets-io", "I/O"));
        ProcessorPool proc = null;
        NioSocketConnector tcp = null;
        NioDatagramConnector udp = null;
        try {
            proc = processors == null ? ProcessorPool.nio(config.ioThreads(), io)
                    : new ProcessorPool(config.ioThreads(), processors);
            tcp = new NioSocketConnector(io, proc);
            tcp.setSessionDataStructureFactory(SessionAttributes.FACTORY);
            tcp.setHandler(tcpHandler);
            // the engine enforces each socket's own connect timeout; MINA's is only a backstop
            tcp.setConnectTimeoutMillis(TimeUnit.HOURS.toMillis(1));
            udp = new NioDatagramConnector(proc);
            udp.setSessionDataStructureFactory(SessionAttributes.FACTORY);
            udp.setHandler(new UdpSocketImpl.Handler());
        } catch (RuntimeException | Error e) {
            // a failed start keeps nothing: selectors closed, threads ended
            for (Runnable release : new Runnable[] { dispose(udp), dispose(tcp), proc == null ? null : proc::dispose }) {
                if (release != null) {
                    try {
                        release.run();
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            io.shutdownNow();
            throw e;
        }
        ioPool = io;
        processor = proc;
        tcpConnector = tcp;
        udpConnector = udp;
        blocking = new FairExecutor(config.resolverThreads(), perBundleThreads(config.resolverThreads()),
                BLOCKING_QUEUE_PER_BUNDLE, new IoThreads("rawsockets-resolver", "resolver"));
        timer = new ScheduledThreadPoolExecutor(1, new IoThreads("rawsockets-timer", "timer"));
        timer.setRemoveOnCancelPolicy(true);
        timer.setKeepAliveTime(10, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
    }

    private static Runnable dispose(org.apache.mina.core.service.IoService s) {
        return s == null ? null : () -> s.dispose(true);
    }

    /** An engine with default settings, no policy restrictions and the JDK resolver. */
    public static MinaSocketEngine standalone() {
        return new MinaSocketEngine(EngineConfig.defaults(), SocketPolicy.ALLOW_ALL, AuditLog.NONE, HostResolver.JDK);
    }

    /**
     * A socket service owned by {@code owner}. {@link OwnedSocketService#close()} closes everything it
     * opened and fails its pending opens (what the OSGi component does when the bundle ungets it).
     */
    public OwnedSocketService serviceFor(Owner owner) {
        Objects.requireNonNull(owner, "owner");
        if (closed) {
            throw new IllegalStateException("the socket engine is closed");
        }
        OwnedService s = new OwnedService(this, owner);
        owners.add(s);
        return s;
    }

    /** The operator view over all owners. */
    public SocketAdmin admin() {
        return admin;
    }

    /** Replaces the named endpoints (keyed by name). */
    public void setEndpoints(java.util.Collection<Endpoint> all) {
        Map<String, Endpoint> m = new java.util.HashMap<>();
        for (Endpoint e : all) {
            m.put(e.info().name(), e);
        }
        endpoints.keySet().retainAll(m.keySet());
        endpoints.putAll(m);
    }

    /** Adds or replaces one named endpoint. */
    public void putEndpoint(Endpoint e) {
        endpoints.put(e.info().name(), e);
    }

    /** Removes a named endpoint (sockets already open stay open). */
    public void removeEndpoint(String name) {
        endpoints.remove(name);
    }

    /** Removes {@code e} if it is still the endpoint of its name (another may have replaced it). */
    public void removeEndpoint(Endpoint e) {
        endpoints.remove(e.info().name(), e);
    }

    Endpoint endpoint(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("endpointName must be a configured endpoint name, was "
                    + (name == null ? "null" : "blank"));
        }
        Endpoint e = endpoints.get(name);
        if (e == null) {
            List<String> names = new ArrayList<>(endpoints.keySet());
            names.sort(null);
            throw new IllegalArgumentException("no endpoint named '" + name + "' is configured (configured: "
                    + (names.isEmpty() ? "none" : String.join(", ", names))
                    + "); an operator adds one as a factory configuration of PID org.rawsockets.socket.endpoint"
                    + " with name, host, port (and tls, serverName, caCertificatesPem)");
        }
        return e;
    }

    EngineConfig config() {
        return config;
    }

    SocketPolicy policy() {
        return policy;
    }

    HostResolver resolver() {
        return resolver;
    }

    TlsContexts tlsContexts() {
        return tlsContexts;
    }

    ScheduledThreadPoolExecutor timer() {
        return timer;
    }

    ChunkPool chunks() {
        return chunks;
    }

    boolean writeInPlace() {
        return writeInPlace;
    }

    boolean readInPlace() {
        return readInPlace;
    }

    /**
     * The executor for blocking work of {@code owner}'s sockets (name lookups, listener bind and
     * close, deferred flushes): fair between bundles, see {@link FairExecutor}. Throws
     * {@link java.util.concurrent.RejectedExecutionException} when the owner's queue is full or the
     * engine is stopping.
     */
    Executor blocking(OwnedService owner) {
        return blocking.lane(owner, "bundle " + owner.owner());
    }

    /** Threads of the blocking executor running tasks of {@code owner} now. */
    int blockingThreads(OwnedService owner) {
        return blocking.running(owner);
    }

    /** Threads of the blocking executor one bundle may use at once: half of them, at least one. */
    static int perBundleThreads(int resolverThreads) {
        return Math.max(1, resolverThreads / 2);
    }

    ExecutorService ioPool() {
        return ioPool;
    }

    ProcessorPool processor() {
        return processor;
    }

    TcpHandler tcpHandler() {
        return tcpHandler;
    }

    NioSocketConnector tcpConnector() {
        return tcpConnector;
    }

    NioDatagramConnector udpConnector() {
        return udpConnector;
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    ConcurrentSkipListMap<Long, SocketBase> registry() {
        return registry;
    }

    void audit(AuditLog.Entry e) {
        try {
            audit.record(e);
        } catch (RuntimeException ex) {
            LOG.warn("audit log failed on {}", e, ex);
        }
    }

    void ownerReleased(OwnedService s) {
        owners.remove(s);
    }

    private void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException("the socket engine is closed");
        }
    }

    // ------------------------------------------------------------------ opening

    TcpSocket openTcp(OwnedService svc, String host, int port, TcpSocketOptions options, Endpoint endpoint) {
        return openTcp(svc, host, null, port, options, endpoint);
    }

    /**
     * @param pinned when not null, the only address to connect to ({@code host} was resolved by
     *            the caller, a library behind the Socket view); the policy checks it with {@code host}
     */
    TcpSocket openTcp(OwnedService svc, String host, java.net.InetAddress pinned, int port, TcpSocketOptions options,
            Endpoint endpoint) {
        checkNotClosed();
        // an endpoint's TLS mode, server name and trust are the operator's (EndpointTls: the bundle's
        // options compose with them or the open is refused, naming both)
        TlsOptions tls = endpoint == null ? options.tls() : EndpointTls.forOpen(endpoint, options.tls());
        SSLContext ctx = null;
        if (tls.mode() == TlsMode.ON) {
            try {
                ctx = tlsContexts.get(tls);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("tls options are unusable: " + e.getMessage(), e);
            }
        }
        String dest = endpoint == null ? hostPort(host, port) : "endpoint:" + endpoint.info().name();
        TcpConnection c = new TcpConnection(svc, SocketKind.TCP, dest, host, port,
                endpoint == null ? null : endpoint.info().name(), options, tls, ctx);
        if (pinned != null) {
            c.pinned = List.of(pinned);
        }
        c.start();
        return c.facade();
    }

    static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    UdpSocket openUdp(OwnedService svc, UdpSocketOptions options, Endpoint endpoint) {
        checkNotClosed();
        UdpSocketImpl u = new UdpSocketImpl(svc, options, endpoint == null ? null : endpoint.info().name());
        u.start();
        return u;
    }

    TcpServerSocket listenTcp(OwnedService svc, TcpServerSocketOptions options) {
        checkNotClosed();
        TcpServer s = new TcpServer(svc, options);
        s.start();
        return s;
    }

    /** Closes every socket of every owner and stops the I/O threads; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (OwnedService o : new ArrayList<>(owners)) {
            o.close();
        }
        for (SocketBase s : new ArrayList<>(registry.values())) {
            s.release(new SocketClosedException("socket " + s.destination + " closed: the socket service stopped"));
        }
        for (SocketBase s : new ArrayList<>(registry.values())) {
            if (s instanceof TcpServer ts) {
                ts.disposeNow();
            } else if (s instanceof UdpSocketImpl u) {
                u.disposeNow();
            }
        }
        try {
            tcpConnector.dispose(true);
        } catch (RuntimeException e) {
            LOG.warn("disposing the TCP connector failed", e);
        }
        try {
            udpConnector.dispose(true);
        } catch (RuntimeException e) {
            LOG.warn("disposing the UDP connector failed", e);
        }
        processor.dispose();
        tlsContexts.clear();
        timer.shutdownNow();
        blocking.shutdownNow();
        ioPool.shutdown();
        try {
            if (!ioPool.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("socket I/O threads did not stop within 10 s");
                ioPool.shutdownNow();
            }
            timer.awaitTermination(5, TimeUnit.SECONDS);
            blocking.awaitTermination(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Dispatches TCP session events to the connection attached to the session. */
    final class TcpHandler extends IoHandlerAdapter {
        private TcpConnection conn(IoSession s) {
            return (TcpConnection) s.getAttribute(TcpConnection.SESSION_KEY);
        }

        @Override
        public void sessionCreated(IoSession session) {
            if (session.getService() instanceof TcpServer.PausingAcceptor acceptor) {
                acceptor.attach(session);
            }
        }

        @Override
        public void sessionOpened(IoSession session) {
            TcpConnection c = conn(session);
            if (c == null) {
                c = TcpOpener.claim(session); // a connect attempt: the first to open wins, the others close
            }
            if (c != null) {
                c.onSessionOpened(session);
            } else {
                session.closeNow();
            }
        }

        @Override
        public void messageReceived(IoSession session, Object message) {
            TcpConnection c = conn(session);
            if (c == null) {
                return;
            }
            if (message instanceof IoBuffer b) {
                c.onData(b, false);
            } else if (message instanceof StartTlsGuard.PlainText p) {
                c.onData(p.buffer(), true);
            }
        }

        @Override
        public void inputClosed(IoSession session) {
            TcpConnection c = conn(session);
            if (c != null) {
                c.onInputClosed(session);
            } else {
                session.closeNow();
            }
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            TcpConnection c = conn(session);
            if (c != null) {
                c.onException(cause);
            }
            if (c == null || cause instanceof SocketProcessor.ConnectionFailure) {
                session.closeNow(); // the processor left the failed session to us (SocketProcessor)
            }
        }

        @Override
        public void sessionClosed(IoSession session) {
            TcpConnection c = conn(session);
            if (c != null) {
                c.closer.onSessionClosed();
            }
        }

        @Override
        public void event(IoSession session, FilterEvent event) {
            TcpConnection c = conn(session);
            if (c != null && event == SslEvent.SECURED) {
                c.tlsLayer.onSecured();
            } else if (c != null && event == SslEvent.UNSECURED) {
                c.tlsLayer.onUnsecured(session);
            }
        }
    }

    final class Admin implements SocketAdmin {
        @Override
        public List<SocketInfo> sockets() {
            List<SocketInfo> out = new ArrayList<>();
            for (SocketBase s : registry.values()) {
                out.add(s.info());
            }
            return out;
        }

        @Override
        public Optional<SocketInfo> socket(long id) {
            SocketBase s = registry.get(id);
            return s == null ? Optional.empty() : Optional.of(s.info());
        }

        @Override
        public Optional<CompletionStage<Void>> close(long id) {
            SocketBase s = registry.get(id);
            return s == null ? Optional.empty() : Optional.of(s.closeSocket().minimalCompletionStage());
        }

        @Override
        public Optional<TlsInfo> tls(long id) {
            SocketBase s = registry.get(id);
            return s == null ? Optional.empty() : Optional.ofNullable(s.tlsInfo());
        }

        @Override
        public List<QuotaUse> quotaUse() {
            List<QuotaUse> out = new ArrayList<>();
            for (OwnedService o : owners) {
                out.add(o.use());
            }
            return out;
        }

        @Override
        public List<EndpointInfo> endpoints() {
            List<EndpointInfo> out = new ArrayList<>();
            for (Endpoint e : endpoints.values()) {
                out.add(e.info());
            }
            out.sort(Comparator.comparing(EndpointInfo::name));
            return out;
        }
    }

    /** A {@link SocketService} bound to one owner; closing it releases everything the owner opened. */
    public interface OwnedSocketService extends SocketService, AutoCloseable {
        Owner owner();

        @Override
        void close();
    }

    static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
