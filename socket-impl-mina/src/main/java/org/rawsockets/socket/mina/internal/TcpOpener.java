package org.rawsockets.socket.mina.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.mina.core.future.ConnectFuture;
import org.apache.mina.core.session.IoSession;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.mina.internal.policy.Access;
import org.rawsockets.socket.mina.internal.policy.AccessKind;
import org.rawsockets.socket.mina.internal.policy.AuditLog;

/**
 * Opens an outgoing TCP connection: resolves the host once (on the owner's lane of the blocking
 * executor), then connects with Happy Eyeballs (RFC 8305).
 *
 * <p>The resolved addresses are ordered as in RFC 8305 section 4: the resolver's preference order,
 * address families interleaved, starting with the family of its first answer. Attempts start one
 * after the other, each {@value #ATTEMPT_DELAY_MS} ms (the "connection attempt delay") after the
 * previous one, or at once when the previous one failed; earlier attempts keep running. Each
 * address is checked by the socket policy right before its attempt: a denied address is skipped
 * without any packet. The first attempt whose session opens wins ({@link #claim}); every other
 * attempt is abandoned: a pending connect is cancelled, a session that opens later is closed at
 * once, before the connection sees anything of it. The connection's {@code connectTimeout} still
 * bounds the whole open; when it fires, {@link #cancel()} stops every attempt.
 *
 * <p>Threads: {@link #start()} on the caller, resolution on a blocking-executor thread, later
 * attempts on the timer thread (stagger) or a MINA thread (after a failed attempt); the winner is
 * decided on the I/O thread of its session, before {@code sessionOpened} reaches the connection.
 */
final class TcpOpener {

    /** Session attribute of a session created by a connect attempt, until it wins. */
    static final String ATTEMPT_KEY = TcpOpener.class.getName() + ".attempt";

    /** RFC 8305 "Connection Attempt Delay" (recommended value). */
    static final long ATTEMPT_DELAY_MS = 250;

    private final TcpConnection conn;
    private final MinaSocketEngine engine;
    /** The local end to bind (options' localAddress/localPorts), null for the operating system's choice. */
    private LocalBinding local;

    // guarded by this
    private List<InetAddress> order = List.of();
    private int next;
    private boolean done;
    private final List<Attempt> pending = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> tried = new ArrayList<>();
    private Throwable lastCause;
    private NotAllowedException firstDenial;
    private InetSocketAddress firstDenied;
    private ScheduledFuture<?> staggered;
    private Attempt winner;

    /** One connect attempt to one address. */
    final class Attempt {
        final InetSocketAddress address;
        volatile ConnectFuture future;

        Attempt(InetSocketAddress address) {
            this.address = address;
        }

        TcpOpener opener() {
            return TcpOpener.this;
        }
    }

    TcpOpener(TcpConnection conn) {
        this.conn = conn;
        this.engine = conn.engine;
    }

    /** Starts resolving; the connection has been admitted and its connect timeout is running. */
    void start() {
        try {
            engine.blocking(conn.owner).execute(conn.openStep(this::resolve, "connecting to " + conn.host));
        } catch (RejectedExecutionException e) {
            conn.failOpen(new NetworkException(NetworkException.Reason.UNAVAILABLE, "cannot resolve '" + conn.host + "': " + e.getMessage()
                    + "; retry later", e));
        }
    }

    private void resolve() {
        synchronized (this) {
            if (done) {
                return;
            }
        }
        List<InetAddress> addrs;
        try {
            List<InetAddress> p = conn.pinned;
            addrs = p != null ? checkPinned(p) : engine.resolver().resolve(conn.host, conn.options.dnsQueryType());
            if (addrs == null || addrs.isEmpty()) {
                throw new UnknownHostException(conn.host + " has no address");
            }
        } catch (UnknownHostException e) {
            conn.failOpen(new NetworkException(NetworkException.Reason.DNS, "cannot resolve '" + conn.host + "' (dnsQueryType "
                    + conn.options.dnsQueryType() + "): unknown host"
                    + (e.getMessage() == null || e.getMessage().equals(conn.host) ? "" : " (" + e.getMessage() + ")"),
                    e));
            return;
        }
        try {
            local = LocalBinding.of(conn.options);
            if (local != null) {
                addrs = local.usable(addrs, conn.where());
                local.check(engine.policy(), conn.owner.owner(), addrs);
            }
        } catch (NotAllowedException e) {
            synchronized (this) {
                done = true;
            }
            conn.auditAddress = new InetSocketAddress(addrs.get(0), conn.port);
            conn.audit(AuditLog.Outcome.REFUSED, e.getMessage());
            conn.failOpen(e);
            return;
        } catch (NetworkException e) {
            conn.failOpen(e);
            return;
        }
        synchronized (this) {
            order = interleave(addrs);
        }
        startNext();
    }

    /**
     * A library behind the Socket view resolved {@code conn.host} itself to {@code p}: the policy
     * sees the name with that address only when the service's own resolution agrees; otherwise it
     * sees the bare address, so that a bundle cannot claim a name grant for an arbitrary address.
     */
    private List<InetAddress> checkPinned(List<InetAddress> p) {
        if (!TlsSupport.isIpLiteral(conn.host)) {
            try {
                if (engine.resolver().resolve(conn.host, conn.options.dnsQueryType()).containsAll(p)) {
                    return p;
                }
            } catch (UnknownHostException | RuntimeException e) {
                // the service cannot confirm the name: the address counts as a literal
            }
            conn.policyHost = org.rawsockets.socket.mina.internal.policy.Addresses.text(p.get(0));
        }
        return p;
    }

    /**
     * RFC 8305 section 4: keeps the order within each address family and alternates the families,
     * starting with the family of the first address.
     */
    static List<InetAddress> interleave(List<InetAddress> addrs) {
        boolean firstV6 = addrs.get(0) instanceof Inet6Address;
        List<InetAddress> first = new ArrayList<>();
        List<InetAddress> second = new ArrayList<>();
        for (InetAddress a : addrs) {
            if (a != null) {
                ((a instanceof Inet6Address) == firstV6 ? first : second).add(a);
            }
        }
        List<InetAddress> out = new ArrayList<>(first.size() + second.size());
        for (int i = 0; i < Math.max(first.size(), second.size()); i++) {
            if (i < first.size()) {
                out.add(first.get(i));
            }
            if (i < second.size()) {
                out.add(second.get(i));
            }
        }
        return out;
    }

    /**
     * Starts the attempt to the next address the policy allows (skipping denied ones) and arms the
     * connection attempt delay for the one after it; fails the open when nothing is left to try.
     */
    private void startNext() {
        while (true) {
            InetSocketAddress a;
            Throwable failure = null;
            synchronized (this) {
                if (staggered != null) {
                    staggered.cancel(false);
                    staggered = null;
                }
                if (done) {
                    return;
                }
                if (next < order.size()) {
                    a = new InetSocketAddress(order.get(next++), conn.port);
                } else {
                    if (!pending.isEmpty()) {
                        return; // the running attempts decide
                    }
                    done = true;
                    a = null;
                    failure = failure();
                }
            }
            if (a == null) {
                if (failure instanceof NotAllowedException) {
                    // nothing was tried: the policy's refusal, audited as such
                    conn.auditAddress = firstDenied;
                    conn.audit(AuditLog.Outcome.REFUSED, failure.getMessage());
                }
                conn.failOpen(failure);
                return;
            }
            conn.auditAddress = a;
            try {
                engine.policy().check(conn.owner.owner(),
                        new Access(AccessKind.TCP_CONNECT, conn.policyHost != null ? conn.policyHost : conn.host,
                                conn.endpointName, a));
            } catch (NotAllowedException e) {
                synchronized (this) {
                    if (firstDenial == null) {
                        firstDenial = e;
                        firstDenied = a;
                    }
                    failures.add(a.getAddress().getHostAddress() + ": not allowed by the socket policy");
                }
                continue; // skipped: not a single packet to a denied address
            } catch (RuntimeException e) {
                synchronized (this) {
                    done = true;
                }
                conn.failOpen(new NotAllowedException("the socket policy failed while checking " + a + ": " + e));
                return;
            }
            if (connect(a)) {
                return;
            }
        }
    }

    /** Why the open failed, once every address was denied or failed (under this). */
    private Throwable failure() {
        if (firstDenial != null && tried.isEmpty()) {
            return firstDenial;
        }
        String why;
        if (failures.isEmpty()) {
            why = "no address";
        } else if (order.size() == 1) {
            String f = failures.get(0);
            why = f.substring(f.indexOf(": ") + 2);
        } else {
            why = "every address failed: " + String.join("; ", failures);
        }
        return NetworkReasons.of("cannot connect to " + conn.where() + ": " + why, lastCause);
    }

    /** Starts one attempt; false when it failed at once (the next one may start). */
    private boolean connect(InetSocketAddress a) {
        Attempt att = new Attempt(a);
        String ip = a.getAddress().getHostAddress();
        InetSocketAddress from = local == null ? null : local.next(a);
        synchronized (this) {
            if (done) {
                return true;
            }
            if (local != null && from == null) {
                failures.add(ip + ": no free local port (" + local.describe() + ": each was in use or tried)");
                return false;
            }
            // pending before connecting: on loopback the session may open before connect() returns
            pending.add(att);
            tried.add(ip);
        }
        ConnectFuture cf;
        try {
            cf = engine.tcpConnector().connect(a, from, (s, f) -> {
                s.setAttribute(ATTEMPT_KEY, att);
                conn.applyOptions(s);
            });
        } catch (RuntimeException e) {
            synchronized (this) {
                if (!pending.remove(att) || done) {
                    return true;
                }
                failures.add(ip + ": " + message(e));
                lastCause = e;
            }
            return false;
        }
        att.future = cf;
        boolean abandoned;
        synchronized (this) {
            abandoned = !pending.contains(att) && winner != att;
            if (!abandoned && !done && next < order.size()) {
                try {
                    staggered = engine.timer().schedule(conn.openStep(this::startNext, "connecting to " + conn.host),
                            ATTEMPT_DELAY_MS, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    // the engine is stopping: the open fails with it
                }
            }
        }
        if (abandoned) {
            abandon(cf); // cancelled (or lost) while connect() ran
        } else {
            cf.addListener(f -> onConnectDone(att, (ConnectFuture) f));
        }
        return true;
    }

    /** A connect attempt completed; a failed one lets the next attempt start at once. */
    private void onConnectDone(Attempt att, ConnectFuture f) {
        if (f.isConnected()) {
            return; // decided when its session opens (claim)
        }
        boolean retryPort;
        synchronized (this) {
            if (!pending.remove(att) || done) {
                return;
            }
            Throwable c = f.getException();
            lastCause = c;
            // MINA reports a failed bind as an IOException "Error while binding on ...": by its message
            boolean bindFailed = local != null && c != null && NetworkReasons.reasonOf(c) == NetworkException.Reason.LOCAL_ADDRESS;
            retryPort = bindFailed && local.portsLeft();
            if (!retryPort) {
                String m = c == null ? "not connected" : message(c);
                if (bindFailed) {
                    m = "cannot bind the local end to " + local.describe() + ": "
                            + m.substring(m.lastIndexOf("original message : ") < 0 ? 0 : m.lastIndexOf(':') + 2)
                            + (local.isRange() ? " (every port of the range tried)" : "");
                }
                failures.add(att.address.getAddress().getHostAddress() + ": " + m.replace('\n', ' '));
            }
        }
        if (retryPort && connect(att.address)) {
            return; // the same address from the next local port of the range
        }
        startNext();
    }

    /**
     * The session of a connect attempt opened (its I/O thread, before the connection sees it): the
     * first one wins and is attached to the connection; for the others null is returned and the
     * caller closes them.
     */
    static TcpConnection claim(IoSession s) {
        if (!(s.removeAttribute(ATTEMPT_KEY) instanceof Attempt att)) {
            return null;
        }
        return att.opener().won(att, s) ? att.opener().conn : null;
    }

    private boolean won(Attempt att, IoSession s) {
        List<Attempt> losers;
        synchronized (this) {
            if (done || !pending.remove(att)) {
                return false;
            }
            done = true;
            winner = att;
            losers = new ArrayList<>(pending);
            pending.clear();
            if (staggered != null) {
                staggered.cancel(false);
                staggered = null;
            }
        }
        abandonAll(losers);
        conn.auditAddress = att.address;
        s.setAttribute(TcpConnection.SESSION_KEY, conn);
        return true;
    }

    /** The open ended without a winner (timeout, close, release, failure): stops every attempt. */
    void cancel() {
        List<Attempt> all;
        synchronized (this) {
            done = true;
            all = new ArrayList<>(pending);
            pending.clear();
            if (staggered != null) {
                staggered.cancel(false);
                staggered = null;
            }
        }
        abandonAll(all);
    }

    private void abandonAll(List<Attempt> attempts) {
        for (Attempt a : attempts) {
            ConnectFuture cf = a.future;
            if (cf != null) {
                abandon(cf);
            }
        }
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** The addresses tried so far, for timeout messages ("" before the first attempt). */
    synchronized String triedAddresses() {
        return tried.isEmpty() ? "" : " (tried " + String.join(", ", tried) + ")";
    }

    /**
     * Gives up a connect attempt. Cancelling a MINA connect that is completing at that moment can
     * leave a half-added session in an I/O processor, so a connect that is likely to finish (on a
     * fast network, at once) is let finish and its session closed when it opens; only a connect
     * still pending a while later is cancelled.
     */
    private void abandon(ConnectFuture cf) {
        cf.addListener(f -> {
            ConnectFuture c = (ConnectFuture) f;
            if (c.isConnected()) {
                c.getSession().closeNow();
            }
        });
        if (!cf.isDone()) {
            try {
                engine.timer().schedule(() -> {
                    if (!cf.isDone()) {
                        cf.cancel();
                    }
                }, 2, TimeUnit.SECONDS);
            } catch (RejectedExecutionException e) {
                cf.cancel();
            }
        }
    }
}
