package org.rawsockets.socket.mina.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.QuotaUse;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.TcpServerSocket;
import org.rawsockets.socket.TcpServerSocketOptions;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.mina.internal.net.ServiceSocketFactory;
import org.rawsockets.socket.mina.internal.net.ServiceSslSocketFactory;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.Quotas;

/** The socket service of one owner: its sockets, its quotas, its release. */
final class OwnedService implements MinaSocketEngine.OwnedSocketService {

    final MinaSocketEngine engine;
    private final Owner owner;
    private final Set<SocketBase> sockets = ConcurrentHashMap.newKeySet();
    final AtomicLong buffered = new AtomicLong();
    private int pending;
    private int open;
    private volatile boolean released;

    OwnedService(MinaSocketEngine engine, Owner owner) {
        this.engine = engine;
        this.owner = owner;
    }

    @Override
    public Owner owner() {
        return owner;
    }

    Quotas quotas() {
        Quotas q = engine.policy().quotas(owner);
        return q == null ? Quotas.UNLIMITED : q;
    }

    synchronized void admit(SocketBase s, boolean pendingOpen) throws NotAllowedException {
        if (released) {
            throw new NotAllowedException("bundle " + owner + " released the socket service; it cannot open "
                    + s.destination);
        }
        Quotas q = quotas();
        if (open >= q.maxOpenSockets()) {
            throw new NotAllowedException("bundle " + owner + " reached its quota maxOpenSockets (" + q.maxOpenSockets()
                    + " sockets open or opening): cannot open " + s.kind + " " + s.destination
                    + "; close sockets it no longer needs or ask the operator to raise the quota");
        }
        if (pendingOpen && pending >= q.maxPendingOpens()) {
            throw new NotAllowedException("bundle " + owner + " reached its quota maxPendingOpens ("
                    + q.maxPendingOpens() + " opens in progress): cannot open " + s.kind + " " + s.destination
                    + "; wait for earlier opens to complete or ask the operator to raise the quota");
        }
        open++;
        if (pendingOpen) {
            pending++;
        }
        sockets.add(s);
        engine.registry().put(s.id, s);
    }

    /** What it uses of its quotas now. */
    synchronized QuotaUse use() {
        Quotas q = quotas();
        return new QuotaUse(owner.toString(), open, q.maxOpenSockets(), pending, q.maxPendingOpens(), buffered.get(),
                q.maxBufferedBytes());
    }

    synchronized void pendingDone() {
        if (pending > 0) {
            pending--;
        }
    }

    void unregister(SocketBase s) {
        synchronized (this) {
            if (sockets.remove(s)) {
                open--;
            }
        }
        engine.registry().remove(s.id, s);
    }

    boolean reserveBuffer(long n) {
        long max = quotas().maxBufferedBytes();
        long now = buffered.addAndGet(n);
        if (now > max && now - n > 0) {
            buffered.addAndGet(-n);
            return false;
        }
        return true;
    }

    /**
     * Whether {@code n} more bytes may be buffered (received unread) within the maxBufferedBytes
     * quota; as with {@link #reserveBuffer}, one item larger than the quota fits when nothing else is
     * buffered. Concurrent receivers may pass together: the quota can be exceeded by one datagram per
     * I/O thread, as TCP's by one network read.
     */
    boolean fitsBuffer(long n) {
        long now = buffered.get();
        return now + n <= quotas().maxBufferedBytes() || now == 0;
    }

    boolean overBufferQuota() {
        return buffered.get() > quotas().maxBufferedBytes();
    }

    boolean isReleased() {
        return released;
    }

    private void checkOpen() {
        if (released) {
            throw new IllegalStateException("the socket service of bundle " + owner + " was released");
        }
    }

    @Override
    public TcpSocket openTcp(String remoteAddress, int remotePort, TcpSocketOptions options) {
        checkOpen();
        return engine.openTcp(this, Checks.host("remoteAddress", remoteAddress),
                Checks.port("remotePort", remotePort, 1), Objects.requireNonNull(options, "options"), null);
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> checkTcp(String remoteAddress, int remotePort,
            org.rawsockets.socket.DnsQueryType dnsQueryType) {
        checkOpen();
        return TcpPolicyCheck.check(this, Checks.host("remoteAddress", remoteAddress),
                Checks.port("remotePort", remotePort, 1), Objects.requireNonNull(dnsQueryType, "dnsQueryType"));
    }

    @Override
    public TcpSocket openTcpEndpoint(String endpointName, TcpSocketOptions options) {
        checkOpen();
        Objects.requireNonNull(options, "options");
        MinaSocketEngine.Endpoint e = engine.endpoint(endpointName);
        return engine.openTcp(this, e.info().host(), e.info().port(), options, e);
    }

    @Override
    public UdpSocket openUdp(UdpSocketOptions options) {
        checkOpen();
        return engine.openUdp(this, Objects.requireNonNull(options, "options"), null);
    }

    @Override
    public UdpSocket openUdpEndpoint(String endpointName, UdpSocketOptions options) {
        checkOpen();
        Objects.requireNonNull(options, "options");
        MinaSocketEngine.Endpoint e = engine.endpoint(endpointName);
        // an endpoint is a peer: connected mode; a local address given alongside is not supported
        UdpSocketOptions connected = options.isConnected()
                ? options.toBuilder().remote(e.info().host(), e.info().port()).build()
                : UdpSocketOptions.builder().remote(e.info().host(), e.info().port())
                        .dnsQueryType(options.dnsQueryType()).build();
        return engine.openUdp(this, connected, e);
    }

    @Override
    public TcpServerSocket listenTcp(TcpServerSocketOptions options) {
        checkOpen();
        return engine.listenTcp(this, Objects.requireNonNull(options, "options"));
    }

    @Override
    public javax.net.SocketFactory socketFactory(TcpSocketOptions options) {
        checkOpen();
        return new ServiceSocketFactory(new SocketViews(this), Objects.requireNonNull(options, "options"));
    }

    @Override
    public javax.net.ssl.SSLSocketFactory sslSocketFactory(TcpSocketOptions options) {
        checkOpen();
        return new ServiceSslSocketFactory(new SocketViews(this), Objects.requireNonNull(options, "options"));
    }

    @Override
    public List<SocketInfo> sockets() {
        List<SocketInfo> out = new ArrayList<>();
        for (SocketBase s : sockets) {
            out.add(s.info());
        }
        out.sort(Comparator.comparingLong(SocketInfo::id));
        return out;
    }

    @Override
    public List<EndpointInfo> endpoints() {
        return engine.admin().endpoints();
    }

    /** Closes every socket of this owner and fails its pending opens. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            released = true;
        }
        SocketClosedException why = new SocketClosedException(
                "the socket service was released: owner bundle " + owner + " released the socket service");
        for (SocketBase s : new ArrayList<>(sockets)) {
            s.release(new SocketClosedException("socket " + s.destination + " closed: owner bundle " + owner
                    + " released the socket service", why.getCause()));
        }
        engine.ownerReleased(this);
    }

    @Override
    public String toString() {
        return "SocketService[" + owner + "]";
    }
}
