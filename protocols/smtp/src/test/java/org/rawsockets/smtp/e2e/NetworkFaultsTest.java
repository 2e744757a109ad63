package org.rawsockets.smtp.e2e;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.MessageSource;
import org.rawsockets.smtp.SendResult;
import org.rawsockets.smtp.SmtpClient;
import org.rawsockets.smtp.SmtpException;
import org.rawsockets.smtp.SmtpSession;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTlsMode;
import org.rawsockets.socket.RawSocketException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.netfault.FaultNetwork;
import org.rawsockets.socket.netfault.Leaks;

/**
 * The SMTP client through network faults (issue 21): the npm smtp-server package (node) in a network
 * namespace the test creates ({@code ip netns exec}), the client in this JVM reaching it over a veth
 * pair (a private /30, nothing leaves the machine), plain SMTP on port 25 of the namespace. Faults:
 * a TCP reset in the middle of DATA, a blackhole while the client waits for the reply to the end of
 * data and a frozen server (SIGSTOP) there, 10 % loss both ways at MTU 576 and every packet of the
 * server duplicated during a large message, a delay with jitter that reorders. A message is either accepted by the
 * server intact (its SHA-256, computed by the server, equals the sent one) and reported as sent, or
 * the send fails with a typed error naming the server and the cause ({@link SmtpException}, or the
 * socket API's {@link RawSocketException} for a broken connection, as {@link SmtpSession} documents)
 * within its bound; a message cut by the reset is never reported as sent nor accepted by the server.
 * After close no socket, thread or file descriptor of the client remains.
 */
class NetworkFaultsTest {

    static final boolean FULL = Boolean.getBoolean("faults.full");
    static final Duration DEADLINE = Duration.ofSeconds(45);
    static final int PORT = 25; // the namespace is the test's own: every port is free there

    static MinaSocketEngine engine;
    static OwnedSocketService sockets;
    FaultNetwork net;
    TestPeers.NodeSmtpServer server;
    final List<SmtpSession> sessions = new ArrayList<>();
    Leaks leaks;

    @BeforeAll
    static void engine() throws Exception {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.smtp"));
        Leaks.startIoThreads(sockets); // so that a later count sees only what a test leaves
    }

    @AfterAll
    static void stopEngine() {
        if (sockets != null) {
            sockets.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @BeforeEach
    void network() throws Exception {
        net = new FaultNetwork();
        server = new TestPeers.NodeSmtpServer("{\"host\":\"" + net.peerAddress + "\",\"port\":" + PORT
                + ",\"hideStartTls\":true,\"keepBytes\":0,\"size\":10000000}", List.of("ip", "netns", "exec", net.name));
        assertEquals(PORT, server.port);
        leaks = Leaks.baseline(sockets::sockets);
    }

    @AfterEach
    void close() throws Exception {
        for (SmtpSession s : sessions) {
            s.abort();
        }
        try {
            if (server != null) {
                FaultNetwork.thaw(server.process);
                server.close();
                synchronized (server.errors) {
                    System.out.println("---- smtp-server's other output: " + server.errors);
                }
            }
        } finally {
            if (net != null) {
                System.out.println("---- fault network " + net.name + " " + net.hostAddress + " <-> " + net.peerAddress);
                net.close();
            }
        }
    }

    /**
     * The client reads the source a chunk at a time (it fills the chunk, then writes it): a
     * {@link PausingSource} pauses at a multiple of this.
     */
    static final int CHUNK = 16 * 1024;

    SmtpSettings settings(Duration replyTimeout) {
        return SmtpSettings.builder().host(net.peerAddress).port(PORT).tlsMode(SmtpTlsMode.OFF).chunkSize(CHUNK)
                .connectTimeout(Duration.ofSeconds(5)).commandTimeout(replyTimeout).dataTimeout(replyTimeout)
                .timeout(Duration.ofSeconds(40)).build();
    }

    SmtpSession connect(Duration replyTimeout) throws Exception {
        SmtpSession s = SmtpClient.connect(sockets, settings(replyTimeout)).toCompletableFuture()
                .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        sessions.add(s);
        return s;
    }

    /** Waits for {@code f}: null on success, the typed error it failed with; anything else fails. */
    static Exception ends(String what, CompletableFuture<?> f) throws Exception {
        try {
            f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SmtpException || e.getCause() instanceof RawSocketException) {
                return (Exception) e.getCause();
            }
            throw new AssertionError(what + " failed with an untyped " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not end within " + DEADLINE, e);
        }
    }

    /** A message of {@code size} bytes: headers, then CRLF lines of letters and digits (no bare CR or LF). */
    static byte[] message(String subject, int size) {
        byte[] head = ("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: " + subject + "\r\n\r\n")
                .getBytes(US_ASCII);
        byte[] m = new byte[size];
        System.arraycopy(head, 0, m, 0, head.length);
        String letters = "abcdefghijklmnopqrstuvwxyz0123456789";
        int i = head.length;
        int col = 0;
        while (i < size - 2) {
            if (col == 78 && size - i > 3) {
                m[i++] = '\r';
                m[i++] = '\n';
                col = 0;
            } else {
                m[i] = (byte) letters.charAt((i * 7 + subject.length()) % letters.length());
                i++;
                col++;
            }
        }
        m[size - 2] = '\r';
        m[size - 1] = '\n';
        return m;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /**
     * A message source that delivers its first {@code pauseAt} bytes, then waits (bounded) until the
     * test calls {@link #go()}: the fault is applied at a known point of the data. {@code pauseAt}
     * is a multiple of {@link #CHUNK}, so the client has written everything before it.
     */
    static final class PausingSource implements MessageSource {
        final byte[] bytes;
        final int pauseAt;
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch go = new CountDownLatch(1);

        PausingSource(byte[] bytes, int pauseAt) {
            this.bytes = bytes;
            this.pauseAt = pauseAt;
        }

        void go() {
            go.countDown();
        }

        @Override
        public java.util.OptionalLong size() {
            return java.util.OptionalLong.of(bytes.length);
        }

        @Override
        public InputStream open() {
            return new InputStream() {
                int pos;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (pos == pauseAt) {
                        paused.countDown();
                        try {
                            if (!go.await(60, TimeUnit.SECONDS)) {
                                throw new IOException("the test did not release the message source");
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted", e);
                        }
                    }
                    if (pos >= bytes.length) {
                        return -1;
                    }
                    int n = Math.min(len, (pos < pauseAt ? pauseAt : bytes.length) - pos);
                    System.arraycopy(bytes, pos, b, off, n);
                    pos += n;
                    return n;
                }
            };
        }
    }

    /** Bytes of this client's connection to the server handed to the operating system so far. */
    long bytesOut() {
        return sockets.sockets().stream().filter(i -> i.remote().map(a -> a.getPort() == PORT).orElse(false))
                .mapToLong(SocketInfo::bytesOut).sum();
    }

    /** Waits until {@code source} is paused with everything before the pause handed to the OS. */
    void pausedAndSent(PausingSource source) throws Exception {
        assertTrue(source.paused.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the client never read up to the pause");
        until(DEADLINE.toMillis(), "the data before the pause handed to the OS", () -> bytesOut() >= source.pauseAt,
                () -> bytesOut() + " bytes out");
    }

    /**
     * After the fault: a new session delivers a message intact, and the server accepted nothing else
     * before it but intact copies of messages in {@code intactEarlier} (SHA-256): a message whose send
     * failed may still have reached the server whole (the reply to its end was lost: SMTP's known
     * ambiguity), never truncated.
     */
    void nextAcceptedIsANewMessage(Set<String> intactEarlier) throws Exception {
        byte[] after = message("after the fault", 5000);
        SmtpSession s = connect(Duration.ofSeconds(20));
        SendResult r = s.send(Envelope.of("alice@example.org", "bob@example.org"), MessageSource.of(after))
                .toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(250, r.messageReply().code());
        String rec = server.nextMessage();
        while (!sha256(after).equals(Json.string(rec, "sha256"))) {
            assertTrue(intactEarlier.contains(Json.string(rec, "sha256")), "the server accepted a message that was not "
                    + "sent whole: " + rec);
            rec = server.nextMessage();
        }
        s.close().toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    /** After the sessions are closed: no socket, thread or descriptor more than before them. */
    void noLeaks() throws Exception {
        for (SmtpSession s : sessions) {
            s.abort();
        }
        leaks.awaitReleased();
    }

    static void until(long millis, String what, BooleanSupplier condition, Supplier<?> state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not " + what + " within " + millis + " ms; now: " + state.get());
            }
            Thread.sleep(10);
        }
    }

    @Test
    void resetInTheMiddleOfDataFailsTypedAndTheMessageIsNotSent() throws Exception {
        byte[] m = message("cut by a reset", 12 * CHUNK);
        PausingSource source = new PausingSource(m, 6 * CHUNK);
        SmtpSession s = connect(Duration.ofSeconds(10));
        CompletableFuture<SendResult> send = s.send(Envelope.of("alice@example.org", "bob@example.org"), source)
                .toCompletableFuture();
        pausedAndSent(source);
        net.resetTcp(PORT);
        source.go();
        Exception e = ends("the send cut by the reset", send);
        assertNotNull(e, "a message cut by a reset was reported as sent");
        System.out.println("reset in DATA: " + e);
        String text = String.valueOf(e.getMessage()).toLowerCase();
        assertInstanceOf(RawSocketException.class, e, e::toString);
        assertTrue(text.contains("smtp server " + net.peerAddress + ":" + PORT) && text.contains("message data")
                && text.contains("reset"), "the message names the server, what and the cause: " + e);
        assertTrue(net.matched("filter", "INPUT") > 0, "the reset took effect");
        until(DEADLINE.toMillis(), "the session closed after the broken connection", () -> !s.isOpen(), s::toString);
        net.clear();
        nextAcceptedIsANewMessage(Set.of()); // the cut message was not accepted
        noLeaks();
    }

    /** A step of a fault: applying or lifting it. */
    interface Step {
        void run() throws Exception;
    }

    /**
     * A message sent but for its end of data, then {@code fault}, then the end of data: the send must
     * end with {@link TimedOutException} at the 2 s reply bound, naming the server, what and the bound
     * ({@code lift} runs right after the send ended, also when it did not).
     *
     * @return the message's length
     */
    int endOfDataIntoAFaultTimesOut(String what, Step fault, Step lift) throws Exception {
        Duration bound = Duration.ofSeconds(2);
        byte[] m = message("into " + what, 2 * CHUNK);
        PausingSource source = new PausingSource(m, m.length); // everything but the end of data
        SmtpSession s = connect(bound);
        CompletableFuture<SendResult> send = s.send(Envelope.of("alice@example.org", "bob@example.org"), source)
                .toCompletableFuture();
        pausedAndSent(source);
        fault.run();
        long start = System.nanoTime();
        Exception e;
        try {
            source.go(); // the end of data goes into the fault; the reply never comes
            e = ends("the send waiting for the reply", send);
        } finally {
            lift.run();
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertNotNull(e, "a message was reported as sent through " + what);
        System.out.println(what + ", reply wait, after " + ms + " ms: " + e);
        assertInstanceOf(TimedOutException.class, e, e::toString);
        assertTrue(e.getMessage().contains("SMTP server " + net.peerAddress + ":" + PORT) && e.getMessage().contains(
                "end of the message data") && e.getMessage().contains("within 2 s"),
                "the message names the server, what and the bound: " + e.getMessage());
        assertTrue(ms >= bound.toMillis() - 50 && ms < bound.toMillis() + 15_000, "timed out after " + ms
                + " ms: not at the bound of " + bound.toMillis() + " ms");
        return m.length;
    }

    @Test
    void blackholeDuringTheReplyWaitTimesOutWithinTheBound() throws Exception {
        endOfDataIntoAFaultTimesOut("a blackhole", net::blackhole, () -> { });
        assertTrue(net.matched("filter", "OUTPUT") + net.matched("filter", "INPUT") > 0, "the blackhole took effect");
        net.clear();
        noLeaks();
    }

    @Test
    void aFrozenServerDuringTheReplyWaitTimesOutWithinTheBoundThenAcceptsTheNextMessage() throws Exception {
        int cut = endOfDataIntoAFaultTimesOut("a frozen server", () -> FaultNetwork.freeze(server.process),
                () -> FaultNetwork.thaw(server.process));
        // resumed: a new session's message is accepted intact (the timed-out one may be too: the
        // server got all of it; SMTP cannot take that back, so only the new one is checked)
        byte[] next = message("after the thaw", 20_000);
        SmtpSession again = connect(Duration.ofSeconds(10));
        assertEquals(null, ends("the message after the thaw", again.send(Envelope.of("alice@example.org",
                "bob@example.org"), MessageSource.of(next)).toCompletableFuture()));
        String want = sha256(next);
        String rec;
        do {
            rec = server.nextMessage();
        } while (!want.equals(Json.string(rec, "sha256")) && Json.number(rec, "size") == cut);
        assertEquals(want, Json.string(rec, "sha256"), "the message sent after the thaw, accepted intact");
        again.close().toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        noLeaks();
    }

    /**
     * A new session sends {@code m}, which {@code fault} alone must not fail: the server accepts it
     * with its SHA-256 equal to the sent one; then the session closes.
     *
     * @return milliseconds from the connect to the acceptance
     */
    long sentIntact(byte[] m, String fault) throws Exception {
        long start = System.nanoTime();
        SmtpSession s = connect(Duration.ofSeconds(10));
        Exception e = ends("the message", s.send(Envelope.of("alice@example.org", "bob@example.org"),
                MessageSource.of(m)).toCompletableFuture());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(null, e, fault + " alone must not fail the send");
        String rec = server.nextMessage();
        assertEquals(m.length, Json.number(rec, "size"), rec);
        assertEquals(sha256(m), Json.string(rec, "sha256"), "the server's checksum of the message sent");
        s.close().toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        return ms;
    }

    @Test
    void everyPacketOfTheServerDuplicatedALargeMessageArrivesIntact() throws Exception {
        net.mtu(576);
        net.duplicate();
        int rounds = FULL ? 5 : 1;
        for (int i = 0; i < rounds; i++) {
            byte[] m = message("duplicated " + i, 300_000);
            long ms = sentIntact(m, "duplication");
            System.out.println("duplication, MTU 576: greeting to accepted " + m.length + " bytes in " + ms + " ms; "
                    + net.matched("mangle", "POSTROUTING") + " packets of the server duplicated so far");
        }
        assertTrue(net.matched("mangle", "POSTROUTING") > 0, "the duplication took effect");
        net.clear();
        noLeaks();
    }

    @Test
    void delayWithJitterReordersPacketsAndTheMessageArrivesIntact() throws Exception {
        // 200 ms +- 50 ms each way (netem's "delay 200ms 50ms", by FaultNetwork.delay), from the
        // greeting on: every command waits a round trip of 300-500 ms, and the message's segments,
        // written back to back, leave the delay in another order
        net.delay(200, 50, 25);
        int rounds = FULL ? 5 : 1;
        for (int i = 0; i < rounds; i++) {
            byte[] m = message("through delay " + i, 60_000);
            long ms = sentIntact(m, "a delay");
            System.out.println("delay 200 +- 50 ms: greeting to accepted " + m.length + " bytes in " + ms + " ms");
            assertTrue(ms >= 4 * 300, "greeting, EHLO, the envelope and the data's end each wait a round trip: " + ms);
        }
        long queued = net.matched("filter", "INPUT") + net.matched("filter", "OUTPUT");
        net.clear();
        String report = net.delayReport();
        System.out.println("delay 200 +- 50 ms: " + queued + " packets through the delay (" + report + ")");
        net.checkDelayReordered(queued);
        noLeaks();
    }

    @Test
    void lossAtMtu576DuringALargeMessageDeliversItIntactOrFailsTyped() throws Exception {
        net.mtu(576);
        int rounds = FULL ? 5 : 1;
        Set<String> failed = new HashSet<>();
        for (int i = 0; i < rounds; i++) {
            byte[] m = message("large through loss " + i, 300_000);
            // The session opens on a clean path, the loss starts with the message: a greeting lost a few
            // times in a row waits out TCP's backed-off retransmissions (3, 6, 12 s after a lost SYN-ACK)
            // beyond any reply timeout, which would test the greeting rather than the message.
            SmtpSession s = connect(Duration.ofSeconds(20));
            net.loss(10);
            long start = System.nanoTime();
            Exception e = ends("the large message " + i, s.send(Envelope.of("alice@example.org", "bob@example.org"),
                    MessageSource.of(m)).toCompletableFuture());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long dropped = net.matched("filter", "INPUT") + net.matched("filter", "OUTPUT");
            System.out.println("loss 10 %, MTU 576, " + m.length + " bytes: " + (e == null ? "sent" : e.toString())
                    + " in " + ms + " ms; " + dropped + " packets dropped so far");
            if (e == null) {
                String rec = server.nextMessage();
                assertEquals(m.length, Json.number(rec, "size"), rec);
                assertEquals(sha256(m), Json.string(rec, "sha256"), "the server's checksum of the message sent");
                s.close().toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            } else {
                assertTrue(String.valueOf(e.getMessage()).contains("SMTP server " + net.peerAddress + ":" + PORT),
                        e.toString());
                failed.add(sha256(m));
            }
            assertTrue(dropped > 0, "the loss took effect");
            net.ns("iptables", "-F"); // the loss ends with the message (the MTU stays)
        }
        net.clear();
        nextAcceptedIsANewMessage(failed); // nothing truncated was accepted in between
        noLeaks();
    }
}
