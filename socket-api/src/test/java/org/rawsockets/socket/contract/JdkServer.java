package org.rawsockets.socket.contract;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A plain JDK listening socket on 127.0.0.1 used as the peer where an external tool cannot give
 * the control a test needs (stopping to read for backpressure, SO_LINGER 0 for a reset, STARTTLS
 * which needs protocol cooperation). Accepted sockets are queued for the test; everything is
 * closed by {@link #close()}.
 */
public final class JdkServer implements AutoCloseable {

    private final ServerSocket server;
    private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
    private final List<Socket> all = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /** @param receiveBufferSize SO_RCVBUF for accepted sockets, 0 for the system default */
    public JdkServer(int receiveBufferSize) throws IOException {
        server = new ServerSocket();
        if (receiveBufferSize > 0) {
            server.setReceiveBufferSize(receiveBufferSize);
        }
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    all.add(s);
                    accepted.add(s);
                } catch (IOException e) {
                    return;
                }
            }
        }, "contract-jdk-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public JdkServer() throws IOException {
        this(0);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The next accepted connection, waiting at most {@code limit}. */
    public Socket accept(Duration limit) {
        try {
            Socket s = accepted.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (s == null) {
                throw new AssertionError("the JDK peer accepted no connection within " + limit);
            }
            s.setSoTimeout((int) Stages.PROMPT.toMillis());
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public Socket accept() {
        return accept(Stages.PROMPT);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // ignore
        }
        for (Socket s : all) {
            try {
                s.close();
            } catch (IOException e) {
                // ignore
            }
        }
    }
}
