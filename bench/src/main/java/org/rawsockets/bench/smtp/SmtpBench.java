package org.rawsockets.bench.smtp;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.MessageSource;
import org.rawsockets.smtp.SmtpClient;
import org.rawsockets.smtp.SmtpSession;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTlsMode;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;

import jakarta.mail.Address;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * Messages per second over one connection to a loopback SMTP sink: this project's client (with
 * PIPELINING; and with CHUNKING/BDAT) against Angus Mail 2.0 (the Jakarta Mail implementation, one
 * command per round trip). Same sink, same message, one run; prints the figures and the ratio.
 *
 * <pre>
 * ./mvnw -q -pl bench -am package -DskipTests &amp;&amp; bench/run.sh smtp [messages] [bytes] [latencyMicros]
 * </pre>
 *
 * The sink is a minimal SMTP server in this class (EHLO, MAIL, RCPT, DATA, BDAT, RSET, NOOP, QUIT)
 * that reads whatever is pipelined and flushes its replies only when its input is drained, as real
 * pipelining servers do; it discards the data, counting messages.
 */
public final class SmtpBench {

    private SmtpBench() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        int latencyMicros = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        byte[] message = message(size);
        System.out.printf(Locale.ROOT, "SMTP suite: JVM %s, %d cores; %d-byte message, 1 recipient, one connection%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), message.length);
        scenario("loopback, sink replies at once", message, messages, 0);
        scenario("loopback, sink adds " + latencyMicros + " us per reply flush (a LAN-like round trip)", message,
                Math.max(200, messages / 10), latencyMicros);
    }

    static void scenario(String title, byte[] message, int messages, int latencyMicros) throws Exception {
        try (Sink plain = new Sink(false, latencyMicros); Sink chunking = new Sink(true, latencyMicros)) {
            System.out.printf(Locale.ROOT, "%n%s: %d messages per client%n", title, messages);
            int warm = Math.max(50, messages / 5);
            angus(plain.port(), message, warm);
            ours(plain.port(), message, warm, false, 1);
            ours(chunking.port(), message, warm, true, 1);
            int rounds = 5;
            double[][] rate = new double[4][rounds];
            double[] trips = new double[4];
            for (int round = 0; round < rounds; round++) { // interleaved rounds; the median is reported
                for (int c = 0; c < 4; c++) {
                    Sink sink = c == 2 ? chunking : plain;
                    long f0 = sink.flushes.get();
                    rate[c][round] = switch (c) {
                        case 0 -> angus(plain.port(), message, messages);
                        case 1 -> ours(plain.port(), message, messages, false, 1);
                        case 2 -> ours(chunking.port(), message, messages, true, 1);
                        default -> ours(plain.port(), message, messages, false, 32);
                    };
                    trips[c] = (sink.flushes.get() - f0) / (double) messages;
                }
            }
            double angus = median(rate[0]);
            System.out.printf(Locale.ROOT, "  %-52s %,9.0f msg/s   %.2f round trips/msg   (median of %d)%n",
                    "angus-mail 2.0.4 (one command per round trip)", angus, trips[0], rounds);
            row("rawsockets smtp, PIPELINING, DATA", median(rate[1]), angus, trips[1]);
            if (latencyMicros == 0) {
                org.rawsockets.bench.Targets.ratio("smtp.pipelining", median(rate[1]), angus,
                        String.format(Locale.ROOT, "%.0f vs %.0f msg/s", median(rate[1]), angus));
            }
            row("rawsockets smtp, PIPELINING, BDAT (CHUNKING)", median(rate[2]), angus, trips[2]);
            row("rawsockets smtp, PIPELINING, DATA, 32 sends queued", median(rate[3]), angus, trips[3]);
            if (plain.received.get() == 0 || chunking.received.get() == 0) {
                throw new IllegalStateException("the sink received no message");
            }
        }
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }

    private static void row(String name, double rate, double angus, double trips) {
        System.out.printf(Locale.ROOT, "  %-52s %,9.0f msg/s   %.2f round trips/msg   %.2fx angus%n", name, rate,
                trips, rate / angus);
    }

    static byte[] message(int size) {
        StringBuilder sb = new StringBuilder("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: bench\r\n"
                + "Message-ID: <bench@example.org>\r\n\r\n");
        while (sb.length() < size) {
            sb.append("The quick brown fox jumps over the lazy dog. 0123456789\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static double angus(int port, byte[] raw, int n) throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", Integer.toString(port));
        p.put("mail.smtp.localhost", "localhost");
        Session session = Session.getInstance(p);
        MimeMessage msg = new MimeMessage(session, new ByteArrayInputStream(raw));
        Address[] to = { new InternetAddress("bob@example.org") };
        msg.setFrom(new InternetAddress("alice@example.org"));
        try (Transport t = session.getTransport("smtp")) {
            t.connect();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                t.sendMessage(msg, to);
            }
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Sends n messages; {@code window} sends are queued on the session before waiting for the oldest. */
    static double ours(int port, byte[] raw, int n, boolean chunking, int window) throws Exception {
        try (MinaSocketEngine engine = MinaSocketEngine.standalone();
                OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.smtp"))) {
            SmtpSettings st = SmtpSettings.builder().host("127.0.0.1").port(port).tlsMode(SmtpTlsMode.OFF)
                    .chunking(chunking).commandTimeout(Duration.ofSeconds(30)).build();
            SmtpSession s = SmtpClient.connect(sockets, st).toCompletableFuture().get(30, TimeUnit.SECONDS);
            Envelope env = Envelope.of("alice@example.org", "bob@example.org");
            MessageSource src = MessageSource.of(raw);
            java.util.ArrayDeque<java.util.concurrent.CompletableFuture<?>> inFlight = new java.util.ArrayDeque<>();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (inFlight.size() == window) {
                    inFlight.poll().get(30, TimeUnit.SECONDS);
                }
                inFlight.add(s.send(env, src).toCompletableFuture());
            }
            while (!inFlight.isEmpty()) {
                inFlight.poll().get(30, TimeUnit.SECONDS);
            }
            double rate = n / ((System.nanoTime() - start) / 1e9);
            s.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return rate;
        }
    }

    /** A minimal pipelining SMTP sink on 127.0.0.1 (a thread per connection). */
    static final class Sink implements AutoCloseable {
        private final ServerSocket server;
        private final boolean chunking;
        private final long latencyNanos;
        final AtomicLong received = new AtomicLong();
        final AtomicLong flushes = new AtomicLong();

        Sink(boolean chunking, int latencyMicros) throws IOException {
            this.chunking = chunking;
            this.latencyNanos = latencyMicros * 1000L;
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            Thread t = new Thread(this::acceptLoop, "smtp-sink");
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
                    s.setTcpNoDelay(true);
                    Thread t = new Thread(() -> serve(s), "smtp-sink-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s; Input in = new Input(s.getInputStream());
                    OutputStream out = new BufferedOutputStream(s.getOutputStream(), 8192)) {
                reply(in, out, "220 sink ESMTP ready");
                String line;
                while ((line = in.readLine(out)) != null) {
                    String u = line.toUpperCase(Locale.ROOT);
                    if (u.startsWith("EHLO")) {
                        reply(in, out, "250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 100000000\r\n"
                                + (chunking ? "250-CHUNKING\r\n" : "") + "250 ENHANCEDSTATUSCODES");
                    } else if (u.startsWith("HELO")) {
                        reply(in, out, "250 sink");
                    } else if (u.startsWith("MAIL") || u.startsWith("RCPT")) {
                        reply(in, out, "250 2.1.0 Ok");
                    } else if (u.equals("DATA")) {
                        reply(in, out, "354 End data with <CR><LF>.<CR><LF>");
                        in.skipData(out);
                        received.incrementAndGet();
                        reply(in, out, "250 2.0.0 Ok: queued");
                    } else if (u.startsWith("BDAT ")) {
                        String[] parts = line.split(" ");
                        long n = Long.parseLong(parts[1]);
                        in.skip(n, out);
                        if (parts.length > 2 && parts[2].equalsIgnoreCase("LAST")) {
                            received.incrementAndGet();
                            reply(in, out, "250 2.0.0 Ok: queued");
                        } else {
                            reply(in, out, "250 2.0.0 chunk received");
                        }
                    } else if (u.equals("QUIT")) {
                        reply(in, out, "221 2.0.0 Bye");
                        out.flush();
                        return;
                    } else if (u.equals("RSET") || u.equals("NOOP")) {
                        reply(in, out, "250 2.0.0 Ok");
                    } else {
                        reply(in, out, "502 5.5.2 Command not recognized");
                    }
                }
            } catch (IOException e) {
                // client went away
            }
        }

        /** Queues a reply; flushes (after the emulated latency) only when no pipelined input is waiting. */
        private void reply(Input in, OutputStream out, String text) throws IOException {
            out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
            if (!in.hasMore()) {
                if (latencyNanos > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(latencyNanos);
                }
                flushes.incrementAndGet();
                out.flush();
            }
        }

        /** Buffered input scanned in bulk (lines, DATA terminator, BDAT byte counts). */
        static final class Input implements AutoCloseable {
            private final InputStream in;
            private final byte[] buf = new byte[65536];
            private int pos;
            private int limit;

            Input(InputStream in) {
                this.in = in;
            }

            boolean hasMore() throws IOException {
                return pos < limit || in.available() > 0;
            }

            /** Fills the buffer; before blocking, flushes pending replies. */
            private boolean fill(OutputStream out) throws IOException {
                if (in.available() == 0) {
                    out.flush();
                }
                int n = in.read(buf, 0, buf.length);
                if (n <= 0) {
                    return false;
                }
                pos = 0;
                limit = n;
                return true;
            }

            String readLine(OutputStream out) throws IOException {
                StringBuilder sb = null;
                while (true) {
                    if (pos == limit && !fill(out)) {
                        return null;
                    }
                    for (int i = pos; i < limit; i++) {
                        if (buf[i] == '\n') {
                            int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                            String part = new String(buf, pos, end - pos, StandardCharsets.US_ASCII);
                            pos = i + 1;
                            if (sb == null) {
                                return part;
                            }
                            sb.append(part);
                            int len = sb.length();
                            return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
                        }
                    }
                    if (sb == null) {
                        sb = new StringBuilder();
                    }
                    sb.append(new String(buf, pos, limit - pos, StandardCharsets.US_ASCII));
                    pos = limit;
                    if (sb.length() > 4096) {
                        throw new IOException("line too long");
                    }
                }
            }

            void skip(long n, OutputStream out) throws IOException {
                while (n > 0) {
                    if (pos == limit && !fill(out)) {
                        throw new IOException("connection closed in BDAT");
                    }
                    int k = (int) Math.min(n, limit - pos);
                    pos += k;
                    n -= k;
                }
            }

            /** Skips DATA content up to and including CRLF "." CRLF (state carried across buffers). */
            void skipData(OutputStream out) throws IOException {
                int state = 2; // 0: in line, 1: saw CR, 2: at line start, 3: saw '.', 4: saw '.' CR
                while (true) {
                    if (pos == limit && !fill(out)) {
                        throw new IOException("connection closed in DATA");
                    }
                    while (pos < limit) {
                        byte c = buf[pos++];
                        switch (state) {
                            case 0 -> state = c == '\r' ? 1 : 0;
                            case 1 -> state = c == '\n' ? 2 : (c == '\r' ? 1 : 0);
                            case 2 -> state = c == '.' ? 3 : (c == '\r' ? 1 : 0);
                            case 3 -> state = c == '\r' ? 4 : 0;
                            default -> {
                                if (c == '\n') {
                                    return;
                                }
                                state = 0;
                            }
                        }
                    }
                }
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
