package org.rawsockets.socket.contract;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback listener whose accept queue is full, so that further connection attempts hang in
 * SYN-SENT: the deterministic way to provoke a connect timeout without unroutable addresses.
 *
 * <p>Why this is deterministic on Linux: a listener with backlog 1 that never accepts holds at
 * most backlog+1 established connections; once that accept queue is full the kernel drops incoming
 * SYNs (net.ipv4.tcp_abort_on_overflow=0, the default, and SYN cookies do not apply to a full
 * accept queue), so the client retransmits its SYN after 1 s, 3 s, ... and never connects while
 * the listener lives. The constructor fills the queue with plain JDK connects until one of them
 * itself fails to connect within its limit, which proves the queue is full (checked on the CI
 * image, Linux 6.x loopback: two connects succeed, the third hangs; three later non-blocking NIO
 * connects stayed pending for 3 s each). A network namespace with a blackhole route would also do,
 * but needs root and iproute2; the full backlog needs neither.
 */
public final class FullBacklogListener implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> fillers = new ArrayList<>();

    public FullBacklogListener() throws IOException {
        this(InetAddress.getLoopbackAddress(), 0);
    }

    /**
     * A full-backlog listener on {@code address} (e.g. {@code ::1}) and {@code port} (0: a free one).
     *
     * @throws java.net.BindException when the port is taken on that address
     */
    public FullBacklogListener(InetAddress address, int port) throws IOException {
        server = new ServerSocket(port, 1, address);
        for (int i = 0; i < 32; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(address, server.getLocalPort()), 1000);
                fillers.add(s);
            } catch (SocketTimeoutException full) {
                s.close();
                return;
            }
        }
        close();
        throw new AssertionError("the backlog of a listener that never accepts did not fill after 32 connects:"
                + " this platform does not drop SYNs on a full accept queue, so connect timeouts cannot be provoked");
    }

    public int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() {
        for (Socket s : fillers) {
            try {
                s.close();
            } catch (IOException e) {
                // ignore
            }
        }
        try {
            server.close();
        } catch (IOException e) {
            // ignore
        }
    }
}
