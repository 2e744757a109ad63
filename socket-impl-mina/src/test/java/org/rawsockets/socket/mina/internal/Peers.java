package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Independent loopback peers built on blocking java.net sockets (not on the engine under test). */
final class Peers {
    private Peers() {
    }

    /** A one-connection-at-a-time server on 127.0.0.1 running {@code body} per accepted socket. */
    static final class Server implements AutoCloseable {
        final ServerSocket server;
        final BlockingQueue<Socket> accepted = new ArrayBlockingQueue<>(64);
        private final Thread thread;

        Server(Consumer<Socket> body) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        accepted.offer(s);
                        Thread t = new Thread(() -> body.accept(s), "peer-conn");
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "peer-accept");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        Socket next() throws InterruptedException {
            Socket s = accepted.poll(20, TimeUnit.SECONDS);
            if (s == null) {
                throw new AssertionError("the peer accepted no connection within 20 s");
            }
            return s;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** Echoes everything, half-closes after the client's FIN. */
    static void echo(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
            s.shutdownOutput();
            in.read();
        } catch (IOException e) {
            // peer gone
        }
    }

    /** Accepts and does nothing (never reads) until closed. */
    static void idle(Socket s) {
    }
}
