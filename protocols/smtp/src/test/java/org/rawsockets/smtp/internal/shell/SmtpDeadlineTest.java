package org.rawsockets.smtp.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rawsockets.smtp.ProbeResult;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.smtp.internal.MailSenderComponent;
import org.rawsockets.smtp.internal.TestServers;
import org.rawsockets.smtp.internal.TricklingServer;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * Every operation has a deadline and is cancelled when its caller gives up: against a server that
 * trickles one byte per second, each probe and send ends at its configured deadline, and within 1 s
 * the socket is gone from the bundle's socket service and no session thread ({@code smtp-N}) remains.
 */
class SmtpDeadlineTest {

    private MinaSocketEngine engine;
    private OwnedSocketService sockets;
    private TricklingServer trickler;
    private SmtpCommands commands;

    @BeforeEach
    void start() throws Exception {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.smtp"));
        trickler = new TricklingServer(1000);
        commands = new SmtpCommands();
    }

    @AfterEach
    void stop() throws Exception {
        trickler.close();
        sockets.close();
        engine.close();
    }

    private MailSenderComponent sender(String name, Object... extra) {
        Map<String, Object> p = new HashMap<>(Map.of("name", name, "host", "127.0.0.1", "port", trickler.port(), "tls",
                "OFF", "timeoutMillis", 2000L));
        for (int i = 0; i < extra.length; i += 2) {
            p.put((String) extra[i], extra[i + 1]);
        }
        return TestServers.sender(sockets, new SecretFiles(null), TestServers.registry(), TestServers.props(
                p.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toArray()));
    }

    /** Session threads of this test's server (their names end with the server label). */
    private List<String> sessionThreads() {
        String label = "127.0.0.1:" + trickler.port();
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.matches("smtp-\\d+ .*") && n.endsWith(label)).toList();
    }

    private static void within(long millis, String what, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(what + " within " + millis + " ms; now: " + state.get());
            }
            Thread.sleep(10);
        }
    }

    /** @return how long the release took, in ms */
    private long assertReleasedWithinOneSecond(String after) throws InterruptedException {
        long t0 = System.nanoTime();
        within(1000, "no SMTP socket and no session thread left after " + after,
                () -> sockets.sockets().isEmpty() && sessionThreads().isEmpty(),
                () -> "sockets " + sockets.sockets() + ", threads " + sessionThreads());
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void tenProbesAndSendsEndAtTheDeadlineAndReleaseEverything() throws Exception {
        commands.addSender(sender("slow"));
        long minMs = Long.MAX_VALUE;
        long maxMs = 0;
        long maxRelease = 0;
        for (int i = 0; i < 10; i++) {
            for (boolean probe : new boolean[] { true, false }) {
                long t0 = System.nanoTime();
                Exception e = assertThrows(Exception.class, () -> {
                    if (probe) {
                        commands.probe("slow");
                    } else {
                        commands.send("", "subject", "body", "slow", "alice@example.org", "bob@example.org");
                    }
                });
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                String what = (probe ? "probe " : "send ") + i;
                assertTrue(e instanceof TimedOutException, what + ": " + e);
                assertTrue(e.getMessage().contains("within 2 s"), e.getMessage());
                assertTrue(ms >= 1900 && ms < 3500, what + " took " + ms + " ms, the deadline is 2 s");
                minMs = Math.min(minMs, ms);
                maxMs = Math.max(maxMs, ms);
                maxRelease = Math.max(maxRelease, assertReleasedWithinOneSecond(what));
            }
        }
        System.out.println("SmtpDeadlineTest: 10 probes + 10 sends against a trickling server ended after " + minMs + ".."
                + maxMs + " ms (deadline 2000 ms); socket and session thread gone within " + maxRelease + " ms after");
        within(1000, "the server saw every connection closed", () -> trickler.closedByClient() == 20,
                () -> trickler.closedByClient() + " of " + trickler.accepted());
        assertEquals(20, trickler.accepted());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aCallerThatGivesUpCancelsTheSession() throws Exception {
        MailSenderComponent slow = sender("slow", "timeoutMillis", 60_000L);
        CompletableFuture<ProbeResult> probe = slow.probe().toCompletableFuture();
        within(5000, "connected", () -> trickler.accepted() == 1 && !sockets.sockets().isEmpty(),
                () -> sockets.sockets().toString());
        probe.cancel(true);
        assertReleasedWithinOneSecond("the probe was cancelled");
        CompletableFuture<?> send = slow.send(org.rawsockets.smtp.Envelope.of("alice@example.org", "bob@example.org"),
                org.rawsockets.smtp.MessageSource.of("Subject: x\r\n\r\nx".getBytes()),
                org.rawsockets.smtp.ProgressListener.NONE).toCompletableFuture();
        within(5000, "connected", () -> trickler.accepted() == 2 && !sockets.sockets().isEmpty(),
                () -> sockets.sockets().toString());
        send.orTimeout(200, TimeUnit.MILLISECONDS);
        assertThrows(Exception.class, () -> send.get(5, TimeUnit.SECONDS));
        assertReleasedWithinOneSecond("the send's caller timed out");
        within(1000, "the server saw both connections closed", () -> trickler.closedByClient() == 2,
                () -> trickler.closedByClient() + " of " + trickler.accepted());
    }

    /** A reply must arrive whole within the command timeout, however its bytes trickle (each read is quick). */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aTricklingReplyIsBoundedByTheCommandTimeout() throws Exception {
        org.rawsockets.smtp.SmtpSettings st = org.rawsockets.smtp.SmtpSettings.builder().host("127.0.0.1")
                .port(trickler.port()).tlsMode(org.rawsockets.smtp.SmtpTlsMode.OFF)
                .commandTimeout(java.time.Duration.ofSeconds(2)).build();
        long t0 = System.nanoTime();
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> org.rawsockets.smtp.SmtpClient.connect(sockets, st).toCompletableFuture().get(30, TimeUnit.SECONDS));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(e.getCause() instanceof TimedOutException, e.getCause().toString());
        assertTrue(e.getCause().getMessage().contains("did not reply to the greeting within 2 s"), e.getCause().getMessage());
        assertTrue(ms < 3500, "took " + ms + " ms");
        assertReleasedWithinOneSecond("the greeting timed out");
    }
}
