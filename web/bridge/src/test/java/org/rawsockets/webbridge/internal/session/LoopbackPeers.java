package org.rawsockets.webbridge.internal.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/** Real peers on 127.0.0.1 with free ports, each on its own daemon threads; closed by the test. */
final class LoopbackPeers implements AutoCloseable {

    private final CopyOnWriteArrayList<AutoCloseable> open = new CopyOnWriteArrayList<>();

    /** A TCP echo server (each connection echoes until EOF, then half-closes); its port. */
    int tcpEcho() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    Thread c = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            byte[] b = new byte[65536];
                            int n;
                            while ((n = in.read(b)) > 0) {
                                out.write(b, 0, n);
                            }
                            s.shutdownOutput();
                        } catch (IOException e) {
                            // the test closed it
                        }
                    }, "tcp-echo-conn");
                    c.setDaemon(true);
                    c.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "tcp-echo");
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    /** A TCP server that accepts and hands the connections to the test (which may never read them). */
    ServerSocket tcpServer(LinkedBlockingQueue<Socket> accepted) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    accepted.add(s);
                } catch (IOException e) {
                    return;
                }
            }
        }, "tcp-accept");
        t.setDaemon(true);
        t.start();
        return server;
    }

    /** A UDP echo server; its port. */
    int udpEcho() throws IOException {
        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        open.add(socket);
        Thread t = new Thread(() -> {
            byte[] b = new byte[65536];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    socket.receive(p);
                    socket.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }, "udp-echo");
        t.setDaemon(true);
        t.start();
        return socket.getLocalPort();
    }

    void register(AutoCloseable c) {
        open.add(c);
    }

    @Override
    public void close() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
    }
}
