package org.rawsockets.coap.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpOpenInfo;
import org.rawsockets.socket.UdpSocket;

/**
 * A {@link DatagramSocket} that is only a view of a connected {@link UdpSocket} of the socket
 * service, handed to Scandium's {@code DTLSConnector} where it would otherwise create its own: every
 * method Scandium calls is overridden ({@code send} is a {@code write} on the UdpSocket, {@code receive}
 * waits for its {@code readable()}, {@code close} closes it). The superclass is built on an
 * implementation whose every operation throws, so no operating-system socket is ever created and a
 * method not overridden here fails loudly instead of reaching the network.
 */
final class UdpSocketDatagrams extends DatagramSocket {

    /** Longest wait for the socket service to accept one outgoing datagram. */
    static final long SEND_TIMEOUT_MILLIS = 5_000;

    private final UdpSocket socket;
    private final InetSocketAddress peer;
    private final InetSocketAddress local;
    private final String label;
    private final Runnable onFailure;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private volatile Throwable failure;

    /**
     * @param socket an opened, connected socket
     * @param info what its {@code opened()} completed with
     * @param label device name for messages
     * @param onFailure run (once, on another thread) when the socket fails or ends
     */
    UdpSocketDatagrams(UdpSocket socket, UdpOpenInfo info, String label, Runnable onFailure) {
        super(new Unopened());
        this.socket = socket;
        this.peer = info.remote().orElseThrow(() -> new IllegalArgumentException("the UDP socket is not connected"));
        this.local = info.localAddress();
        this.label = label;
        this.onFailure = onFailure;
    }

    InetSocketAddress peer() {
        return peer;
    }

    InetSocketAddress local() {
        return local;
    }

    long datagramsReceived() {
        return received.get();
    }

    long datagramsSent() {
        return sent.get();
    }

    Throwable failure() {
        return failure;
    }

    /** One datagram from the UdpSocket; blocks until one comes, the socket ends or the thread is interrupted. */
    @Override
    public void receive(DatagramPacket packet) throws IOException {
        if (isClosed()) {
            throw new SocketException("coap " + label + ": the UDP socket to " + peer + " is closed");
        }
        if (failure != null) {
            // the read loop ended: park the receiver thread until the connector stops it (no spinning)
            waitClosed();
            throw new SocketException("coap " + label + ": the UDP socket to " + peer + " failed: " + failure);
        }
        ReadResult<UdpMessage> r;
        try {
            r = socket.readable().read().toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("coap " + label + ": receive interrupted");
        } catch (ExecutionException e) {
            fail(e.getCause());
            throw new SocketException("coap " + label + ": the UDP socket to " + peer + " failed: " + e.getCause());
        }
        if (r.done()) {
            fail(new SocketException("the socket was closed"));
            throw new SocketException("coap " + label + ": the UDP socket to " + peer + " ended");
        }
        byte[] bytes = r.value().bytes();
        int n = Math.min(bytes.length, packet.getData().length - packet.getOffset());
        System.arraycopy(bytes, 0, packet.getData(), packet.getOffset(), n);
        packet.setLength(n);
        packet.setSocketAddress(peer);
        received.incrementAndGet();
    }

    private void waitClosed() throws InterruptedIOException {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("coap " + label + ": receive interrupted");
        }
    }

    private void fail(Throwable t) {
        if (failure == null && !isClosed()) {
            failure = t;
            Thread stopper = new Thread(onFailure, "coap-dtls-stop-" + label);
            stopper.setDaemon(true);
            stopper.start();
        }
    }

    /** One datagram to the device, through the UdpSocket (the policy checks it there). */
    @Override
    public void send(DatagramPacket packet) throws IOException {
        if (isClosed()) {
            throw new SocketException("coap " + label + ": the UDP socket to " + peer + " is closed");
        }
        if (!peer.equals(packet.getSocketAddress())) {
            throw new SocketException("coap " + label + ": the UDP socket is connected to " + peer + ", not "
                    + packet.getSocketAddress());
        }
        ByteBuffer data = ByteBuffer.wrap(packet.getData(), packet.getOffset(), packet.getLength()).slice();
        try {
            socket.writable().write(UdpMessage.of(data)).toCompletableFuture().get(SEND_TIMEOUT_MILLIS,
                    TimeUnit.MILLISECONDS);
            sent.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("coap " + label + ": send interrupted");
        } catch (ExecutionException e) {
            throw new IOException("coap " + label + ": cannot send a DTLS datagram to " + peer + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("coap " + label + ": the socket service did not take a DTLS datagram to " + peer
                    + " within " + SEND_TIMEOUT_MILLIS + " ms");
        }
    }

    @Override
    public void close() {
        if (closed.getCount() > 0) {
            closed.countDown();
            socket.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed.getCount() == 0;
    }

    @Override
    public boolean isBound() {
        return true;
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public void bind(SocketAddress addr) throws SocketException {
        throw new SocketException("coap " + label + ": already bound by the socket service to " + local);
    }

    @Override
    public void connect(InetAddress address, int port) {
        throw new UnsupportedOperationException("coap " + label + ": connected by the socket service to " + peer);
    }

    @Override
    public void connect(SocketAddress addr) throws SocketException {
        throw new SocketException("coap " + label + ": connected by the socket service to " + peer);
    }

    @Override
    public void disconnect() {
        throw new UnsupportedOperationException("coap " + label + ": connected by the socket service to " + peer);
    }

    @Override
    public InetAddress getInetAddress() {
        return peer.getAddress();
    }

    @Override
    public int getPort() {
        return peer.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return peer;
    }

    @Override
    public InetAddress getLocalAddress() {
        return local.getAddress();
    }

    @Override
    public int getLocalPort() {
        return local.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return local;
    }

    // Buffer sizes, address reuse and timeouts belong to the socket service: accepted and ignored.
    @Override
    public void setReuseAddress(boolean on) {
    }

    @Override
    public boolean getReuseAddress() {
        return false;
    }

    @Override
    public void setReceiveBufferSize(int size) {
    }

    @Override
    public int getReceiveBufferSize() {
        return 0;
    }

    @Override
    public void setSendBufferSize(int size) {
    }

    @Override
    public int getSendBufferSize() {
        return 0;
    }

    @Override
    public void setSoTimeout(int timeout) {
    }

    @Override
    public int getSoTimeout() {
        return 0;
    }

    @Override
    public DatagramChannel getChannel() {
        return null;
    }

    @Override
    public <T> DatagramSocket setOption(SocketOption<T> name, T value) throws IOException {
        throw new UnsupportedOperationException("coap " + label + ": socket options belong to the socket service");
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        throw new UnsupportedOperationException("coap " + label + ": socket options belong to the socket service");
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Set.of();
    }

    @Override
    public String toString() {
        return "UDP via socket service " + local + " -> " + peer;
    }

    /** The superclass's implementation: never creates an operating-system socket, every call throws. */
    private static final class Unopened extends DatagramSocketImpl {

        private static SocketException refused() {
            return new SocketException("the CoAP bundle's DTLS datagrams go through the socket service only");
        }

        @Override
        protected void create() throws SocketException {
            throw refused();
        }

        @Override
        protected void bind(int lport, InetAddress laddr) throws SocketException {
            throw refused();
        }

        @Override
        protected void send(DatagramPacket p) throws IOException {
            throw refused();
        }

        @Override
        protected int peek(InetAddress i) throws IOException {
            throw refused();
        }

        @Override
        protected int peekData(DatagramPacket p) throws IOException {
            throw refused();
        }

        @Override
        protected void receive(DatagramPacket p) throws IOException {
            throw refused();
        }

        @Override
        @Deprecated
        protected void setTTL(byte ttl) throws IOException {
            throw refused();
        }

        @Override
        @Deprecated
        protected byte getTTL() throws IOException {
            throw refused();
        }

        @Override
        protected void setTimeToLive(int ttl) throws IOException {
            throw refused();
        }

        @Override
        protected int getTimeToLive() throws IOException {
            throw refused();
        }

        @Override
        protected void join(InetAddress inetaddr) throws IOException {
            throw refused();
        }

        @Override
        protected void leave(InetAddress inetaddr) throws IOException {
            throw refused();
        }

        @Override
        protected void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
            throw refused();
        }

        @Override
        protected void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
            throw refused();
        }

        @Override
        protected void close() {
        }

        @Override
        public void setOption(int optID, Object value) throws SocketException {
            throw refused();
        }

        @Override
        public Object getOption(int optID) throws SocketException {
            throw refused();
        }
    }
}
