package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The SSH bundle in the real gateway: the bundle and Apache MINA SSHD's bundles dropped into deploy/, a host configured in etc/ (key passphrase as a secret reference), and
 * {@code ssh:exec} through {@code gateway -c} against an OpenSSH sshd the test starts on a free
 * loopback port: the output, the remote exit status, and {@code -c} failing the command on a non-zero one.
 */
class SshGatewayProcessIT {

    private final GatewayProcessIT gateway = new GatewayProcessIT();
    private Process sshd;
    private Path sshdLog;

    @AfterEach
    void stopSshd() throws InterruptedException {
        if (sshd != null) {
            sshd.descendants().forEach(ProcessHandle::destroyForcibly);
            sshd.destroyForcibly();
            sshd.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void sshExecThroughGatewayC(TestInfo info) throws Exception {
        Lab lab = lab(info);
        sshd = lab.sshd();
        sshdLog = lab.sshdLog();
        Path home = lab.home();
        GatewayProcessIT.Result ok = gateway.run(home, "-c", "ssh:hosts; ssh:exec -c lab echo from-sshd");
        assertEquals(0, ok.exit(), ok + "\n--- sshd\n" + Files.readString(sshdLog));
        assertTrue(ok.stdout().contains("lab  root@endpoint lab  auth=publickey  hostKeyMode=strict"), ok.toString());
        assertTrue(ok.stdout().contains("from-sshd"), ok.toString());

        GatewayProcessIT.Result status = gateway.run(home, "-c", "ssh:exec lab 'exit 7'");
        assertEquals(0, status.exit(), status.toString());
        assertTrue(status.stdout().strip().endsWith("7"), "the remote exit status is the command's value: " + status);

        GatewayProcessIT.Result failed = gateway.run(home, "-c", "ssh:exec -c lab 'exit 7'");
        assertEquals(7, failed.exit(), "gateway -c exits with the remote status: " + failed);
        assertTrue(failed.stderr().contains("'exit 7' on lab exited with status 7"), failed.toString());
        // an Ed25519 user key, signed with BouncyCastle from the platform
        assertTrue(Files.readString(sshdLog).matches("(?s).*Accepted publickey for root from \\S+ port \\d+ ssh2: ED25519 .*"),
                Files.readString(sshdLog));
        assertTrue(!Files.readString(home.resolve("log/gateway.log")).contains("gw pass"), "the passphrase is never logged");
    }

    /** A gateway folder with the SSH bundles in deploy/ and host {@code lab} in etc/, and the OpenSSH sshd it reaches. */
    record Lab(Path home, Process sshd, Path sshdLog) {
    }

    /** Sets up {@link Lab}: the caller stops {@code sshd} (its descendants too). */
    static Lab lab(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        Path bundles = Paths.get(System.getProperty("gateway.dir"), "bundles");
        copy(bundles, "ssh-*.jar", home.resolve("deploy"));
        // Apache MINA SSHD; BouncyCastle is in the platform (system/), so Ed25519 keys (OpenSSH's default) work
        copy(bundles.resolve("ssh-lib"), "sshd-*.jar", home.resolve("deploy"));

        Path work = Files.createDirectories(home.resolve("sshd"));
        GatewayProcessIT.exec(work, "ssh-keygen", "-q", "-t", "ed25519", "-f", "host_key", "-N", "");
        GatewayProcessIT.exec(work, "ssh-keygen", "-q", "-t", "ed25519", "-f", "id_ed25519", "-N", "gw pass");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Files.copy(work.resolve("id_ed25519.pub"), work.resolve("authorized_keys"));
        // root's sessions get a HOME of the test: the machine's login scripts (pyenv...) never run
        Path sessionHome = Files.createDirectories(work.resolve("home"));
        Files.write(work.resolve("sshd_config"), List.of("SetEnv HOME=" + sessionHome, "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + work.resolve(
                "host_key"), "PidFile none", "UsePAM no", "StrictModes no", "PermitRootLogin yes", "PasswordAuthentication no",
                "KbdInteractiveAuthentication no", "AuthorizedKeysFile " + work.resolve("authorized_keys"), "LogLevel VERBOSE"));
        if (!Files.isDirectory(Path.of("/run/sshd"))) {
            Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory, as its service makes it
        }
        Path sshdLog = work.resolve("sshd.log");
        Process sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", work.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(sshdLog.toFile()).start();
        GatewayProcessIT.awaitListening(port);
        String[] hostPub = Files.readString(work.resolve("host_key.pub")).trim().split(" ");
        Files.writeString(work.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + hostPub[0] + " " + hostPub[1] + "\n");

        Path secrets = Files.createDirectories(home.resolve("secrets"));
        Files.writeString(secrets.resolve("lab-key"), "gw pass\n");
        Files.setPosixFilePermissions(secrets.resolve("lab-key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path etc = home.resolve("etc");
        // The bundle declares TCP to port 22 only: the test server's port is the operator's, through an endpoint.
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.socket.endpoint-lab.cfg"), String.join("\n",
                "name=lab", "host=127.0.0.1", "port=" + port, "tls=OFF", "description=test sshd", ""));
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.socket.policy.cfg"),
                "grant.ssh-lab = org.rawsockets.ssh tcp endpoint:lab *\n");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.ssh.host-lab.cfg"), String.join("\n", "name=lab",
                "endpoint=lab", "user=root", "keyFile=" + work.resolve("id_ed25519"),
                ".passphrase=secret:lab-key", "knownHosts=" + work.resolve("known_hosts"), ""));

        return new Lab(home, sshd, sshdLog);
    }

    private static void copy(Path dir, String glob, Path to) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, glob)) {
            for (Path jar : jars) {
                Files.copy(jar, to.resolve(jar.getFileName()));
                n++;
            }
        }
        assertTrue(n > 0, "no " + glob + " in " + dir + " (the protocol-ssh profile builds it)");
    }

    static Duration waitLimit() {
        return GatewayProcessIT.WAIT;
    }
}
