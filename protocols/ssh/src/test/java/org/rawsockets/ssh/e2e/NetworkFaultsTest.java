package org.rawsockets.ssh.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.ssh.e2e.TestSockets.await;
import static org.rawsockets.ssh.e2e.TestSockets.failure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.netfault.FaultNetwork;
import org.rawsockets.socket.netfault.Leaks;
import org.rawsockets.ssh.ExecResult;
import org.rawsockets.ssh.SshConnector;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;

/**
 * The SSH client (MINA SSHD on the socket service) through network faults (issue 21): OpenSSH's
 * sshd in a network namespace the test creates (a veth pair, a private /30, nothing leaves the
 * machine), the client in this JVM. Faults: a delay of 200 ms ± 50 ms each way (which reorders
 * packets) and 10 % loss both ways at MTU 576, each under four commands at once on one session
 * (their channels multiplexed on the connection), every output checked byte for byte; a blackhole
 * in the middle of a session: a command's own time limit ends it with a typed TIMEOUT, and a command
 * after the fault is lifted runs; a TCP reset: the session ends with a typed NETWORK or DISCONNECTED
 * failure and a new one connects once the fault is lifted; every packet of the server duplicated:
 * every output whole (TCP drops the copies); a frozen sshd (SIGSTOP of the listener and of the
 * connection's own processes, {@link FaultNetwork#freeze}): a command's limit ends it with TIMEOUT,
 * and after SIGCONT the session runs the next. After close no socket, thread or file descriptor of
 * the client remains. {@code -Dfaults.full=true} (profile {@code faults}) makes the outputs 5x larger.
 */
class NetworkFaultsTest {

    static final boolean FULL = Boolean.getBoolean("faults.full");

    @TempDir
    static Path keys;
    static Path key;

    @TempDir
    Path dir;
    FaultNetwork net;
    OpenSshServer sshd;
    MinaSocketEngine engine;
    OwnedSocketService sockets;
    SshConnector ssh;
    Leaks leaks;

    @BeforeAll
    static void keys() throws Exception {
        key = OpenSshServer.keygen("ed25519", keys.resolve("id_ed25519"), "");
    }

    @BeforeEach
    void start() throws Exception {
        net = new FaultNetwork();
        sshd = OpenSshServer.startIn(net, dir.resolve("sshd"), "ed25519", List.of(Path.of(key + ".pub")));
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.ssh"));
        Leaks.startIoThreads(sockets);
        leaks = Leaks.baseline(sockets::sockets);
        ssh = SshConnector.start(sockets);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (ssh != null) {
                ssh.close();
            }
            sockets.close();
            engine.close();
            if (sshd != null) {
                System.out.println("---- sshd log:\n" + sshd.log());
                sshd.close();
            }
        } finally {
            net.close();
        }
    }

    SshSession connect() throws Exception {
        Path kh = dir.resolve("known_hosts");
        Files.writeString(kh, sshd.knownHostsLine(net.peerAddress) + "\n");
        return await(ssh.connect(SshSettings.builder().host(net.peerAddress).port(sshd.port).user("root").keyFile(key)
                .knownHosts(kh).connectTimeout(Duration.ofSeconds(30)).build()));
    }

    static String seq(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            b.append(i).append('\n');
        }
        return b.toString();
    }

    /** Four commands at once on one session: {@code seq} of different lengths, each output checked. */
    static void fourAtOnce(SshSession s, int scale) throws Exception {
        int[] sizes = {500 * scale, 2_000 * scale, 5_000 * scale, 10_000 * scale};
        List<CompletionStage<ExecResult>> runs = new ArrayList<>();
        for (int n : sizes) {
            runs.add(s.exec("seq 1 " + n, Duration.ofSeconds(60)));
        }
        for (int i = 0; i < sizes.length; i++) {
            ExecResult r = await(runs.get(i));
            assertEquals(0, r.exitStatus(), r.stderrText());
            assertEquals(seq(sizes[i]), r.stdoutText(), "the output of seq 1 " + sizes[i]);
        }
    }

    void closeAndCount(SshSession s) throws Exception {
        s.close();
        ssh.close();
        ssh = null;
        leaks.awaitReleased();
    }

    @Test
    void delayWithJitterReordersPacketsYetEveryOutputArrivesWhole() throws Exception {
        net.delay(200, 50, 55);
        long start = System.nanoTime();
        SshSession s = connect(); // the key exchange and authentication through the delay
        long connected = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        start = System.nanoTime();
        fourAtOnce(s, FULL ? 5 : 1);
        long ran = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long queued = net.matched("filter", "INPUT") + net.matched("filter", "OUTPUT");
        net.clear();
        String report = net.delayReport();
        System.out.println("delay 200 +- 50 ms: connected in " + connected + " ms, four commands at once ran in " + ran
                + " ms, every output whole; " + queued + " packets through the delay (" + report + ")");
        assertTrue(connected >= 4 * 300, "TCP, the version exchange, the key exchange and authentication each wait"
                + " round trips of at least 300 ms: " + connected);
        net.checkDelayReordered(queued);
        closeAndCount(s);
    }

    @Test
    void lossAtMtu576EveryOutputArrivesWhole() throws Exception {
        SshSession s = connect();
        net.mtu(576);
        net.loss(10);
        long start = System.nanoTime();
        // the rules see aggregated packets (GSO/GRO on the veth pair): a round is a few dozen of them,
        // and 10 % of that is sometimes none; rounds go on (at most 5) until one was lost
        int rounds = 0;
        long dropped = 0;
        while (rounds < 5 && (rounds == 0 || dropped == 0)) {
            fourAtOnce(s, FULL ? 5 : 1);
            rounds++;
            dropped = net.matched("filter", "INPUT") + net.matched("filter", "OUTPUT");
        }
        long ran = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("loss 10 %, MTU 576: " + rounds + " rounds of four commands at once ran in " + ran
                + " ms, every output whole; " + dropped + " packets dropped");
        assertTrue(dropped > 0, "the loss took effect");
        net.clear();
        closeAndCount(s);
    }

    @Test
    void everyPacketOfTheServerDuplicatedEveryOutputArrivesWhole() throws Exception {
        SshSession s = connect();
        net.duplicate();
        long start = System.nanoTime();
        fourAtOnce(s, FULL ? 5 : 1);
        long ran = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long duplicated = net.matched("mangle", "POSTROUTING");
        System.out.println("duplication: four commands at once ran in " + ran + " ms, every output whole; "
                + duplicated + " packets of the server duplicated");
        assertTrue(duplicated > 0, "the duplication took effect");
        net.clear();
        closeAndCount(s);
    }

    @Test
    void aFrozenServerEndsACommandAtItsTimeLimitThenTheSessionRunsAgainWhenItResumes() throws Exception {
        SshSession s = connect();
        assertEquals("before\n", await(s.exec("echo before", Duration.ofSeconds(30))).stdoutText());
        FaultNetwork.freeze(sshd.process()); // the listener and the connection's processes
        long start = System.nanoTime();
        SshException e;
        try {
            e = failure(s.exec("echo during", Duration.ofSeconds(2)), Duration.ofSeconds(30));
        } finally {
            FaultNetwork.thaw(sshd.process());
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("frozen sshd: " + e.reason() + " " + e.getMessage() + " after " + ms + " ms");
        assertEquals(SshException.Reason.TIMEOUT, e.reason(), e.toString());
        assertTrue(ms >= 1_900 && ms < 10_000, "ended at its 2 s limit: " + ms + " ms");
        assertEquals("after\n", await(s.exec("echo after", Duration.ofSeconds(30))).stdoutText());
        closeAndCount(s);
    }

    @Test
    void aResetEndsTheSessionTypedThenANewOneConnects() throws Exception {
        SshSession s = connect();
        assertEquals("before\n", await(s.exec("echo before", Duration.ofSeconds(30))).stdoutText());
        net.resetTcp(sshd.port); // the client's next segment is answered with a reset
        long start = System.nanoTime();
        SshException e = failure(s.exec("echo during", Duration.ofSeconds(10)), Duration.ofSeconds(30));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("reset: " + e.reason() + " " + e.getMessage() + " after " + ms + " ms");
        assertTrue(e.reason() == SshException.Reason.NETWORK || e.reason() == SshException.Reason.DISCONNECTED,
                e.reason() + ": " + e);
        assertTrue(e.getMessage().contains(net.peerAddress), e.getMessage());
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("reset"), "says why: " + e.getMessage());
        assertTrue(ms < 10_000, "the reset ended it before the command's own limit: " + ms + " ms");
        TestSockets.waitUntil("the session closed after the reset", Duration.ofSeconds(30), () -> !s.isOpen());
        net.clear();
        SshSession again = connect();
        assertEquals("after\n", await(again.exec("echo after", Duration.ofSeconds(30))).stdoutText());
        again.close();
        closeAndCount(s);
    }

    @Test
    void aBlackholeEndsACommandAtItsTimeLimitThenTheSessionRunsAgain() throws Exception {
        SshSession s = connect();
        assertEquals("before\n", await(s.exec("echo before", Duration.ofSeconds(30))).stdoutText());
        net.blackhole();
        long start = System.nanoTime();
        SshException e = failure(s.exec("echo during", Duration.ofSeconds(2)), Duration.ofSeconds(30));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("blackhole: " + e.reason() + " " + e.getMessage() + " after " + ms + " ms");
        assertEquals(SshException.Reason.TIMEOUT, e.reason(), e.toString());
        assertTrue(ms >= 1_900 && ms < 10_000, "ended at its 2 s limit: " + ms + " ms");
        net.clear();
        // TCP's retransmissions carry what waited once the path is back: the session goes on
        assertEquals("after\n", await(s.exec("echo after", Duration.ofSeconds(30))).stdoutText());
        closeAndCount(s);
    }
}
