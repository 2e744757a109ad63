package org.rawsockets.webbridge.internal.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import javax.net.ssl.SSLSocket;
import org.rawsockets.socket.contract.TestPki;

/**
 * A small SMTP-like STARTTLS server on loopback, on the JDK (openssl s_server has no server-side
 * {@code -starttls}): greets with {@code 220 peer ready}, answers the line {@code STARTTLS} with
 * {@code 220 go ahead}, then does the TLS handshake with TestPki's localhost certificate and echoes
 * every byte over TLS. In {@link #plainAfterGoAhead} mode it answers the client's first TLS bytes with
 * plain text instead (a broken or malicious server). What happened to each connection goes to
 * {@link #events} ("tls TLSv1.3", "handshake failed: ...", ...).
 */
final class StartTlsPeer implements AutoCloseable {

    final ServerSocket server;
    final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    volatile boolean plainAfterGoAhead;

    StartTlsPeer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "starttls-peer");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread c = new Thread(() -> serve(s), "starttls-peer-conn");
                c.setDaemon(true);
                c.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            out.write("220 peer ready\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line = readLine(in);
            if (!"STARTTLS".equals(line)) {
                out.write("502 only STARTTLS here\r\n".getBytes(StandardCharsets.US_ASCII));
                events.add("unexpected command: " + line);
                return;
            }
            out.write("220 go ahead\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (plainAfterGoAhead) {
                int first = in.read(); // the client's first TLS byte (0x16, a handshake record)
                out.write("250 plain text, not TLS\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                events.add("answered TLS byte " + first + " with plain text");
                in.transferTo(OutputStream.nullOutputStream());
                return;
            }
            SSLSocket tls = (SSLSocket) TestPki.get().serverContext().getSocketFactory().createSocket(s, null,
                    s.getPort(), false);
            tls.setUseClientMode(false);
            try (tls) {
                tls.startHandshake();
                events.add("tls " + tls.getSession().getProtocol());
                tls.getInputStream().transferTo(tls.getOutputStream());
            } catch (IOException e) {
                events.add("handshake failed: " + e);
            }
        } catch (IOException e) {
            events.add("connection failed: " + e);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
