package org.rawsockets.coap.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.rawsockets.coap.CoapException;
import org.rawsockets.coap.CoapLink;
import org.rawsockets.coap.CoapProtocolException;
import org.rawsockets.coap.CoapRequest;
import org.rawsockets.coap.CoapResponse;
import org.rawsockets.coap.CoapServerLinks;
import org.rawsockets.coap.CoapTransportException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One multicast discovery (RFC 7252 section 8.1, RFC 7390 section 2.6): a NON
 * {@code GET /.well-known/core} with a fresh 8-byte token sent once to the group through an opened
 * bound {@link UdpSocket}, then the unicast responses carrying that token collected for the window,
 * the first per source address and port. A confirmable response is acknowledged (an Empty ACK to its
 * source). A server whose answer has more blocks (Block2 with M set) is asked for the whole document
 * by unicast, as RFC 7959 section 2.8 says: a {@link CoapClientImpl} to its address (a connected
 * socket of the same socket service; block-wise, confirmable), bounded by {@link #FOLLOW_UP_MILLIS},
 * at most {@link #MAX_FOLLOW_UPS} at once.
 * The socket is read one datagram at a time; the exchange ends at the window's end (once the
 * follow-ups running then are done), when {@code maxResponses} servers answered, or when the socket
 * fails; it then closes the socket. Skipped datagrams (malformed, another token, a duplicate, an
 * error code, a document that is not link-format) and failed follow-ups are only counted and logged
 * at the end.
 */
final class GroupExchange {

    private static final Logger LOG = LoggerFactory.getLogger(GroupExchange.class);
    private static final UdpDataSerializer SERIALIZER = new UdpDataSerializer();
    /** The longest a unicast follow-up of a block-wise answer may take (it may outlast the window). */
    static final long FOLLOW_UP_MILLIS = 10_000;
    /** The largest link-format document a follow-up reassembles. */
    static final int FOLLOW_UP_MAX_BODY = 64 * 1024;
    /** Follow-ups running at once (each is a socket); a further block-wise answer is skipped. */
    static final int MAX_FOLLOW_UPS = 16;

    private final SocketService sockets;
    private final UdpSocket socket;
    private final GroupSettings settings;
    private final String query;
    private final long windowMillis;
    private final int maxResponses;
    private final String what;
    private final byte[] token = new byte[8];
    private final CompletableFuture<List<CoapServerLinks>> result = new CompletableFuture<>();
    // guarded by this
    private final Map<InetSocketAddress, CoapServerLinks> servers = new LinkedHashMap<>();
    private final Map<String, Integer> skipped = new LinkedHashMap<>();
    private final Map<InetSocketAddress, CoapClientImpl> followUps = new LinkedHashMap<>();
    private String firstSkip;
    private boolean windowOver;
    private boolean ended;
    private long sentAt;

    GroupExchange(SocketService sockets, UdpSocket socket, GroupSettings settings, String query, long windowMillis,
            int maxResponses) {
        this.sockets = sockets;
        this.socket = socket;
        this.settings = settings;
        this.query = query;
        this.windowMillis = windowMillis;
        this.maxResponses = maxResponses;
        this.what = "coap discovery " + settings.target() + ": NON GET /.well-known/core"
                + (query.isEmpty() ? "" : "?" + query);
        ThreadLocalRandom.current().nextBytes(token);
    }

    /** Completes with the servers that answered; fails only when the request could not be sent. */
    CompletableFuture<List<CoapServerLinks>> result() {
        return result;
    }

    UdpSocket socket() {
        return socket;
    }

    String describe() {
        return what;
    }

    /**
     * The request datagram: NON GET with Uri-Path, Uri-Query (split at '&'), Accept: 40, and Block2
     * (block 0 of {@code blockSize}) when the block size is below 1024.
     */
    byte[] request() {
        Request r = new Request(CoAP.Code.GET, CoAP.Type.NON);
        r.setToken(token);
        r.setMID(ThreadLocalRandom.current().nextInt(1 << 16));
        r.getOptions().setUriPath(".well-known/core");
        if (!query.isEmpty()) {
            r.getOptions().setUriQuery(query);
        }
        r.getOptions().setAccept(CoapRequest.LINK_FORMAT);
        if (settings.blockSize() < 1024) {
            r.getOptions().setBlock2(Integer.numberOfTrailingZeros(settings.blockSize()) - 4, false, 0);
        }
        return SERIALIZER.getByteArray(r);
    }

    /** Sends the request to the group, starts reading and the window. */
    void start() {
        synchronized (this) {
            sentAt = System.nanoTime();
        }
        CompletableFuture.delayedExecutor(windowMillis, TimeUnit.MILLISECONDS).execute(this::windowOver);
        socket.writable().write(UdpMessage.to(settings.group(), settings.port(), request())).whenComplete((v, e) -> {
            if (e != null) {
                Throwable t = CoapClientImpl.unwrap(e);
                end(new CoapTransportException(what + ": cannot send the request to the group: " + t.getMessage()
                        + (t instanceof NotAllowedException ? " (the policy needs a udp-bound grant for "
                                + settings.group() + " port " + settings.port() + ")"
                                : " (is there a multicast route on the interface?)"), t));
            }
        });
        read();
    }

    private void read() {
        socket.readable().read().whenComplete((r, e) -> {
            if (e != null) {
                Throwable t = CoapClientImpl.unwrap(e);
                end(new CoapTransportException(what + ": the UDP socket failed: " + t.getMessage(), t));
                return;
            }
            if (r.done()) {
                end(null); // closed: by the window's end, the limit, or the service closing
                return;
            }
            try {
                handle(r);
            } catch (RuntimeException ex) {
                skip("unusable datagram (" + ex + ")", null);
            }
            synchronized (this) {
                if (ended) {
                    return;
                }
            }
            read();
        });
    }

    private void handle(ReadResult<UdpMessage> r) {
        UdpMessage m = r.value();
        InetSocketAddress source;
        try {
            source = new InetSocketAddress(InetAddress.getByName(m.remoteAddress()), m.remotePort());
        } catch (UnknownHostException e) {
            skip("datagram without a source address", m.remoteAddress());
            return;
        }
        Message msg;
        try {
            msg = Datagrams.decode(m.bytes());
        } catch (CoapProtocolException e) {
            skip(e.getMessage(), source);
            return;
        }
        if (!(msg instanceof Response response) || !Arrays.equals(msg.getTokenBytes(), token)) {
            skip("not a response to this request", source);
            return;
        }
        if (response.getType() == CoAP.Type.CON) {
            acknowledge(response.getMID(), source);
        }
        CoapResponse resp = CoapClientImpl.toResponse(response);
        synchronized (this) {
            if (ended) {
                return;
            }
            if (servers.containsKey(source) || followUps.containsKey(source)) {
                skip("a further response of the same server", source);
                return;
            }
        }
        if (resp.isSuccess() && response.getOptions().hasBlock2() && response.getOptions().getBlock2().isM()) {
            followUp(source);
            return;
        }
        List<CoapLink> links;
        try {
            links = Links.parse(what + " answered by " + source, resp);
        } catch (CompletionException e) {
            skip(e.getCause().getMessage(), source);
            return;
        }
        if (!query.isEmpty() && links.isEmpty()) {
            skip("no matching link", source); // RFC 7390 2.6.1: such a server should not answer at all
            return;
        }
        found(source, links);
    }

    private void found(InetSocketAddress source, List<CoapLink> links) {
        boolean full;
        synchronized (this) {
            if (ended || servers.containsKey(source)) {
                return;
            }
            servers.put(source, new CoapServerLinks(source, links));
            full = servers.size() >= maxResponses;
        }
        if (full) {
            end(null);
        }
    }

    /** The whole document of a block-wise answer, by unicast GET to the server that sent it. */
    private void followUp(InetSocketAddress source) {
        CoapClientImpl client;
        synchronized (this) {
            if (ended || windowOver || followUps.containsKey(source)) {
                return;
            }
            if (followUps.size() >= Math.min(MAX_FOLLOW_UPS, maxResponses)) {
                skip("block-wise answer while " + followUps.size() + " unicast follow-ups run (at most "
                        + MAX_FOLLOW_UPS + ")", source);
                return;
            }
            client = new CoapClientImpl(CoapSettings.of("discovery", source.getAddress().getHostAddress(),
                    source.getPort()).withTimeout(FOLLOW_UP_MILLIS).withBodies(settings.blockSize(), FOLLOW_UP_MAX_BODY),
                    sockets);
            followUps.put(source, client);
        }
        client.discover(query).whenComplete((links, e) -> {
            client.close();
            boolean last;
            synchronized (this) {
                followUps.remove(source);
                last = windowOver && followUps.isEmpty();
            }
            if (e != null) {
                skip("unicast follow-up of a block-wise answer failed: " + CoapClientImpl.unwrap(e).getMessage(), source);
            } else if (!query.isEmpty() && links.isEmpty()) {
                skip("no matching link", source);
            } else {
                found(source, links);
            }
            if (last) {
                end(null);
            }
        });
    }

    /** The window passed: ends now, or when the follow-ups running now are done. */
    private void windowOver() {
        synchronized (this) {
            windowOver = true;
            if (!followUps.isEmpty()) {
                return;
            }
        }
        end(null);
    }

    /** An Empty ACK (RFC 7252 section 4.2) to a confirmable response; failures are only logged. */
    private void acknowledge(int mid, InetSocketAddress to) {
        byte[] ack = { (byte) 0x60, 0, (byte) (mid >> 8), (byte) mid };
        socket.writable().write(UdpMessage.to(to.getAddress().getHostAddress(), to.getPort(), ack)).whenComplete(
                (v, e) -> {
                    if (e != null) {
                        LOG.debug("{}: cannot acknowledge the confirmable response of {}: {}", what, to, e.toString());
                    }
                });
    }

    private synchronized void skip(String why, Object source) {
        String key = why.length() > 60 ? why.substring(0, 60) : why;
        if (skipped.size() < 16 || skipped.containsKey(key)) {
            skipped.merge(key, 1, Integer::sum);
        }
        if (firstSkip == null) {
            firstSkip = why + (source != null ? " (from " + source + ")" : "");
        }
    }

    /**
     * Ends the exchange (idempotent): closes the socket and the follow-ups' clients, completes with the
     * servers or {@code failure}.
     */
    void end(CoapException failure) {
        List<CoapServerLinks> found;
        List<CoapClientImpl> running;
        String skips;
        long millis;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            found = List.copyOf(new ArrayList<>(servers.values()));
            running = new ArrayList<>(followUps.values());
            skips = skipped.isEmpty() ? "" : ", skipped " + skipped + "; first: " + firstSkip;
            millis = sentAt == 0 ? 0 : (System.nanoTime() - sentAt) / 1_000_000;
        }
        socket.close();
        running.forEach(CoapClientImpl::close);
        if (failure != null) {
            result.completeExceptionally(failure);
            return;
        }
        if (skips.isEmpty()) {
            LOG.debug("{}: {} server(s) answered in {} ms", what, found.size(), millis);
        } else {
            LOG.info("{}: {} server(s) answered in {} ms{}", what, found.size(), millis, skips);
        }
        result.complete(found);
    }
}
