package org.rawsockets.irc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcDisconnectedException;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.socket.netfault.FaultNetwork;
import org.rawsockets.socket.netfault.Leaks;

/**
 * The IRC client through network faults (issue 21): ngIRCd in a network namespace the test creates
 * (a veth pair, a private /30, nothing leaves the machine), the clients in this JVM on
 * {@link ServerTestBase}'s socket service. Faults: a delay of 200 ms ± 50 ms each way (which
 * reorders packets), 10 % loss both ways at MTU 576, every packet of the server duplicated, a TCP
 * reset, a blackhole and a frozen server (SIGSTOP) in the middle of a connection. Messages relayed
 * through the server arrive whole, once and in the order sent; a dead link is a typed disconnect
 * ("ping timeout") in bounded time and the client reconnects and rejoins once the fault is lifted;
 * after close no socket, thread or file descriptor of the clients remains.
 * {@code -Dfaults.full=true} (profile {@code faults}) sends 5x the messages.
 */
class NetworkFaultsTest extends ServerTestBase {

    static final boolean FULL = Boolean.getBoolean("faults.full");
    static final Duration DEADLINE = Duration.ofSeconds(60);
    static final int PORT = 6667; // the namespace is the test's own: every port is free there

    FaultNetwork net;
    Process ngircd;
    Leaks leaks;

    @BeforeAll
    static void ioThreads() throws Exception {
        Leaks.startIoThreads(sockets);
    }

    @BeforeEach
    void network() throws Exception {
        net = new FaultNetwork();
        // ngIRCd drops root to nobody: its directory and configuration must be readable
        Files.setPosixFilePermissions(net.dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = net.dir.resolve("ngircd.conf");
        Files.writeString(conf, "[Global]\nName = irc.faults.test\nInfo = fault network\nListen = " + net.peerAddress
                + "\nPorts = " + PORT + "\nMotdPhrase = hello\nAdminInfo1 = test\nAdminInfo2 = test\n"
                + "AdminEMail = test@example.test\n[Limits]\nPingTimeout = 120\nPongTimeout = 20\nMaxConnectionsIP = 0\n"
                + "[Options]\nPAM = no\nIdent = no\nDNS = no\n");
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
        ngircd = net.start("ngircd", List.of("/usr/sbin/ngircd", "-n", "-f", conf.toString()));
        String hex = String.format(Locale.ROOT, ":%04X ", PORT);
        IrcServers.until(Duration.ofSeconds(30), () -> {
            if (!ngircd.isAlive()) {
                throw new AssertionError("ngircd ended: " + net.output("ngircd"));
            }
            try {
                return net.ns("cat", "/proc/net/tcp").contains(hex);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, () -> "ngircd listening in " + net.name + ": " + net.output("ngircd"));
        leaks = Leaks.baseline(sockets::sockets);
    }

    @AfterEach
    void closeNetwork() throws Exception {
        closeClients();
        if (net != null) {
            System.out.println("---- fault network " + net.name + " " + net.hostAddress + " <-> " + net.peerAddress
                    + "\n---- ngircd's output:\n" + net.output("ngircd"));
            net.close();
        }
    }

    void closeClients() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    IrcSettings.Builder settings(String nick) {
        return IrcSettings.builder("faults").server(net.peerAddress, PORT).tls(false).nick(nick)
                .flood(20, Duration.ofMillis(50)).reconnect(false, Duration.ofMillis(200), Duration.ofSeconds(1));
    }

    @Override
    <T> T ok(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("failed: " + e.getCause() + "\nngircd's output:\n" + net.output("ngircd"),
                    e.getCause());
        }
    }

    /**
     * Alice sends {@code n} lines of about {@code size} bytes to #faults; bob must get them all, once, in
     * order. The wait grows with the count: ngIRCd's flood protection reads a client's commands at about
     * two a second after its first burst (250 lines take two minutes or more through the loss).
     */
    static List<String> relay(IrcClient alice, Recorder atBob, int n, int size) throws Exception {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder b = new StringBuilder("line " + i + " ");
            while (b.length() < size) {
                b.append((char) ('a' + (b.length() * 7 + i) % 26));
            }
            sent.add(b.toString());
        }
        for (String line : sent) {
            alice.privmsg("#faults", line);
        }
        IrcServers.until(DEADLINE.plusSeconds(n), () -> atBob.privmsgs("#faults").size() >= n, atBob::tail);
        assertEquals(sent, atBob.privmsgs("#faults"), "bob got every line once, whole, in the order sent");
        return sent;
    }

    void twoInAChannel(IrcClient alice, IrcClient bob, Recorder atBob) throws Exception {
        bob.subscribe(atBob, 10_000);
        ok(alice.connect());
        ok(bob.connect());
        ok(alice.join("#faults", null));
        ok(bob.join("#faults", null));
        IrcServers.until(DEADLINE, () -> alice.channel("#faults").map(c -> c.members().size() == 2).orElse(false),
                () -> "alice sees bob: " + alice.channels());
    }

    void noLeaks() throws Exception {
        closeClients();
        leaks.awaitReleased();
    }

    @Test
    void delayWithJitterReordersPacketsYetEveryLineArrivesInOrder() throws Exception {
        IrcClient alice = client(settings("alice").build());
        IrcClient bob = client(settings("bob").build());
        Recorder atBob = new Recorder();
        twoInAChannel(alice, bob, atBob);
        net.delay(200, 50, 41);
        long start = System.nanoTime();
        int n = FULL ? 150 : 30;
        relay(alice, atBob, n, 300);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long queued = net.matched("filter", "INPUT") + net.matched("filter", "OUTPUT");
        net.clear();
        String report = net.delayReport();
        System.out.println("delay 200 +- 50 ms: " + n + " lines of 300 bytes relayed to bob, in order, in " + ms + " ms; "
                + queued + " packets through the delay (" + report + ")");
        assertTrue(ms >= 300, "a line crosses the delay twice (alice -> server -> bob): " + ms + " ms");
        net.checkDelayReordered(queued);
        noLeaks();
    }

    @Test
    void lossAtMtu576DeliversEveryLineInOrder() throws Exception {
        IrcClient alice = client(settings("alice").build());
        IrcClient bob = client(settings("bob").build());
        Recorder atBob = new Recorder();
        twoInAChannel(alice, bob, atBob);
        net.mtu(576);
        net.loss(10);
        long start = System.nanoTime();
        int n = FULL ? 250 : 50;
        relay(alice, atBob, n, 400);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long dropped = net.matched("filter", "INPUT") + net.matched("filter", "OUTPUT");
        System.out.println("loss 10 %, MTU 576: " + n + " lines of 400 bytes relayed to bob, in order, in " + ms + " ms; "
                + dropped + " packets dropped");
        assertTrue(dropped > 0, "the loss took effect");
        net.clear();
        noLeaks();
    }

    @Test
    void everyPacketOfTheServerDuplicatedDeliversEachLineOnce() throws Exception {
        IrcClient alice = client(settings("alice").build());
        IrcClient bob = client(settings("bob").build());
        Recorder atBob = new Recorder();
        twoInAChannel(alice, bob, atBob);
        net.duplicate();
        long start = System.nanoTime();
        int n = FULL ? 150 : 30;
        relay(alice, atBob, n, 300);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long duplicated = net.matched("mangle", "POSTROUTING");
        System.out.println("duplication: " + n + " lines of 300 bytes relayed to bob once each, in order, in " + ms
                + " ms; " + duplicated + " packets of the server duplicated");
        assertTrue(duplicated > 0, "the duplication took effect");
        net.clear();
        noLeaks();
    }

    @Test
    void aFrozenServerIsAPingTimeoutThenTheClientReconnectsWhenItResumes() throws Exception {
        IrcClient c = client(settings("erin").ping(Duration.ofMillis(500), Duration.ofMillis(1500))
                .reconnect(true, Duration.ofMillis(200), Duration.ofSeconds(1)).build());
        Recorder r = new Recorder();
        c.subscribe(r, 1000);
        ok(c.connect());
        ok(c.join("#faults", null));
        FaultNetwork.freeze(ngircd);
        long start = System.nanoTime();
        try {
            IrcServers.until(DEADLINE, () -> !r.disconnected.isEmpty(), r::tail);
        } finally {
            FaultNetwork.thaw(ngircd);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        IrcDisconnectedException e = assertInstanceOf(IrcDisconnectedException.class, r.disconnected.get(0), r.tail());
        System.out.println("frozen ngircd: " + e.getMessage() + " after " + ms + " ms");
        assertTrue(e.getMessage().contains("sent nothing for 1500 ms (ping timeout"), e.getMessage());
        assertTrue(ms < 5_000, "a frozen server found within ping interval + timeout (2 s) and a margin: " + ms + " ms");
        IrcServers.until(DEADLINE, () -> r.connected.size() >= 2 && c.isConnected()
                && c.channel("#faults").isPresent(), () -> r.connected + " " + c.channels() + " " + r.tail());
        noLeaks();
    }

    @Test
    void aResetIsATypedDisconnectThenTheClientReconnectsAndRejoins() throws Exception {
        IrcClient c = client(settings("dave").ping(Duration.ofMillis(500), Duration.ofMillis(1500))
                .reconnect(true, Duration.ofMillis(200), Duration.ofSeconds(1)).build());
        Recorder r = new Recorder();
        c.subscribe(r, 1000);
        ok(c.connect());
        ok(c.join("#faults", null));
        net.resetTcp(PORT); // the client's next segment (its next line or PING) is answered with a reset
        long start = System.nanoTime();
        c.privmsg("#faults", "into the reset");
        IrcServers.until(DEADLINE, () -> !r.disconnected.isEmpty(), r::tail);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Throwable e = r.disconnected.get(0);
        System.out.println("reset: " + e + " after " + ms + " ms");
        // typed: the socket service's own failure (reason RESET) as the disconnect's reason
        assertTrue(e instanceof org.rawsockets.socket.NetworkException n
                && n.reason() == org.rawsockets.socket.NetworkException.Reason.RESET, e + " " + r.tail());
        assertTrue(e.getMessage().contains(net.peerAddress + ":" + PORT), e.getMessage());
        assertTrue(String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("reset"), e.getMessage());
        assertTrue(e.getMessage().startsWith("IRC server faults (" + net.peerAddress + ":" + PORT + "): "),
                "the message names the IRC server: " + e.getMessage());
        net.clear();
        IrcServers.until(DEADLINE, () -> r.connected.size() >= 2 && c.isConnected()
                && c.channel("#faults").isPresent(), () -> r.connected + " " + c.channels() + " " + r.tail());
        noLeaks();
    }

    @Test
    void aBlackholeIsAPingTimeoutThenTheClientReconnectsAndRejoins() throws Exception {
        IrcClient c = client(settings("carol").ping(Duration.ofMillis(500), Duration.ofMillis(1500))
                .reconnect(true, Duration.ofMillis(200), Duration.ofSeconds(1)).build());
        Recorder r = new Recorder();
        c.subscribe(r, 1000);
        ok(c.connect());
        ok(c.join("#faults", null));
        net.blackhole();
        long start = System.nanoTime();
        IrcServers.until(DEADLINE, () -> !r.disconnected.isEmpty(), r::tail);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        IrcDisconnectedException e = assertInstanceOf(IrcDisconnectedException.class, r.disconnected.get(0), r.tail());
        System.out.println("blackhole: " + e.getMessage() + " after " + ms + " ms");
        assertTrue(e.getMessage().contains("sent nothing for 1500 ms (ping timeout"), e.getMessage());
        assertTrue(ms < 5_000, "a dead link found within ping interval + timeout (2 s) and a margin: " + ms + " ms");
        net.clear();
        // the old connection may still be in ngIRCd's list (it waits for its own ping timeout): the nick
        // comes back as an alternate until then, so rejoining is what counts
        IrcServers.until(DEADLINE, () -> r.connected.size() >= 2 && c.isConnected()
                && c.channel("#faults").isPresent(), () -> r.connected + " " + c.channels() + " " + r.tail());
        noLeaks();
    }
}
