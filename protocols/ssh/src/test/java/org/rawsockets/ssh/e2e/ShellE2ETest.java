package org.rawsockets.ssh.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.ssh.e2e.TestSockets.await;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.ssh.SshConnector;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;
import org.rawsockets.ssh.SshShell;

/** An interactive shell on a PTY of a real OpenSSH sshd: a terminal of the asked size, resize, exit status. */
class ShellE2ETest {

    @TempDir
    Path dir;
    private OpenSshServer sshd;
    private MinaSocketEngine engine;
    private OwnedSocketService sockets;
    private SshConnector ssh;

    @BeforeEach
    void start() throws Exception {
        Path key = OpenSshServer.keygen("ed25519", dir.resolve("id_ed25519"), "");
        sshd = OpenSshServer.start(dir.resolve("sshd"), "ed25519", List.of(Path.of(key + ".pub")));
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.ssh"));
        ssh = SshConnector.start(sockets);
    }

    @AfterEach
    void stop() throws Exception {
        ssh.close();
        sockets.close();
        engine.close();
        sshd.close();
    }

    @Test
    void ptyShellHasTheTerminalSizeFollowsResizeAndReportsTheExitStatus() throws Exception {
        Path kh = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine("127.0.0.1") + "\n");
        SshSession s = await(ssh.connect(SshSettings.builder().host("127.0.0.1").port(sshd.port).user("root")
                .keyFile(dir.resolve("id_ed25519")).knownHosts(kh).connectTimeout(Duration.ofSeconds(30)).build()));
        SshShell shell = await(s.shell("xterm", 100, 30));
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            byte[] buf = new byte[4096];
            try (InputStream in = shell.output()) {
                for (int n; (n = in.read(buf)) >= 0;) {
                    synchronized (seen) {
                        seen.write(buf, 0, n);
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        // the markers are computed by the shell, so the terminal's echo of the typed line never matches them
        type(shell, "tty | sed 's/^/TTY=/'; stty size | sed 's/^/SIZE=/'; echo $TERM | sed 's/^/TERM=/'\n");
        waitFor(seen, "TERM=xterm"); // the last of the three lines
        String text = text(seen);
        assertTrue(text.contains("TTY=/dev/pts/"), text);
        assertTrue(text.contains("SIZE=30 100"), text);

        shell.resize(120, 40);
        type(shell, "stty size | sed 's/^/SIZE=/'\n");
        waitFor(seen, "SIZE=40 120");

        type(shell, "exit 7\n");
        assertEquals(7, await(shell.exited()));
        reader.get(60, TimeUnit.SECONDS);
        shell.close();
        assertTrue(s.isOpen(), "the session outlives its shell");
        s.close();
    }

    @Test
    void aServerThatRefusesTheTerminalIsAChannelErrorSayingWhatToCheck() throws Exception {
        sshd.close();
        sshd = OpenSshServer.start(dir.resolve("sshd-notty"), "ed25519", List.of(Path.of(dir.resolve("id_ed25519") + ".pub")),
                "PermitTTY no");
        Path kh = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine("127.0.0.1") + "\n");
        SshSession s = await(ssh.connect(SshSettings.builder().host("127.0.0.1").port(sshd.port).user("root")
                .keyFile(dir.resolve("id_ed25519")).knownHosts(kh).connectTimeout(Duration.ofSeconds(30)).build()));
        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> s.shell("xterm", 80, 24).toCompletableFuture().get(60,
                        TimeUnit.SECONDS));
        org.rawsockets.ssh.SshException x = (org.rawsockets.ssh.SshException) e.getCause();
        assertEquals(org.rawsockets.ssh.SshException.Reason.CHANNEL, x.reason());
        assertEquals("root@127.0.0.1:" + sshd.port + " refused a pseudo-terminal for the shell (xterm 80x24) (check PermitTTY"
                + " in the server's sshd_config, and no-pty or restrict on the key's line in authorized_keys)", x.getMessage());
        TestSockets.waitUntil("the refused channel closed, the session still open", Duration.ofSeconds(30),
                () -> ((org.apache.sshd.common.session.helpers.AbstractConnectionService) s.clientSession().getService(
                        org.apache.sshd.common.session.ConnectionService.class)).getChannels().isEmpty());
        assertTrue(s.isOpen());
        assertEquals("still here\n", await(s.exec("echo still here", Duration.ofSeconds(30))).stdoutText());
        s.close();
    }

    private static void type(SshShell shell, String line) throws Exception {
        shell.input().write(line.getBytes(StandardCharsets.UTF_8));
        shell.input().flush();
    }

    private static String text(ByteArrayOutputStream seen) {
        synchronized (seen) {
            return seen.toString(StandardCharsets.UTF_8);
        }
    }

    private static void waitFor(ByteArrayOutputStream seen, String marker) throws InterruptedException {
        TestSockets.waitUntil(() -> "'" + marker + "' on the terminal; it shows:\n" + text(seen), Duration.ofSeconds(60),
                () -> text(seen).contains(marker));
    }
}
