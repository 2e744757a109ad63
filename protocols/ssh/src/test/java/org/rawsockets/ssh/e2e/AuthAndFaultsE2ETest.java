package org.rawsockets.ssh.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.ssh.e2e.TestSockets.await;
import static org.rawsockets.ssh.e2e.TestSockets.failure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.keyboard.DefaultKeyboardInteractiveAuthenticator;
import org.apache.sshd.server.auth.keyboard.InteractiveChallenge;
import org.apache.sshd.server.auth.keyboard.UserAuthKeyboardInteractiveFactory;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.server.shell.ProcessShellCommandFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.ssh.HostKeyMode;
import org.rawsockets.ssh.SshConnector;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;

/**
 * Keyboard-interactive authentication (the password answered through the server's prompt: MINA
 * SSHD's server offering keyboard-interactive only, and OpenSSH's sshd asking through PAM) and a peer
 * that sends an endless garbage banner.
 */
class AuthAndFaultsE2ETest {

    private static final String PASSWORD = "kbd-S3cret";

    @TempDir
    Path dir;
    private MinaSocketEngine engine;
    private OwnedSocketService sockets;
    private SshConnector ssh;

    @BeforeEach
    void start() {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.ssh"));
        ssh = SshConnector.start(sockets);
    }

    @AfterEach
    void stop() {
        ssh.close();
        sockets.close();
        engine.close();
    }

    @Test
    void keyboardInteractivePasswordAnsweredThroughThePrompt() throws Exception {
        List<String> answered = new CopyOnWriteArrayList<>();
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("hostkey.ser")));
        server.setUserAuthFactories(List.of(new UserAuthKeyboardInteractiveFactory())); // nothing else offered
        server.setPasswordAuthenticator((user, password, session) -> "bob".equals(user) && PASSWORD.equals(password));
        server.setKeyboardInteractiveAuthenticator(new DefaultKeyboardInteractiveAuthenticator() {
            @Override
            public InteractiveChallenge generateChallenge(ServerSession session, String username, String lang, String subMethods)
                    throws Exception {
                return super.generateChallenge(session, username, lang, subMethods);
            }

            @Override
            public boolean authenticate(ServerSession session, String username, List<String> responses) throws Exception {
                boolean ok = super.authenticate(session, username, responses);
                answered.add(username + ":" + responses.size() + ":" + ok);
                return ok;
            }
        });
        server.setCommandFactory(ProcessShellCommandFactory.INSTANCE);
        server.start();
        try {
            SshSettings.Builder b = SshSettings.builder().host("127.0.0.1").port(server.getPort()).user("bob")
                    .hostKeyMode(HostKeyMode.OFF).connectTimeout(Duration.ofSeconds(30));
            SshSession s = await(ssh.connect(b.password(PASSWORD).build()));
            assertEquals("kbd\n", await(s.exec("echo kbd", Duration.ofSeconds(30))).stdoutText());
            s.close();
            assertEquals(List.of("bob:1:true"), answered, "one prompt, answered with the password");

            SshException e = failure(ssh.connect(b.password("wrong-one").build()), Duration.ofSeconds(60));
            assertEquals(Reason.AUTH_FAILED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("server refused keyboard-interactive"), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-one"), "the password is never in a message");
        } finally {
            server.stop(true);
        }
    }

    @Test
    void keyboardInteractiveAgainstOpenSshThroughPam() throws Exception {
        try (OpenSshServer server = OpenSshServer.startWithPam(dir.resolve("pam-sshd"), PASSWORD)) {
            SshSettings.Builder b = SshSettings.builder().host("127.0.0.1").port(server.port).user("root")
                    .hostKeyMode(HostKeyMode.OFF).connectTimeout(Duration.ofSeconds(30));
            SshSession s = await(ssh.connect(b.password(PASSWORD).build()));
            assertEquals("pam\n", await(s.exec("echo pam", Duration.ofSeconds(30))).stdoutText());
            s.close();
            server.waitForLog("Accepted keyboard-interactive/pam for root", Duration.ofSeconds(10));

            SshException e = failure(ssh.connect(b.password("wrong-one").build()), Duration.ofSeconds(60));
            assertEquals(Reason.AUTH_FAILED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("server refused keyboard-interactive"), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-one"), "the password is never in a message");
            server.waitForLog("Failed keyboard-interactive/pam for root", Duration.ofSeconds(10));
            assertEquals(1, server.log().split("Accepted keyboard-interactive/pam for root", -1).length - 1,
                    "only the right answer was accepted:\n" + server.log());
        }
    }

    @Test
    void endlessGarbageBannerIsNotSshInBoundedTime() throws Exception {
        int port = OpenSshServer.freePort();
        // an independent peer: every connection gets an endless stream of non-SSH lines and never closes
        Process socat = new ProcessBuilder("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork",
                "SYSTEM:yes 'HTTP/1.1 400 garbage banner line'").redirectErrorStream(true).start();
        try {
            TestSockets.waitUntil("socat listening on " + port, Duration.ofSeconds(30), () -> SocatEcho.accepting(port));
            long t0 = System.nanoTime();
            SshException e = failure(ssh.connect(SshSettings.builder().host("127.0.0.1").port(port).user("x").password("y")
                    .hostKeyMode(HostKeyMode.OFF).connectTimeout(Duration.ofSeconds(60)).build()), Duration.ofSeconds(90));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(Reason.NOT_SSH, e.reason(), e.getMessage());
            assertTrue(e.getMessage().startsWith("127.0.0.1:" + port + " is not an SSH server: it sent text that is not an SSH"
                    + " identification line (Incorrect identification"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(ms < 60_000, "refused before the connect timeout, took " + ms + " ms");
            TestSockets.waitUntil(() -> "no socket left: " + sockets.sockets(), Duration.ofSeconds(30),
                    () -> sockets.sockets().isEmpty());
            System.out.println("garbage banner refused in " + ms + " ms: " + e.getMessage());
        } finally {
            socat.descendants().forEach(ProcessHandle::destroyForcibly);
            socat.destroyForcibly();
            socat.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
