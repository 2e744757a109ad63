package org.rawsockets.ssh.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.ssh.e2e.TestSockets.await;
import static org.rawsockets.ssh.e2e.TestSockets.failure;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.ssh.RemoteFile;
import org.rawsockets.ssh.SftpFiles;
import org.rawsockets.ssh.SshConnector;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;
import org.rawsockets.ssh.TransferResult;

/**
 * SFTP through the socket-service transport against OpenSSH's sftp server: the file operations,
 * a large put and get checked by SHA-256 (64 MiB; {@code -Dssh.sftp.test.mib=256} for more), resume.
 */
class SftpE2ETest {

    private static final int MIB = Integer.getInteger("ssh.sftp.test.mib", 64);

    @TempDir
    Path dir;
    private OpenSshServer sshd;
    private MinaSocketEngine engine;
    private OwnedSocketService sockets;
    private SshConnector ssh;
    private SshSession session;
    private SftpFiles sftp;
    private Path remote;

    @RegisterExtension
    final TestWatcher printLog = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (sshd != null) {
                System.err.println("---- sshd log of " + context.getDisplayName() + " ----\n" + sshd.log());
            }
        }
    };

    @BeforeEach
    void start() throws Exception {
        Path key = OpenSshServer.keygen("ed25519", dir.resolve("id_ed25519"), "");
        sshd = OpenSshServer.start(dir.resolve("sshd"), "ed25519", List.of(Path.of(key + ".pub")));
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.ssh"));
        ssh = SshConnector.start(sockets);
        Path kh = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine("127.0.0.1") + "\n");
        session = await(ssh.connect(SshSettings.builder().host("127.0.0.1").port(sshd.port).user("root").keyFile(key)
                .knownHosts(kh).build()));
        sftp = session.sftp();
        remote = Files.createDirectories(dir.resolve("remote"));
    }

    @AfterEach
    void stop() throws Exception {
        ssh.close();
        sockets.close();
        engine.close();
        sshd.close();
    }

    @Test
    void fileOperations() throws Exception {
        await(sftp.mkdir(remote + "/sub"));
        Path small = Files.writeString(dir.resolve("small.txt"), "hello sftp\n");
        await(sftp.put(small, remote + "/sub/a.txt", false, (d, t) -> { }));
        List<RemoteFile> ls = await(sftp.list(remote + "/sub"));
        assertEquals(1, ls.size());
        assertEquals("a.txt", ls.get(0).name());
        assertEquals(11, ls.get(0).size());
        assertFalse(ls.get(0).directory());
        assertTrue(await(sftp.stat(remote + "/sub")).directory());
        await(sftp.rename(remote + "/sub/a.txt", remote + "/sub/b.txt"));
        assertEquals("hello sftp\n", Files.readString(remote.resolve("sub/b.txt")));
        await(sftp.rm(remote + "/sub/b.txt"));
        assertEquals(List.of(), await(sftp.list(remote + "/sub")));
        await(sftp.rm(remote + "/sub"));
        assertFalse(Files.exists(remote.resolve("sub")));

        SshException missing = failure(sftp.stat(remote + "/nope"), Duration.ofSeconds(30));
        assertEquals(Reason.SFTP, missing.reason(), missing.getMessage());
        assertTrue(missing.getMessage().startsWith("sftp stat " + remote + "/nope on root@127.0.0.1:" + sshd.port + " failed: "),
                missing.getMessage());
        assertTrue(missing.getMessage().toLowerCase().contains("no such file"), missing.getMessage());
    }

    @Test
    void largePutAndGetKeepEveryByte() throws Exception {
        Path src = randomFile(dir.resolve("big.bin"), MIB);
        String sha = sha256(src);
        AtomicLong lastProgress = new AtomicLong(-1);
        AtomicLong calls = new AtomicLong();
        TransferResult up = await(sftp.put(src, remote + "/big.bin", false, (done, total) -> {
            assertTrue(done >= lastProgress.get(), "progress never goes back");
            assertEquals((long) MIB << 20, total);
            lastProgress.set(done);
            calls.incrementAndGet();
        }));
        assertEquals((long) MIB << 20, up.size());
        assertEquals((long) MIB << 20, lastProgress.get());
        assertTrue(calls.get() > 10, "progress told along the way");
        String remoteSha = await(session.exec("sha256sum " + remote + "/big.bin", Duration.ofSeconds(120))).stdoutText();
        assertEquals(sha, remoteSha.split(" ")[0]);

        Path back = dir.resolve("back.bin");
        TransferResult down = await(sftp.get(remote + "/big.bin", back, false, (d, t) -> { }));
        assertEquals(sha, sha256(back));
        System.out.printf("SFTP %d MiB through the socket service: put %.1f MiB/s, get %.1f MiB/s%n", MIB, up.mibPerSecond(),
                down.mibPerSecond());
    }

    @Test
    void interruptedTransfersResume() throws Exception {
        Path src = randomFile(dir.resolve("r.bin"), 4);
        String sha = sha256(src);
        long half = Files.size(src) / 2 + 12345;
        // an upload that stopped part-way: the remote has the first bytes
        try (InputStream in = Files.newInputStream(src); OutputStream out = Files.newOutputStream(remote.resolve("r.bin"))) {
            out.write(in.readNBytes((int) half));
        }
        TransferResult up = await(sftp.put(src, remote + "/r.bin", true, (d, t) -> { }));
        assertEquals(half, up.resumedFrom());
        assertEquals(Files.size(src) - half, up.transferred());
        assertEquals(sha, sha256(remote.resolve("r.bin")));

        // a download that stopped part-way: the local file has the first bytes
        Path local = dir.resolve("partial.bin");
        try (InputStream in = Files.newInputStream(src); OutputStream out = Files.newOutputStream(local)) {
            out.write(in.readNBytes((int) (half / 3)));
        }
        TransferResult down = await(sftp.get(remote + "/r.bin", local, true, (d, t) -> { }));
        assertEquals(half / 3, down.resumedFrom());
        assertEquals(sha, sha256(local));
    }

    static Path randomFile(Path file, int mib) throws Exception {
        byte[] chunk = new byte[1 << 20];
        Random r = new Random(mib);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                r.nextBytes(chunk);
                out.write(chunk);
            }
        }
        return file;
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0;) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
