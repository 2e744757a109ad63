package org.rawsockets.smtp.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile SMTP peer on 127.0.0.1: it accepts every connection and sends its greeting one byte per
 * second, a line that never ends (each byte resets a per-read timeout, so only an overall deadline
 * ends the wait). It reads and discards what the client sends and counts the connections the client
 * closed.
 */
public final class TricklingServer implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> connections = new ArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger closedByClient = new AtomicInteger();
    private final long intervalMillis;

    public TricklingServer(long intervalMillis) throws IOException {
        this.intervalMillis = intervalMillis;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::acceptLoop, "trickle-acceptor");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public int accepted() {
        return accepted.get();
    }

    /** Connections on which the client closed its side (the peer read end of stream or a reset). */
    public int closedByClient() {
        return closedByClient.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            synchronized (connections) {
                connections.add(s);
            }
            Thread writer = new Thread(() -> trickle(s), "trickle-writer");
            writer.setDaemon(true);
            writer.start();
            Thread reader = new Thread(() -> drain(s), "trickle-reader");
            reader.setDaemon(true);
            reader.start();
        }
    }

    private void trickle(Socket s) {
        byte[] greeting = "220 trickling.example.org ESMTP ".getBytes(StandardCharsets.US_ASCII);
        try {
            OutputStream out = s.getOutputStream();
            for (int i = 0; !s.isClosed(); i++) {
                out.write(i < greeting.length ? greeting[i] : 'x');
                out.flush();
                Thread.sleep(intervalMillis);
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, or the server is closing
        }
    }

    private void drain(Socket s) {
        byte[] b = new byte[4096];
        try {
            InputStream in = s.getInputStream();
            while (in.read(b) >= 0) {
                // discard
            }
            closedByClient.incrementAndGet();
        } catch (IOException e) {
            if (!s.isClosed()) {
                closedByClient.incrementAndGet(); // reset by the client
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (connections) {
            for (Socket s : connections) {
                s.close();
            }
        }
    }
}
