package org.rawsockets.soak;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.rawsockets.socket.testing.NodeEchoPeer;
import org.rawsockets.socket.testing.PeerLines;
import org.rawsockets.ssh.e2e.OpenSshTestServer;

/**
 * The soak's peers, each a process of its own on 127.0.0.1 with a free port, started the way the
 * project's tests start them: a node TCP/UDP echo server (socket-api's test-jar {@code NodeEchoPeer}, as
 * socket-impl-mina's SocketSoakTest uses it), j2mod's Modbus/TCP slave (protocols/modbus: the image of its
 * {@code Peers}, in a JVM of its own served by its test-jar's {@code J2modSlaveProcess}), Mosquitto (protocols/mqtt {@code Mosquitto}), the npm smtp-server
 * package run by node with protocols/smtp's own test script ({@code TestPeers.NodeSmtpServer}),
 * ngIRCd (protocols/irc {@code IrcServers}, bench {@code Ngircd}) and libcoap's coap-server-notls
 * (protocols/coap {@code Libcoap}) and OpenSSH's sshd (protocols/ssh's {@code OpenSshTestServer}, from its
 * test-jar: a generated host key, the client's ed25519 key in authorized_keys, root with a HOME of the test).
 * A missing tool fails the test (run .ci/setup). Every peer is stopped by {@link #close()}.
 */
final class Peers implements AutoCloseable {

    static final String SMTP_SERVER_VERSION = "3.21.6";

    final Path dir;
    private final List<AutoCloseable> started = new ArrayList<>();
    int echoTcp;
    int echoUdp;
    int modbus;
    int mqtt;
    int smtp;
    int irc;
    int coap;
    int ssh;
    /** The SSH client's private key (authorized at the sshd) and a known_hosts file with the sshd's host key. */
    Path sshKey;
    Path sshKnownHosts;
    private OpenSshTestServer sshd;
    /** Messages the SMTP server accepted (its "MESSAGE" lines). */
    final AtomicLong smtpAccepted = new AtomicLong();
    private Path j2modLog;
    private Path mosquittoLog;
    private Path ngircdLog;
    private Path coapLog;

    Peers(Path dir) {
        this.dir = dir;
    }

    /** Starts every peer; {@code modbusConnections} sizes j2mod's thread pool (a thread per connection). */
    Peers start(int modbusConnections) throws Exception {
        try {
            echo();
            j2mod(modbusConnections);
            mosquitto();
            smtpServer();
            ngircd();
            coapServer();
            sshServer();
            return this;
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private void echo() throws IOException {
        NodeEchoPeer p = NodeEchoPeer.start(dir);
        started.add(p);
        echoTcp = p.tcpPort();
        echoUdp = p.udpPort();
    }

    private void j2mod(int connections) throws Exception {
        modbus = freeTcpPort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        j2modLog = dir.resolve("j2mod.log");
        // its output to a file: PeerProcess keeps a peer's whole output in this JVM's heap
        Process p = new ProcessBuilder(java, "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                System.getProperty("java.class.path"), J2modSlave.class.getName(), "127.0.0.1", String.valueOf(modbus),
                String.valueOf(connections + 16)).redirectErrorStream(true).redirectOutput(j2modLog.toFile()).start();
        started.add(() -> stop(p));
        awaitStarted(p, "the j2mod slave", j2modLog, Duration.ofSeconds(60), "j2mod listening on 127.0.0.1:" + modbus,
                () -> tail(j2modLog).contains("LISTENING"));
    }

    private void mosquitto() throws Exception {
        mqtt = freeTcpPort();
        Path d = Files.createDirectories(dir.resolve("mosquitto"));
        mosquittoLog = d.resolve("mosquitto.log");
        // as protocols/mqtt's Mosquitto, without the per-message debug log (an hour of it is gigabytes)
        Files.write(d.resolve("mosquitto.conf"), List.of("listener " + mqtt + " 127.0.0.1",
                "log_dest file " + mosquittoLog, "log_type error", "log_type warning", "log_type notice", "log_type information",
                "allow_anonymous true", "user " + System.getProperty("user.name")));
        Process p = new ProcessBuilder("/usr/sbin/mosquitto", "-c", d.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(d.resolve("stdout.txt").toFile()).start();
        started.add(() -> stop(p));
        awaitStarted(p, "mosquitto", mosquittoLog, Duration.ofSeconds(15), "mosquitto running on 127.0.0.1:" + mqtt,
                () -> tail(mosquittoLog).contains(" running"));
    }

    private void smtpServer() throws Exception {
        Path script = Path.of(System.getProperty("soak.smtpServerJs",
                "../protocols/smtp/src/test/resources/smtp-server.js")).toAbsolutePath();
        if (!Files.exists(script)) {
            throw new AssertionError("protocols/smtp's smtp-server.js not found at " + script);
        }
        Path node = Path.of("target/node").toAbsolutePath();
        Path pkg = node.resolve("node_modules/smtp-server/package.json");
        if (!Files.exists(pkg) || !Files.readString(pkg).contains("\"version\": \"" + SMTP_SERVER_VERSION + "\"")) {
            Files.createDirectories(node);
            run(node, "npm", "install", "--no-audit", "--no-fund", "--prefer-offline", "--prefix", node.toString(),
                    "smtp-server@" + SMTP_SERVER_VERSION);
        }
        ProcessBuilder pb = new ProcessBuilder("node", script.toString(), "{\"keepBytes\": 0}").redirectErrorStream(true);
        pb.environment().put("NODE_PATH", node.resolve("node_modules").toString());
        Process p = pb.start();
        started.add(() -> {
            p.getOutputStream().close(); // the script exits when its stdin ends
            stop(p);
        });
        List<String> other = new ArrayList<>();
        int p0 = PeerLines.follow(p, "soak-smtp-server-output", line -> {
            if (line.startsWith("MESSAGE ")) {
                smtpAccepted.incrementAndGet();
            } else if (!PeerLines.isListening(line) && other.size() < 100) {
                synchronized (other) {
                    other.add(line);
                }
            }
        }).awaitListening(Duration.ofSeconds(60));
        if (p0 < 0) {
            synchronized (other) {
                throw new AssertionError("smtp-server did not start: " + other);
            }
        }
        smtp = p0;
    }

    private void ngircd() throws Exception {
        irc = freeTcpPort();
        Path d = Files.createDirectories(dir.resolve("ngircd"));
        // ngIRCd started as root drops to nobody: the directory and the file must stay readable.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        // as bench's Ngircd: no per-IP connection limit, no penalties (command throttling)
        String conf = "[Global]\nName = irc.soak.test\nInfo = soak server\nListen = 127.0.0.1\nPorts = " + irc
                + "\nMotdPhrase = hello\nAdminInfo1 = soak\nAdminInfo2 = soak\nAdminEMail = soak@example.test\n"
                + "[Limits]\nPingTimeout = 120\nPongTimeout = 20\nMaxNickLength = 20\nMaxConnectionsIP = 0\n"
                + "MaxPenaltyTime = 0\n[Options]\nPAM = no\nIdent = no\nDNS = no\n";
        Path file = d.resolve("ngircd.conf");
        Files.writeString(file, conf);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        ngircdLog = d.resolve("ngircd.out");
        Process p = new ProcessBuilder("/usr/sbin/ngircd", "-n", "-f", file.toString()).directory(d.toFile())
                .redirectErrorStream(true).redirectOutput(ngircdLog.toFile()).start();
        started.add(() -> stop(p));
        awaitListening(p, irc, "ngircd", ngircdLog);
    }

    private void coapServer() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            coap = s.getLocalPort();
        }
        coapLog = dir.resolve("coap-server.log");
        Process p = new ProcessBuilder("coap-server-notls", "-A", "127.0.0.1", "-p", String.valueOf(coap), "-v", "3")
                .redirectErrorStream(true).redirectOutput(coapLog.toFile()).start();
        started.add(() -> stop(p));
        String hex = String.format(Locale.ROOT, "0100007F:%04X", coap);
        awaitStarted(p, "coap-server-notls", coapLog, Duration.ofSeconds(30), "coap-server-notls bound to 127.0.0.1:" + coap,
                () -> Files.readString(Path.of("/proc/net/udp")).contains(hex));
    }

    private void sshServer() throws Exception {
        Path d = Files.createDirectories(dir.resolve("ssh"));
        sshKey = OpenSshTestServer.keygen("ed25519", d.resolve("id_ed25519"), "");
        OpenSshTestServer s = OpenSshTestServer.start(d.resolve("sshd"), List.of(Path.of(sshKey + ".pub")));
        started.add(s);
        sshd = s;
        ssh = s.port();
        sshKnownHosts = Files.writeString(d.resolve("known_hosts"), s.knownHostsLine("127.0.0.1") + "\n");
    }

    /** The tails of the peers' logs (for a failure's message). */
    String logs() {
        return "---- j2mod\n" + tail(j2modLog) + "\n---- mosquitto\n" + tail(mosquittoLog) + "\n---- ngircd\n" + tail(ngircdLog) + "\n---- coap-server\n"
                + tail(coapLog) + "\n---- sshd\n" + (sshd == null ? "" : tailOf(sshd.log()));
    }

    private static String tailOf(String s) {
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }

    @Override
    public String toString() {
        return "echo tcp " + echoTcp + " udp " + echoUdp + ", j2mod " + modbus + ", mosquitto " + mqtt + ", smtp-server "
                + smtp + ", ngircd " + irc + ", coap-server " + coap + ", sshd " + ssh;
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.out.println("stopping a peer: " + e);
            }
        }
        started.clear();
    }

    private static void stop(Process p) throws InterruptedException {
        if (p.isAlive()) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(Process p, int port, String what, Path log) throws Exception {
        awaitStarted(p, what, log, Duration.ofSeconds(30), what + " listening on 127.0.0.1:" + port, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /**
     * Waits as {@link #until} for a peer process to be {@code ready}, and fails at once, with the tail of
     * its {@code log}, if {@code name} exits first.
     */
    private static void awaitStarted(Process p, String name, Path log, Duration limit, String what, Condition ready)
            throws Exception {
        until(limit, what, () -> {
            if (!p.isAlive()) {
                throw new AssertionError(name + " exited with " + p.exitValue() + ": " + tail(log));
            }
            return ready.holds();
        });
    }

    /** Polls {@code condition} every 20 ms until it holds; fails after {@code limit}. */
    interface Condition {
        boolean holds() throws Exception;
    }

    static void until(Duration limit, String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
            }
            Thread.sleep(20);
        }
    }

    static boolean within(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    static String tail(Path log) {
        try {
            if (log == null || !Files.exists(log)) {
                return "";
            }
            String s = Files.readString(log, StandardCharsets.UTF_8);
            return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run '" + cmd[0] + "' (" + e.getMessage() + "): run .ci/setup", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
