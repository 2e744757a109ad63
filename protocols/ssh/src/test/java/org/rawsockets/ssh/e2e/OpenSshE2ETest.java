package org.rawsockets.ssh.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.ssh.e2e.TestSockets.await;
import static org.rawsockets.ssh.e2e.TestSockets.failure;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Access;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Quotas;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.ssh.ExecResult;
import org.rawsockets.ssh.HostKeyMode;
import org.rawsockets.ssh.SshConnector;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;

/**
 * The client through the socket-service transport against a real OpenSSH sshd started by the test:
 * exec, every key type, encrypted keys, known_hosts modes, policy, faults; nothing left behind.
 */
class OpenSshE2ETest {

    @TempDir
    static Path keys;
    private static Path ed25519;
    private static Path ecdsa;
    private static Path rsa;
    private static Path encrypted;
    private static Path stranger;

    @TempDir
    Path dir;
    private OpenSshServer sshd;
    private MinaSocketEngine engine;
    private OwnedSocketService sockets;
    private SshConnector ssh;

    @RegisterExtension
    final TestWatcher printLog = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (sshd != null) {
                System.err.println("---- sshd log of " + context.getDisplayName() + " ----\n" + sshd.log());
            }
        }
    };

    @BeforeAll
    static void keys() throws Exception {
        ed25519 = OpenSshServer.keygen("ed25519", keys.resolve("id_ed25519"), "");
        ecdsa = OpenSshServer.keygen("ecdsa", keys.resolve("id_ecdsa"), "");
        rsa = OpenSshServer.keygen("rsa", keys.resolve("id_rsa"), "");
        encrypted = OpenSshServer.keygen("ed25519", keys.resolve("id_encrypted"), "correct horse");
        stranger = OpenSshServer.keygen("ed25519", keys.resolve("id_stranger"), "");
    }

    @BeforeEach
    void start() throws Exception {
        sshd = OpenSshServer.start(dir.resolve("sshd"), "ed25519",
                List.of(pub(ed25519), pub(ecdsa), pub(rsa), pub(encrypted)));
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.ssh"));
        ssh = SshConnector.start(sockets);
    }

    @AfterEach
    void stop() throws Exception {
        if (ssh != null) {
            ssh.close();
        }
        sockets.close();
        engine.close();
        sshd.close();
    }

    @AfterAll
    static void noThreadsLeft() throws Exception {
        TestSockets.waitUntil("no SSH client threads left: " + TestSockets.threads("ssh"), Duration.ofSeconds(10),
                () -> TestSockets.threads("rawsockets-ssh").isEmpty() && TestSockets.threads("SshClient").isEmpty());
    }

    private static Path pub(Path key) {
        return Path.of(key + ".pub");
    }

    private Path knownHosts() throws Exception {
        Path kh = dir.resolve("known_hosts");
        Files.writeString(kh, sshd.knownHostsLine("127.0.0.1") + "\n");
        return kh;
    }

    private SshSettings.Builder settings(Path key) throws Exception {
        return SshSettings.builder().host("127.0.0.1").port(sshd.port).user("root").keyFile(key).knownHosts(knownHosts())
                .connectTimeout(Duration.ofSeconds(20));
    }

    @Test
    void execExitStatusesAndSeparateStderr() throws Exception {
        SshSession s = await(ssh.connect(settings(ed25519).build()));
        ExecResult ok = await(s.exec("echo out; echo err >&2; exit 0", Duration.ofSeconds(30)));
        assertEquals(0, ok.exitStatus());
        assertEquals("out\n", ok.stdoutText());
        assertEquals("err\n", ok.stderrText());
        assertEquals(1, await(s.exec("echo failing >&2; exit 1", Duration.ofSeconds(30))).exitStatus());
        ExecResult missing = await(s.exec("no-such-command-rawsockets", Duration.ofSeconds(30)));
        assertEquals(127, missing.exitStatus());
        assertTrue(missing.stderrText().contains("not found"), missing.stderrText());
        assertEquals(sshd.hostKeyFingerprint(), s.serverKeyFingerprint());
        // the test server's sessions run with a HOME of the test, never the machine's root login scripts
        assertEquals(dir.resolve("sshd").resolve("home") + "\n", await(s.exec("echo $HOME", Duration.ofSeconds(30))).stdoutText());
        s.close();
    }

    @Test
    void everyKeyTypeAuthenticates() throws Exception {
        for (Path key : List.of(ed25519, ecdsa, rsa)) {
            SshSession s = await(ssh.connect(settings(key).build()));
            assertEquals("root\n", await(s.exec("whoami", Duration.ofSeconds(30))).stdoutText(), key.toString());
            s.close();
        }
        assertTrue(sshd.log().contains("Accepted publickey for root"), "sshd saw the logins");
    }

    @Test
    void encryptedKeyWithPassphrase() throws Exception {
        SshSession s = await(ssh.connect(settings(encrypted).passphrase("correct horse").build()));
        assertEquals(0, await(s.exec("true", Duration.ofSeconds(30))).exitStatus());
        s.close();

        SshException wrong = failure(ssh.connect(settings(encrypted).passphrase("wrong").build()), Duration.ofSeconds(30));
        assertEquals(Reason.KEY_FILE, wrong.reason());
        assertTrue(wrong.getMessage().contains("wrong passphrase") && wrong.getMessage().contains("id_encrypted"),
                wrong.getMessage());
        SshException none = failure(ssh.connect(settings(encrypted).build()), Duration.ofSeconds(30));
        assertEquals(Reason.KEY_FILE, none.reason());
        assertTrue(none.getMessage().contains("no passphrase is configured"), none.getMessage());
    }

    @Test
    void refusedKeyNamesTheMethodsLeft() throws Exception {
        SshException e = failure(ssh.connect(settings(stranger).build()), Duration.ofSeconds(30));
        assertEquals(Reason.AUTH_FAILED, e.reason(), e.getMessage());
        assertEquals("SSH authentication failed for user root at 127.0.0.1:" + sshd.port + ": server refused publickey;"
                + " methods left: publickey (check the user, password or key, and that the key is in the server's"
                + " authorized_keys)", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void strictRefusesUnknownHostWithItsFingerprint() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty_known_hosts"), "");
        SshException e = failure(ssh.connect(settings(ed25519).knownHosts(empty).build()), Duration.ofSeconds(30));
        assertEquals(Reason.HOST_KEY_UNKNOWN, e.reason(), e.getMessage());
        assertEquals(sshd.hostKeyFingerprint(), e.fingerprint().orElseThrow());
        assertTrue(e.getMessage().contains(sshd.hostKeyFingerprint()), e.getMessage());
        assertFalse(sshd.log().contains("Accepted publickey"), "no authentication after a refused host key");
    }

    @Test
    void changedHostKeyIsRefusedInEveryMode() throws Exception {
        Path other = OpenSshServer.keygen("ed25519", dir.resolve("other_host_key"), "");
        String[] pubParts = Files.readString(pub(other)).trim().split(" ");
        Path kh = Files.writeString(dir.resolve("kh_changed"), "[127.0.0.1]:" + sshd.port + " " + pubParts[0] + " "
                + pubParts[1] + "\n");
        for (HostKeyMode mode : List.of(HostKeyMode.STRICT, HostKeyMode.ACCEPT_NEW)) {
            SshException e = failure(ssh.connect(settings(ed25519).knownHosts(kh).hostKeyMode(mode).build()),
                    Duration.ofSeconds(30));
            assertEquals(Reason.HOST_KEY_CHANGED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().startsWith("HOST KEY CHANGED for 127.0.0.1:" + sshd.port), e.getMessage());
            assertTrue(e.getMessage().contains(sshd.hostKeyFingerprint()), e.getMessage());
            assertTrue(e.getMessage().contains("verify the new fingerprint"), e.getMessage());
        }
    }

    @Test
    void acceptNewLearnsThenStrictAccepts() throws Exception {
        Path kh = dir.resolve("learnt_known_hosts");
        SshSession s = await(ssh.connect(settings(ed25519).knownHosts(kh).hostKeyMode(HostKeyMode.ACCEPT_NEW).build()));
        s.close();
        String learnt = Files.readString(kh);
        assertTrue(learnt.contains("[127.0.0.1]:" + sshd.port + " ssh-ed25519 "), learnt);
        SshSession again = await(ssh.connect(settings(ed25519).knownHosts(kh).hostKeyMode(HostKeyMode.STRICT).build()));
        again.close();
        // and the host name, not only the address, is what is matched (OpenSSH's [host]:port form)
        Path byName = Files.writeString(dir.resolve("kh_name"), sshd.knownHostsLine("localhost") + "\n");
        SshSession named = await(ssh.connect(SshSettings.builder().host("localhost").port(sshd.port).user("root")
                .keyFile(ed25519).knownHosts(byName).build()));
        named.close();
    }

    @Test
    void offAcceptsAnyKey() throws Exception {
        SshSession s = await(ssh.connect(SshSettings.builder().host("127.0.0.1").port(sshd.port).user("root").keyFile(ed25519)
                .hostKeyMode(HostKeyMode.OFF).build()));
        assertEquals(0, await(s.exec("true", Duration.ofSeconds(30))).exitStatus());
        s.close();
    }

    @Test
    void policyRefusesBeforeAnyPacket() throws Exception {
        SocketPolicy deny = new SocketPolicy() {
            @Override
            public void check(Owner owner, Access access) throws NotAllowedException {
                throw new NotAllowedException("bundle " + owner.symbolicName() + " has no grant for " + access);
            }

            @Override
            public Quotas quotas(Owner owner) {
                return Quotas.UNLIMITED;
            }
        };
        try (MinaSocketEngine denying = new MinaSocketEngine(EngineConfig.defaults(), deny, AuditLog.NONE, HostResolver.JDK); SshConnector c = SshConnector.start(denying.serviceFor(Owner.of(2, "org.rawsockets.ssh")))) {
            SshException e = failure(c.connect(settings(ed25519).build()), Duration.ofSeconds(10));
            assertEquals(Reason.NOT_ALLOWED, e.reason(), e.getMessage());
            assertTrue(e.getCause() instanceof NotAllowedException);
            assertTrue(e.getMessage().startsWith("SSH to 127.0.0.1:" + sshd.port + " not allowed: "), e.getMessage());
        }
        assertFalse(sshd.log().contains("Connection from"), "sshd saw no connection:\n" + sshd.log());
    }

    @Test
    void sixtyFourMiBOfStdoutWithBackpressure() throws Exception {
        long size = 64L << 20;
        Path file = dir.resolve("big.bin");
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] chunk = new byte[1 << 20];
            Random r = new Random(14);
            for (int i = 0; i < 64; i++) {
                r.nextBytes(chunk);
                out.write(chunk);
                expected.update(chunk);
            }
        }
        SshSession s = await(ssh.connect(settings(ed25519).build()));
        CountDownLatch go = new CountDownLatch(1);
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        long[] count = {0};
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    go.await(60, TimeUnit.SECONDS); // a consumer that stalls until released
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                got.update(b, off, len);
                count[0] += len;
            }
        };
        CompletionStage<Integer> exec = s.exec("cat " + file, sink, OutputStream.nullOutputStream(), Duration.ofSeconds(120));
        // While the consumer stalls, what the socket received stops growing at the channel window
        // (2 MiB) plus the socket's bounded buffers: the server is held back, nothing piles up here.
        long[] last = {-1};
        long[] stableSince = {System.nanoTime()};
        TestSockets.waitUntil("received bytes stop growing while the consumer stalls", Duration.ofSeconds(30), () -> {
            long in = sockets.sockets().stream().mapToLong(SocketInfo::bytesIn).sum();
            if (in != last[0]) {
                last[0] = in;
                stableSince[0] = System.nanoTime();
                return false;
            }
            return in > 0 && System.nanoTime() - stableSince[0] > TimeUnit.MILLISECONDS.toNanos(500);
        });
        assertTrue(last[0] < 8L << 20, "held back at " + last[0] + " bytes received, not 64 MiB");
        go.countDown();
        assertEquals(0, await(exec));
        assertEquals(size, count[0]);
        assertEquals(HexFormat.of().formatHex(expected.digest()), HexFormat.of().formatHex(got.digest()));
        s.close();
    }

    @Test
    void keepaliveAcrossIdleLongerThanTheServersClientAliveInterval() throws Exception {
        sshd.close();
        sshd = OpenSshServer.start(dir.resolve("sshd-alive"), "ed25519", List.of(pub(ed25519)), "ClientAliveInterval 1",
                "ClientAliveCountMax 2", "LogLevel DEBUG3");
        SshSession s = await(ssh.connect(settings(ed25519).keepAliveInterval(Duration.ofSeconds(1)).build()));
        // idle: the server probes every second (ClientAliveInterval 1) and we send keepalive@openssh.com every second
        TestSockets.waitUntil(() -> "three keepalive@openssh.com requests from the client:\n" + sshd.log(), Duration.ofSeconds(20),
                () -> sshd.log().split("rtype keepalive@openssh.com want_reply 0", -1).length > 3);
        assertTrue(s.isOpen(), "the session survived an idle period longer than the server's ClientAliveInterval");
        assertEquals("alive\n", await(s.exec("echo alive", Duration.ofSeconds(30))).stdoutText());
        s.close();
    }

    @Test
    void serverKilledMidSessionFailsTypedAndLeavesNothing() throws Exception {
        SshSession s = await(ssh.connect(settings(ed25519).build()));
        CompletionStage<ExecResult> running = s.exec("echo started; sleep 60", Duration.ofSeconds(90));
        sshd.waitForLog("Starting session: command", Duration.ofSeconds(20));
        long t0 = System.nanoTime();
        sshd.kill();
        SshException e = failure(running, Duration.ofSeconds(20));
        assertEquals(Reason.DISCONNECTED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("the SSH connection is closed"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20));
        TestSockets.waitUntil("socket released", Duration.ofSeconds(10), () -> sockets.sockets().isEmpty());
        assertFalse(s.isOpen());
    }

    @Test
    void closingTheConnectorClosesSessionsAndThreads() throws Exception {
        SshSession s = await(ssh.connect(settings(ed25519).build()));
        assertEquals(1, sockets.sockets().size());
        ssh.close();
        ssh = null;
        TestSockets.waitUntil("socket closed", Duration.ofSeconds(10), () -> sockets.sockets().isEmpty());
        assertFalse(s.isOpen());
        TestSockets.waitUntil("SSH threads ended: " + TestSockets.threads("ssh"), Duration.ofSeconds(10),
                () -> TestSockets.threads("rawsockets-ssh").isEmpty() && TestSockets.threads("SshClient").isEmpty());
        // the server sees the end: our SSH_MSG_DISCONNECT, or (when it was writing at that moment) the closed connection
        TestSockets.waitUntil("sshd saw the session end:\n" + sshd.log(), Duration.ofSeconds(10), () -> sshd.log()
                .matches("(?s).*(Received disconnect from 127\\.0\\.0\\.1|Connection closed by|Broken pipe|Connection reset).*"));
    }
}
