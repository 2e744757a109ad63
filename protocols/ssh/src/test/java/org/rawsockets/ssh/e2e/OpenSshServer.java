package org.rawsockets.ssh.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} (Debian openssh-server) on a free 127.0.0.1 port, with a generated
 * config, host key and authorized_keys in a temp dir, run in the foreground ({@code -D -e}) with its
 * log in a file. Runs as the current user (root in CI); its privilege separation directory
 * {@code /run/sshd} is created when missing, as the packaged service would.
 */
final class OpenSshServer implements AutoCloseable {

    final Path dir;
    final int port;
    final Path hostKey;
    final Path log;
    private final Process process;
    /** The PAM service file this server's sshd uses ({@link #startWithPam}), removed at close; else null. */
    private Path pamService;

    /** The listening sshd (its connections' processes are its descendants). */
    Process process() {
        return process;
    }

    private OpenSshServer(Path dir, int port, Path hostKey, Path log, Process process) {
        this.dir = dir;
        this.port = port;
        this.hostKey = hostKey;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts sshd with keyboard-interactive through PAM as the only method: a user logs in by answering
     * PAM's password prompt with {@code password}. OpenSSH names its PAM service after the program, so
     * sshd runs through a symbolic link in {@code dir} with a name of its own, whose service file in
     * {@code /etc/pam.d} (written here, removed at close; the tests run as root, as sshd itself needs)
     * checks the answer with pam_exec(8) against a file in {@code dir} and permits the account and
     * session. The machine's own sshd service and its PAM files are not touched.
     */
    static OpenSshServer startWithPam(Path dir, String password) throws Exception {
        Files.createDirectories(dir);
        String name = "rawsockets-test-sshd-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
        Path program = dir.resolve(name);
        Files.createSymbolicLink(program, Path.of("/usr/sbin/sshd"));
        Path secret = Files.writeString(dir.resolve("pam-password"), password + "\n");
        Path check = dir.resolve("pam-check.sh");
        // pam_exec gives the answer on standard input (expose_authtok); exit 0 accepts it
        Files.writeString(check, "#!/bin/sh\nIFS= read -r answer\n[ \"$answer\" = \"$(cat '" + secret + "')\" ]\n");
        check.toFile().setExecutable(true);
        Path service = Path.of("/etc/pam.d", name);
        Files.writeString(service, "# Raw Sockets test sshd in " + dir + " (removed when the test ends)\n"
                + "auth required pam_exec.so expose_authtok quiet " + check + "\n"
                // pam_exec ignores pam_setcred: without a module that succeeds there, sshd's setcred fails the login
                + "auth optional pam_permit.so\n"
                + "account required pam_permit.so\n"
                + "session required pam_permit.so\n");
        try {
            OpenSshServer s = startProgram(dir, "ed25519", List.of(), freePort(), program.toString(), "UsePAM yes",
                    "KbdInteractiveAuthentication yes", "PubkeyAuthentication no", "AuthenticationMethods keyboard-interactive");
            s.pamService = service;
            return s;
        } catch (Exception | Error e) {
            Files.deleteIfExists(service);
            throw e;
        }
    }

    /** Starts sshd with {@code authorizedKeys} (public key lines) and extra config lines. */
    static OpenSshServer start(Path dir, String hostKeyType, List<Path> authorizedPublicKeys, String... extraConfig)
            throws Exception {
        return start(dir, hostKeyType, authorizedPublicKeys, freePort(), extraConfig);
    }

    /** As above on a given port (a server started again where a client expects it). */
    static OpenSshServer start(Path dir, String hostKeyType, List<Path> authorizedPublicKeys, int port, String... extraConfig)
            throws Exception {
        return startProgram(dir, hostKeyType, authorizedPublicKeys, port, "/usr/sbin/sshd", extraConfig);
    }

    /**
     * Starts sshd in the network namespace of {@code net} (issue 21's fault network), listening on
     * the namespace's end of its veth pair ({@code net.peerAddress}) as well as its own loopback.
     */
    static OpenSshServer startIn(org.rawsockets.socket.netfault.FaultNetwork net, Path dir, String hostKeyType,
            List<Path> authorizedPublicKeys, String... extraConfig) throws Exception {
        List<String> config = new ArrayList<>(List.of("ListenAddress " + net.peerAddress));
        config.addAll(List.of(extraConfig));
        return startProgram(dir, hostKeyType, authorizedPublicKeys, 22, List.of("ip", "netns", "exec", net.name),
                "/usr/sbin/sshd", config.toArray(String[]::new));
    }

    private static OpenSshServer startProgram(Path dir, String hostKeyType, List<Path> authorizedPublicKeys, int port, String program,
            String... extraConfig) throws Exception {
        return startProgram(dir, hostKeyType, authorizedPublicKeys, port, List.of(), program, extraConfig);
    }

    private static OpenSshServer startProgram(Path dir, String hostKeyType, List<Path> authorizedPublicKeys, int port,
            List<String> launcher, String program, String... extraConfig) throws Exception {
        Files.createDirectories(dir);
        Path hostKey = dir.resolve("ssh_host_" + hostKeyType + "_key");
        if (!Files.exists(hostKey)) {
            keygen(hostKeyType, hostKey, "");
        }
        StringBuilder keys = new StringBuilder();
        for (Path p : authorizedPublicKeys) {
            keys.append(Files.readString(p).trim()).append('\n');
        }
        Path authorized = dir.resolve("authorized_keys");
        Files.writeString(authorized, keys);
        Path privsep = Path.of("/run/sshd");
        if (!Files.isDirectory(privsep)) {
            Files.createDirectories(privsep);
        }
        // The sessions log in as root: HOME is a folder of the test, so that the machine's own login
        // scripts (root's .bashrc, .profile: pyenv, cargo...) never run, nor get their state (a pyenv
        // rehash lock of a shell the test ends mid-start-up) left behind for the next session to wait on.
        Path home = Files.createDirectories(dir.resolve("home"));
        List<String> config = new ArrayList<>(List.of("SetEnv HOME=" + home, "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + hostKey,
                "PidFile none", "UsePAM no", "StrictModes no", "PermitRootLogin yes", "PasswordAuthentication no",
                "KbdInteractiveAuthentication no", "AuthorizedKeysFile " + authorized, "LogLevel VERBOSE",
                "Subsystem sftp internal-sftp", "MaxStartups 100"));
        config.addAll(0, List.of(extraConfig)); // first: sshd keeps the first value of a keyword
        Path cfg = dir.resolve("sshd_config");
        Files.write(cfg, config);
        Path log = dir.resolve("sshd-" + port + ".log");
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(program, "-D", "-e", "-f", cfg.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        OpenSshServer s = new OpenSshServer(dir, port, hostKey, log, p);
        s.waitForLog("Server listening on 127.0.0.1 port " + port, Duration.ofSeconds(20));
        return s;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** ssh-keygen a key pair without comment prompt; empty passphrase for none. */
    static Path keygen(String type, Path file, String passphrase) throws Exception {
        Files.deleteIfExists(file);
        Files.deleteIfExists(Path.of(file + ".pub"));
        List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", type, "-f", file.toString(), "-N", passphrase,
                "-C", "test-" + type));
        if (type.equals("rsa")) {
            cmd.addAll(List.of("-b", "3072"));
        }
        run(cmd);
        return file;
    }

    /** OpenSSH's own SHA256 fingerprint of the host key ({@code ssh-keygen -lf}). */
    String hostKeyFingerprint() throws Exception {
        String out = run(List.of("ssh-keygen", "-l", "-E", "sha256", "-f", hostKey + ".pub"));
        return out.split(" ")[1];
    }

    /** The known_hosts line OpenSSH would write for this server ({@code [127.0.0.1]:port key}). */
    String knownHostsLine(String host) throws Exception {
        String pub = Files.readString(Path.of(hostKey + ".pub")).trim();
        String[] parts = pub.split(" ");
        return "[" + host + "]:" + port + " " + parts[0] + " " + parts[1];
    }

    static String run(List<String> cmd) throws Exception {
        return org.rawsockets.socket.netfault.Programs.run(Duration.ofSeconds(60), cmd);
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    void waitForLog(String line, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (!log().contains(line)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("sshd exited (" + process.exitValue() + ") before '" + line + "':\n" + log());
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("sshd did not log '" + line + "' within " + limit + ":\n" + log());
            }
            Thread.sleep(20);
        }
    }

    /** Kills sshd and its per-connection children at once (a server dying mid-session). */
    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
        if (pamService != null) {
            try {
                Files.deleteIfExists(pamService);
            } catch (IOException e) {
                throw new IllegalStateException("could not remove the test's PAM service file " + pamService, e);
            }
        }
    }
}
