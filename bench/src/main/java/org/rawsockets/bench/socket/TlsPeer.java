package org.rawsockets.bench.socket;

import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * The TLS bulk suite's peer: {@link PeerServer}'s sink and source protocols behind a JDK
 * {@link SSLServerSocket} (one thread per connection, 256 KiB application buffers), run in a child
 * JVM so that its CPU is not counted against the client under test. Every client of the suite talks
 * to the same peer, with the same protocol and cipher suite.
 *
 * <p>{@code TlsPeer <pkcs12 file> <password> <protocol> <cipher suite>}: prints
 * {@code PEER sink=<port> source=<port>} and exits when its stdin closes.
 */
public final class TlsPeer {

    private static final int BUFFER = 256 * 1024;

    private TlsPeer() {
    }

    public static void main(String[] args) throws Exception {
        char[] password = args[1].toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(args[0])) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket sink = listen(ctx, args[2], args[3]);
        SSLServerSocket source = listen(ctx, args[2], args[3]);
        System.out.println("PEER sink=" + sink.getLocalPort() + " source=" + source.getLocalPort());
        System.out.flush();
        start(() -> accept(sink, true), "tls-peer-sink");
        start(() -> accept(source, false), "tls-peer-source");
        try (InputStream stdin = System.in) {
            while (stdin.read() >= 0) {
                // nothing is sent; EOF means the parent is gone
            }
        }
        System.exit(0);
    }

    private static SSLServerSocket listen(SSLContext ctx, String protocol, String cipher) throws IOException {
        SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 64,
                InetAddress.getLoopbackAddress());
        s.setEnabledProtocols(new String[] {protocol});
        s.setEnabledCipherSuites(new String[] {cipher});
        return s;
    }

    private static void start(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private static void accept(ServerSocket server, boolean sink) {
        while (true) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            start(() -> serve(s, sink), sink ? "tls-peer-sink-conn" : "tls-peer-source-conn");
        }
    }

    private static void serve(Socket s, boolean sink) {
        try (s) {
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            long left = in.readLong();
            byte[] buf = new byte[BUFFER];
            if (sink) {
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        return;
                    }
                    left -= n;
                }
                out.write('K');
                out.flush();
            } else {
                for (int i = 0; i < buf.length; i++) {
                    buf[i] = (byte) (i * 31);
                }
                while (left > 0) {
                    int n = (int) Math.min(buf.length, left);
                    out.write(buf, 0, n);
                    left -= n;
                }
                out.flush();
            }
            // the client closes; wait for that so the last bytes are not cut by a reset
            while (in.read(buf) >= 0) {
                // drain
            }
        } catch (IOException e) {
            // the client went away: the client's side reports it
        }
    }
}
