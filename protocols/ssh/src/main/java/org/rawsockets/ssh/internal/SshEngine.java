package org.rawsockets.ssh.internal;

import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;
import org.rawsockets.ssh.internal.transport.SocketIoServiceFactoryFactory;

/**
 * One started Apache MINA SSHD {@link SshClient} on the socket service transport, and the connect
 * sequence (keys, TCP, key exchange, host key check, authentication) under one time limit.
 */
public final class SshEngine implements AutoCloseable {

    /** Worker threads for blocking parts (key files, output pumps); bounded, idle ones end. */
    static final int MAX_WORKERS = 64;
    private static final AtomicInteger ENGINES = new AtomicInteger();

    private final SocketService sockets;
    private final SshClient client;
    private final ThreadPoolExecutor workers;
    private final java.util.Set<SshSessionImpl> sessions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** When a session was last added or removed (for operator tools), or null. */
    private volatile java.time.Instant sessionsChanged;

    public SshEngine(SocketService sockets) {
        this.sockets = sockets;
        int n = ENGINES.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(0, MAX_WORKERS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "rawsockets-ssh-" + n + "-worker-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        SshClient c = ClientBuilder.builder().build();
        c.setIoServiceFactoryFactory(new SocketIoServiceFactoryFactory(sockets, TcpSocketOptions.builder().noDelay(true)
                .closeTimeout(Duration.ofSeconds(5)).build()));
        c.setServerKeyVerifier(new HostKeyCheck());
        c.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        c.setForwardingFilter(RemoteForwardsOnly.FILTER);
        c.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        c.setFilePasswordProvider(FilePasswordProvider.EMPTY);
        List<org.apache.sshd.client.auth.UserAuthFactory> auths = c.getUserAuthFactories();
        c.setUserAuthFactories(AuthRecording.wrap(auths == null || auths.isEmpty() ? SshClient.DEFAULT_USER_AUTH_FACTORIES : auths));
        c.start();
        this.client = c;
    }

    /** The socket service every connection of this client goes through. */
    SocketService sockets() {
        return sockets;
    }

    /** The SSHD client (for tests and the OSGi component's diagnostics). */
    public SshClient client() {
        return client;
    }

    static Attempt attempt(ClientSession session) {
        AttributeRepository context = session.getConnectionContext();
        return context == null ? null : context.getAttribute(Attempt.KEY);
    }

    ExecutorService workers() {
        return workers;
    }

    /** The server's host key, without authenticating: {@code [0]} the fingerprint, {@code [1]} the known_hosts line. */
    public CompletionStage<String[]> hostKey(SshSettings settings) {
        Attempt[] seen = new Attempt[1];
        return connect(settings, a -> {
            a.probe = true;
            seen[0] = a;
        }).handle((s, e) -> {
            if (s != null) {
                s.close();
            }
            Attempt a = seen[0];
            if (a == null || a.serverKey == null) {
                SshException f = e == null ? null : Failures.find(e, SshException.class);
                throw new java.util.concurrent.CompletionException(f != null ? f : e);
            }
            String host = a.port == 22 ? a.host : "[" + a.host + "]:" + a.port;
            return new String[] {a.fingerprint,
                    host + " " + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(a.serverKey)};
        });
    }

    public CompletionStage<SshSession> connect(SshSettings settings) {
        return connect(settings, a -> {
        });
    }

    private CompletionStage<SshSession> connect(SshSettings settings, java.util.function.Consumer<Attempt> prepare) {
        if (settings.jump().isPresent()) {
            return ProxyJump.connect(this, settings, via -> connect(settings, prepare, via));
        }
        return connect(settings, prepare, null);
    }

    private CompletionStage<SshSession> connect(SshSettings settings, java.util.function.Consumer<Attempt> prepare,
            org.apache.sshd.client.channel.ChannelDirectTcpip via) {
        CompletableFuture<SshSession> result = new CompletableFuture<>();
        String host;
        int port;
        Map<AttributeKey<?>, Object> context = new HashMap<>();
        if (settings.endpoint().isPresent()) {
            String name = settings.endpoint().get();
            EndpointInfo e = sockets.endpoints().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
            if (e == null) {
                result.completeExceptionally(new SshException(Reason.NOT_ALLOWED, "no endpoint named '" + name
                        + "' is configured in the socket service (configured: "
                        + sockets.endpoints().stream().map(EndpointInfo::name).toList() + ")", null));
                return result;
            }
            host = e.host();
            port = e.port();
            context.put(SocketIoServiceFactoryFactory.ENDPOINT, name);
        } else {
            host = settings.host().orElseThrow();
            port = settings.port();
        }
        Attempt attempt = new Attempt(settings, host, port);
        prepare.accept(attempt);
        context.put(Attempt.KEY, attempt);
        if (via != null) {
            context.put(SocketIoServiceFactoryFactory.VIA, via);
        }
        try {
            workers.execute(() -> start(settings, attempt, AttributeRepository.ofAttributesMap(context), result));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new SshException(Reason.PROTOCOL, "SSH client for " + settings.target()
                    + " is stopped or busy (" + MAX_WORKERS + " operations at once)", e));
        }
        return result;
    }

    private void start(SshSettings settings, Attempt attempt, AttributeRepository context, CompletableFuture<SshSession> result) {
        List<KeyPair> keys;
        try {
            keys = attempt.probe ? List.of() : KeyFiles.load(settings);
        } catch (SshException e) {
            result.completeExceptionally(e);
            return;
        }
        ConnectFuture connect;
        try {
            connect = client.connect(settings.user(), InetSocketAddress.createUnresolved(attempt.host, attempt.port), context, null);
        } catch (Exception e) {
            result.completeExceptionally(Failures.map(attempt, null, e));
            return;
        }
        Duration limit = settings.connectTimeout();
        ScheduledFuture<?> timer = client.getScheduledExecutorService().schedule(() -> {
            if (!result.isDone()) {
                attempt.timedOut = true;
                connect.cancel();
                ClientSession s = connect.getSession();
                if (s != null) {
                    s.close(true);
                }
                result.completeExceptionally(Failures.map(attempt, s, null));
            }
        }, limit.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((v, e) -> timer.cancel(false));
        connect.addListener(f -> {
            if (!f.isConnected()) {
                result.completeExceptionally(Failures.map(attempt, null, f.getException()));
                return;
            }
            ClientSession session = f.getSession();
            try {
                settings.password().ifPresent(p -> session.addPasswordIdentity(p.get()));
                keys.forEach(session::addPublicKeyIdentity);
                session.auth().addListener(a -> {
                    if (a.isSuccess()) {
                        SshSessionImpl s = new SshSessionImpl(this, settings, attempt, session);
                        track(s);
                        session.addCloseFutureListener(closed -> forget(s));
                        if (!result.complete(s)) {
                            s.close();
                        }
                    } else {
                        session.close(true);
                        result.completeExceptionally(Failures.map(attempt, session, a.getException()));
                    }
                });
            } catch (Exception e) {
                session.close(true);
                result.completeExceptionally(Failures.map(attempt, session, e));
            }
        });
    }

    private void track(SshSessionImpl s) {
        if (sessions.add(s)) {
            sessionsChanged = java.time.Instant.now();
        }
    }

    void forget(SshSessionImpl s) {
        if (sessions.remove(s)) {
            sessionsChanged = java.time.Instant.now();
        }
    }

    /** Authenticated sessions of this client not yet closed (by either side). */
    int openSessions() {
        return sessions.size();
    }

    /** When a session last opened or ended, or {@code null} if none ever did. */
    java.time.Instant sessionsChanged() {
        return sessionsChanged;
    }

    /**
     * Disconnects every session (SSH_MSG_DISCONNECT, so servers see a clean end), waits for them up to
     * 3 s, then stops the SSHD client (closing whatever is left and its timer thread) and the workers.
     */
    @Override
    public void close() {
        try {
            List<SshSessionImpl> open = List.copyOf(sessions);
            java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(open.size());
            for (SshSessionImpl s : open) {
                s.clientSession().addCloseFutureListener(f -> closed.countDown());
                s.close();
            }
            closed.await(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeClient();
        }
    }

    private void closeClient() {
        try {
            client.stop();
        } finally {
            workers.shutdownNow();
            try {
                workers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
