package org.rawsockets.coap.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.elements.UdpEndpointContext;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpOpenInfo;
import org.rawsockets.socket.UdpSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Californium's {@link Connector} on a connected {@link UdpSocket} of the socket service: every
 * datagram Californium sends is a {@code write} on that socket and every datagram it receives came
 * through that socket's {@code readable()}, so the bundle's policy, quotas and audit see all of them.
 * The socket is opened (and checked by the policy) before this connector is made; the endpoint
 * owns the connector, and stopping it closes the socket.
 */
final class SocketConnector implements DeviceConnector {

    private static final Logger LOG = LoggerFactory.getLogger(SocketConnector.class);

    private final UdpSocket socket;
    private final InetSocketAddress peer;
    private final InetSocketAddress local;
    private final String label;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private volatile RawDataChannel receiver;
    private volatile EndpointContextMatcher matcher;
    private volatile boolean running;
    private volatile Throwable failure;

    /**
     * @param socket an opened connected socket
     * @param info what its {@code opened()} completed with
     * @param label device name for log lines
     */
    SocketConnector(UdpSocket socket, UdpOpenInfo info, String label) {
        this.socket = socket;
        this.peer = info.remote().orElseThrow(() -> new IllegalArgumentException("the UDP socket is not connected"));
        this.local = info.localAddress();
        this.label = label;
    }

    /** The device's resolved address (what requests are addressed to). */
    @Override
    public InetSocketAddress peer() {
        return peer;
    }

    @Override
    public long datagramsReceived() {
        return received.get();
    }

    /** Datagrams dropped before Californium because their header is malformed (see {@link Datagrams}). */
    @Override
    public long datagramsMalformed() {
        return malformed.get();
    }

    @Override
    public long datagramsSent() {
        return sent.get();
    }

    @Override
    public synchronized void start() throws IOException {
        if (running) {
            return;
        }
        if (failure != null) {
            throw new IOException("coap " + label + ": the UDP socket to " + peer + " failed: " + failure, failure);
        }
        running = true;
        readNext();
    }

    private void readNext() {
        socket.readable().read().whenComplete((r, e) -> {
            if (e != null) {
                failure = e;
                running = false;
                LOG.warn("coap {}: UDP socket to {} failed, no more responses: {}", label, peer, e.toString());
                return;
            }
            if (r.done()) {
                running = false;
                return;
            }
            try {
                deliver(r);
            } catch (RuntimeException ex) {
                // a peer's datagram must never stop the read loop
                LOG.warn("coap {}: datagram from {} dropped: {}", label, peer, ex.toString());
            }
            readNext();
        });
    }

    private void deliver(ReadResult<UdpMessage> r) {
        RawDataChannel channel = receiver;
        if (channel == null) {
            return;
        }
        received.incrementAndGet();
        byte[] bytes = r.value().bytes();
        try {
            Datagrams.decode(bytes);
        } catch (org.rawsockets.coap.CoapProtocolException e) {
            if (malformed.incrementAndGet() == 1) {
                LOG.warn("coap {}: {} from {} dropped; further ones are only counted (coap:devices)", label,
                        e.getMessage(), peer);
            }
            return;
        }
        channel.receiveData(RawData.inbound(bytes, new UdpEndpointContext(peer), false, System.nanoTime(), local));
    }

    @Override
    public void send(RawData msg) {
        if (!running) {
            msg.onError(new SocketClosedException("coap " + label + ": the UDP socket to " + peer + " is closed"
                    + (failure != null ? " (" + failure + ")" : "")));
            return;
        }
        EndpointContext context = new UdpEndpointContext(peer);
        EndpointContextMatcher m = matcher;
        if (m != null && !m.isToBeSent(msg.getEndpointContext(), context)) {
            msg.onError(new IOException("coap " + label + ": endpoint context of the message does not match " + peer));
            return;
        }
        msg.onContextEstablished(context);
        socket.writable().write(UdpMessage.of(ByteBuffer.wrap(msg.getBytes()))).whenComplete((v, e) -> {
            if (e == null) {
                sent.incrementAndGet();
                msg.onSent();
            } else {
                msg.onError(e);
            }
        });
    }

    @Override
    public void stop() {
        running = false;
        socket.close();
    }

    @Override
    public void destroy() {
        stop();
    }

    @Override
    public void setRawDataReceiver(RawDataChannel messageHandler) {
        this.receiver = messageHandler;
    }

    @Override
    public void setEndpointContextMatcher(EndpointContextMatcher endpointContextMatcher) {
        this.matcher = endpointContextMatcher;
    }

    @Override
    public InetSocketAddress getAddress() {
        return local;
    }

    @Override
    public String getProtocol() {
        return "UDP";
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void processDatagram(DatagramPacket datagram) {
        throw new UnsupportedOperationException("coap " + label
                + ": datagrams come only from the socket service's UdpSocket, not injected");
    }

    @Override
    public String toString() {
        return "UDP via socket service " + local + " -> " + peer;
    }
}
