package org.rawsockets.modbus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.modbus.ModbusClientStatus;
import org.rawsockets.modbus.ModbusConnectionException;
import org.rawsockets.modbus.ModbusException;
import org.rawsockets.modbus.ModbusTimeoutException;
import org.rawsockets.modbus.ModbusTransport;
import org.rawsockets.modbus.Registers;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.netfault.FaultNetwork;
import org.rawsockets.socket.netfault.Leaks;

/**
 * The Modbus/TCP client through network faults (issue 21): j2mod's slave as a process of its own in a
 * network namespace the test creates ({@link NamespaceJ2modSlave} under {@code ip netns exec}), the
 * client in this JVM reaching it over a veth pair (a private /30, nothing leaves the machine). Faults:
 * 10 % loss both ways on a window of pipelined requests, a blackhole in the middle of a session, TCP
 * resets from the peer's side, a frozen slave (SIGSTOP) that resumes, every packet of the slave
 * duplicated at MTU 576, a delay with jitter that reorders. Every request ends with its
 * own answer (checked against the slave's data: never another request's, whatever the transaction
 * ids) or a typed {@link ModbusException} whose message names the device, the request and the cause,
 * within its deadline; after the fault is lifted the client (reconnect back-off 100 ms..1 s) is
 * connected again and answered; after close no socket, thread or file descriptor of it remains.
 * {@code -Dfaults.full=true} (profile {@code faults}) sends 10x the requests under loss.
 */
class NetworkFaultsTest {

    static final boolean FULL = Boolean.getBoolean("faults.full");
    /** Every stage ends within this (the client's own bounds are far shorter). */
    static final Duration DEADLINE = Duration.ofSeconds(45);
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    static final int PORT = 502; // the namespace is the test's own: every port is free there

    static MinaSocketEngine engine;
    static MinaSocketEngine.OwnedSocketService sockets;
    final List<AutoCloseable> cleanup = new ArrayList<>();
    FaultNetwork net;
    Process slave;
    Leaks leaks;

    @BeforeAll
    static void engine() throws Exception {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.modbus"));
        Leaks.startIoThreads(sockets); // so that a later count sees only what a test leaves
    }

    @AfterAll
    static void stopEngine() {
        sockets.close();
        engine.close();
    }

    @BeforeEach
    void network() throws Exception {
        net = new FaultNetwork();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        slave = net.start("j2mod", List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), NamespaceJ2modSlave.class.getName(), net.peerAddress,
                String.valueOf(PORT)));
        Waits.until(60_000, "j2mod listening in namespace " + net.name, () -> net.output("j2mod").contains("LISTENING")
                || !slave.isAlive(), () -> net.output("j2mod"));
        assertTrue(slave.isAlive(), () -> "j2mod ended: " + net.output("j2mod"));
        leaks = Leaks.baseline(sockets::sockets);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
        if (net != null) {
            System.out.println("---- fault network " + net.name + " " + net.hostAddress + " <-> " + net.peerAddress
                    + "\n---- j2mod's output:\n" + net.output("j2mod"));
            net.close();
        }
    }

    ModbusClientImpl client(String name, int maxInFlight) {
        return client(name, maxInFlight, TIMEOUT);
    }

    ModbusClientImpl client(String name, int maxInFlight, Duration timeout) {
        ClientSettings s = new ClientSettings(name, net.peerAddress, "", PORT, ModbusTransport.TCP, Peers.UNIT, timeout,
                Duration.ofSeconds(5), maxInFlight, 4096, Duration.ofMillis(100), Duration.ofSeconds(1), 3, true);
        ModbusClientImpl c = new ModbusClientImpl(s, sockets);
        cleanup.add(c);
        Waits.until(DEADLINE.toMillis(), "connected", () -> c.status().state() == ModbusClientStatus.State.CONNECTED,
                c::status);
        return c;
    }

    /** Waits for {@code f}: null on success, the typed error it failed with; anything else fails. */
    static ModbusException ends(String what, CompletableFuture<?> f) throws Exception {
        try {
            f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ModbusException m) {
                return m;
            }
            throw new AssertionError(what + " failed with an untyped " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not end within " + DEADLINE, e);
        }
    }

    /** A timeout's message names the device, the request, the bound. */
    static void isTimeout(ModbusException e, String device) {
        isTimeout(e, device, TIMEOUT);
    }

    static void isTimeout(ModbusException e, String device, Duration timeout) {
        assertInstanceOf(ModbusTimeoutException.class, e, () -> String.valueOf(e));
        assertTrue(e.getMessage().contains("modbus device '" + device + "'") && e.getMessage().contains("no response to")
                && e.getMessage().contains("within " + timeout.toMillis() + " ms"), e.getMessage());
    }

    /** Reads holding registers at {@code address}, {@code count} of them, and checks they are the slave's. */
    static void readsItsOwnAnswer(ModbusClientImpl c, int address, int count) throws Exception {
        Registers r = c.readHoldingRegisters(Peers.UNIT, address, count).toCompletableFuture()
                .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        checkAnswer(r, address, count);
    }

    static void checkAnswer(Registers r, int address, int count) {
        assertEquals(count, r.size(), "registers in the answer to " + count + " at " + address);
        for (int k = 0; k < count; k++) {
            assertEquals(Peers.holding(address + k), r.uint16(k), "register " + k + " of the answer to " + count + " at "
                    + address + ": another request's answer?");
        }
    }

    /** After the fault is lifted: connected again (within the back-off) and answered. */
    void recovers(ModbusClientImpl c) throws Exception {
        Waits.until(DEADLINE.toMillis(), "connected again after the fault", () -> {
            if (c.status().state() != ModbusClientStatus.State.CONNECTED) {
                return false;
            }
            try {
                readsItsOwnAnswer(c, 42, 3);
                return true;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof ModbusException)) {
                    throw new AssertionError("untyped failure after the fault: " + e.getCause(), e.getCause());
                }
                return false; // a request of the old connection's last moments: try again
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, c::status);
    }

    /** After the clients are closed: no socket, thread or descriptor more than before them. */
    void noLeaks(ModbusClientImpl... clients) throws Exception {
        for (ModbusClientImpl c : clients) {
            c.close();
        }
        leaks.awaitReleased();
    }

    @Test
    void lossOnAWindowOfRequestsEachGetsItsOwnAnswerOrATypedError() throws Exception {
        // the timeout counts from the call (queue wait + round trip): windows of maxInFlight requests,
        // each request's 5 s for its own round trip through the retransmissions
        Duration timeout = Duration.ofSeconds(5);
        int window = 8;
        ModbusClientImpl c = client("loss", window, timeout);
        readsItsOwnAnswer(c, 0, 1);
        net.loss(10);
        int n = FULL ? 2000 : 200;
        int answered = 0;
        int timedOut = 0;
        int lost = 0;
        for (int w = 0; w < n; w += window) {
            List<CompletableFuture<Registers>> futures = new ArrayList<>();
            for (int i = w; i < w + window; i++) {
                futures.add(c.readHoldingRegisters(Peers.UNIT, i % 150, 1 + i % 50).toCompletableFuture());
            }
            for (int k = 0; k < window; k++) {
                int i = w + k;
                ModbusException e = ends("request " + i, futures.get(k));
                if (e == null) {
                    checkAnswer(futures.get(k).join(), i % 150, 1 + i % 50);
                    answered++;
                } else if (e instanceof ModbusTimeoutException) {
                    isTimeout(e, "loss", timeout);
                    timedOut++;
                } else {
                    // 3 timeouts in a row close the connection (reconnectAfterTimeouts): what was in
                    // flight on it, or queued while it could not be opened again, fails saying so
                    assertInstanceOf(ModbusConnectionException.class, e);
                    assertTrue(e.getMessage().contains("modbus device 'loss'") && (e.getMessage().contains(
                            "connection was lost") || e.getMessage().contains("not sent") || e.getMessage().contains(
                            "not connected") || e.getMessage().contains("cannot connect")), e.getMessage());
                    lost++;
                }
            }
        }
        long dropped = net.matched("filter", "INPUT") + net.matched("filter", "OUTPUT");
        ModbusClientStatus s = c.status();
        System.out.println("loss 10 %: " + n + " requests: " + answered + " answered (each its own), " + timedOut
                + " timed out, " + lost + " failed with the connection; " + dropped + " packets dropped; " + s);
        assertTrue(dropped > 0, "the loss took effect");
        assertTrue(answered >= n / 2, "requests answered through 10 % loss: " + answered + " of " + n);
        net.clear();
        recovers(c);
        noLeaks(c);
    }

    /**
     * {@code n} reads in windows of {@code window} pipelined requests, each answered with its own
     * registers: none may fail under {@code fault} alone.
     *
     * @return the fastest and the slowest window, in ms
     */
    long[] windowsAllAnswered(ModbusClientImpl c, int n, int window, String fault) throws Exception {
        long fastest = Long.MAX_VALUE;
        long slowest = 0;
        for (int w = 0; w < n; w += window) {
            long start = System.nanoTime();
            List<CompletableFuture<Registers>> futures = new ArrayList<>();
            for (int i = w; i < w + window; i++) {
                futures.add(c.readHoldingRegisters(Peers.UNIT, i % 150, 1 + i % 50).toCompletableFuture());
            }
            for (int k = 0; k < window; k++) {
                int i = w + k;
                ModbusException e = ends("request " + i, futures.get(k));
                assertNull(e, () -> "request " + i + " failed under " + fault + " alone: " + e);
                checkAnswer(futures.get(k).join(), i % 150, 1 + i % 50);
            }
            long took = (System.nanoTime() - start) / 1_000_000;
            fastest = Math.min(fastest, took);
            slowest = Math.max(slowest, took);
        }
        return new long[] {fastest, slowest};
    }

    @Test
    void everyPacketOfTheSlaveDuplicatedAtMtu576EveryReadGetsItsOwnAnswerOnce() throws Exception {
        // TCP drops the copies (the kernel sees their sequence numbers again): no answer twice, none
        // matched to another request, nothing held by the client
        Duration timeout = Duration.ofSeconds(3);
        int window = 8;
        ModbusClientImpl c = client("duplicate", window, timeout);
        readsItsOwnAnswer(c, 0, 1);
        net.mtu(576);
        net.duplicate();
        int n = FULL ? 2000 : 200;
        long start = System.nanoTime();
        windowsAllAnswered(c, n, window, "duplication");
        long ms = (System.nanoTime() - start) / 1_000_000;
        long duplicated = net.matched("mangle", "POSTROUTING");
        System.out.println("duplication, MTU 576: " + n + " requests in windows of " + window + ", all answered (each its"
                + " own) in " + ms + " ms; " + duplicated + " packets of the slave duplicated; " + c.status());
        assertTrue(duplicated > 0, "the duplication took effect");
        net.clear();
        readsItsOwnAnswer(c, 7, 7);
        noLeaks(c);
    }

    @Test
    void delayWithJitterReordersPacketsYetEveryReadGetsItsOwnAnswer() throws Exception {
        // 200 ms +- 50 ms each way (netem's "delay 200ms 50ms", by FaultNetwork.delay): a round trip
        // of 300-500 ms, and the packets of a window, sent within microseconds, leave the delay in
        // another order; the timeout (3 s from the call) covers the round trip and TCP's repairs
        Duration timeout = Duration.ofSeconds(3);
        int window = 8;
        ModbusClientImpl c = client("delay", window, timeout);
        readsItsOwnAnswer(c, 0, 1);
        net.delay(200, 50, 21);
        int n = FULL ? 400 : 40;
        long[] took = windowsAllAnswered(c, n, window, "delay");
        long fastest = took[0];
        long slowest = took[1];
        long queued = net.matched("filter", "INPUT") + net.matched("filter", "OUTPUT");
        net.clear();
        String report = net.delayReport();
        System.out.println("delay 200 +- 50 ms: " + n + " requests in windows of " + window + ", all answered (each its"
                + " own); a window took " + fastest + "-" + slowest + " ms; " + queued + " packets through the delay ("
                + report + "); " + c.status());
        assertTrue(fastest >= 300, "a window's round trip is at least 2 x 150 ms: " + fastest + " ms");
        net.checkDelayReordered(queued);
        readsItsOwnAnswer(c, 7, 7);
        noLeaks(c);
    }

    @Test
    void blackholeMidSessionTimesOutWithinTheBoundThenReconnects() throws Exception {
        ModbusClientImpl c = client("bh", 4);
        readsItsOwnAnswer(c, 10, 5);
        long connects = c.status().connects();
        net.blackhole();
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            ModbusException e = ends("request " + i + " into the blackhole",
                    c.readHoldingRegisters(Peers.UNIT, 20 + i, 2).toCompletableFuture());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertNotNull(e, "a request answered through a blackhole");
            isTimeout(e, "bh");
            System.out.println("blackhole, request " + i + " after " + ms + " ms: " + e);
            assertTrue(ms >= TIMEOUT.toMillis() - 50 && ms < TIMEOUT.toMillis() + 15_000, "timed out after " + ms
                    + " ms: not at the bound of " + TIMEOUT.toMillis() + " ms");
        }
        // 3 timeouts in a row: the connection is closed and a new one tried (into the blackhole)
        java.util.concurrent.atomic.AtomicReference<ModbusClientStatus> givenUp = new java.util.concurrent.atomic.AtomicReference<>();
        Waits.until(DEADLINE.toMillis(), "the dead connection given up", () -> {
            ModbusClientStatus now = c.status();
            givenUp.set(now);
            return now.state() != ModbusClientStatus.State.CONNECTED;
        }, c::status);
        // (seen when it left CONNECTED: the new connect's own failure, 5 s later, replaces the error)
        assertTrue(givenUp.get().error().orElse("").contains("3 requests in a row got no answer within 1000 ms"),
                givenUp.get().toString());
        net.clear();
        recovers(c);
        assertTrue(c.status().connects() > connects, "a new connection: " + c.status());
        noLeaks(c);
    }

    @Test
    void resetFromThePeerFailsEveryPendingRequestTypedThenReconnects() throws Exception {
        ModbusClientImpl c = client("rst", 8);
        readsItsOwnAnswer(c, 30, 4);
        long connects = c.status().connects();
        net.resetTcp(PORT);
        List<CompletableFuture<Registers>> pending = new ArrayList<>();
        for (int i = 0; i < 20; i++) { // 8 in flight, 12 queued
            pending.add(c.readHoldingRegisters(Peers.UNIT, 40 + i, 1).toCompletableFuture());
        }
        boolean resetNamed = false;
        for (int i = 0; i < pending.size(); i++) {
            ModbusException e = ends("request " + i + " cut by the reset", pending.get(i));
            assertNotNull(e, "request " + i + " answered through a reset");
            assertInstanceOf(ModbusConnectionException.class, e, e::toString);
            assertTrue(e.getMessage().contains("modbus device 'rst'") && e.getMessage().contains(net.peerAddress + ":"
                    + PORT), e.getMessage());
            resetNamed |= e.getMessage().toLowerCase().contains("reset") || e.getMessage().toLowerCase().contains("refused");
            if (i == 0 || i == pending.size() - 1) {
                System.out.println("reset, request " + i + ": " + e);
            }
        }
        assertTrue(resetNamed, "the reset named as the cause");
        assertTrue(net.matched("filter", "INPUT") > 0, "the reset took effect");
        assertEquals(0, c.status().inFlight(), c.status()::toString);
        assertEquals(0, c.status().queued(), c.status()::toString);
        net.clear();
        recovers(c);
        assertTrue(c.status().connects() > connects, "a new connection: " + c.status());
        noLeaks(c);
    }

    @Test
    void aFrozenSlaveTimesOutThenAnswersWhenItResumes() throws Exception {
        ModbusClientImpl c = client("frozen", 4);
        readsItsOwnAnswer(c, 60, 6);
        FaultNetwork.freeze(slave);
        try {
            for (int i = 0; i < 2; i++) {
                ModbusException e = ends("request " + i + " to the frozen slave",
                        c.readHoldingRegisters(Peers.UNIT, 70 + i, 2).toCompletableFuture());
                assertNotNull(e, "a frozen slave answered");
                isTimeout(e, "frozen");
            }
            // a request pending when the slave resumes: it is answered, or times out, typed
            CompletableFuture<Registers> during = c.readHoldingRegisters(Peers.UNIT, 80, 2).toCompletableFuture();
            FaultNetwork.thaw(slave);
            ModbusException e = ends("the request pending while the slave resumed", during);
            if (e == null) {
                // the slave answered the two timed-out requests first, on the same connection: late
                // answers, matched to nothing (transaction ids), before this one got its own
                checkAnswer(during.join(), 80, 2);
                assertEquals(2, c.status().unmatchedResponses(), "late answers set aside: " + c.status());
            } else {
                isTimeout(e, "frozen");
            }
        } finally {
            FaultNetwork.thaw(slave);
        }
        recovers(c);
        System.out.println("frozen slave: " + c.status());
        assertEquals(ModbusClientStatus.State.CONNECTED, c.status().state());
        noLeaks(c);
    }
}
