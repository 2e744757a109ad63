package org.rawsockets.irc.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Real IRC servers for the tests, started on free loopback ports with configurations generated in
 * a temporary directory: ngIRCd (plain and TLS with a generated certificate) and InspIRCd. Their
 * logs are printed when a test fails (see {@link #describe()}).
 */
public final class IrcServers {

    private IrcServers() {
    }

    /** Ports handed out in this JVM: the kernel may give a closed ephemeral port out again at once. */
    private static final java.util.Set<Integer> GIVEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A free loopback port not handed out before in this JVM (a server's plain and TLS ports must differ). */
    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (GIVEN.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
        throw new IOException("no loopback port not handed out before in 100 attempts");
    }

    public static void until(Duration limit, BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toMillis() + " ms: " + what.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** A server process; restartable on the same ports. */
    public static final class Server implements AutoCloseable {
        final String kind;
        final Path dir;
        public final int port;
        final int tlsPort;
        final List<String> command;
        final Path log;
        /** A line of the output that says the server is ready (instead of a listening port), or null. */
        String readyText;
        Process process;

        Server(String kind, Path dir, int port, int tlsPort, List<String> command) {
            this.kind = kind;
            this.dir = dir;
            this.port = port;
            this.tlsPort = tlsPort;
            this.command = command;
            this.log = dir.resolve(kind + ".out");
        }

        Server start() throws IOException {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (port > 0) {
                awaitListening(port);
            }
            if (readyText != null) {
                until(Duration.ofSeconds(60), () -> {
                    if (!process.isAlive()) {
                        throw new AssertionError(kind + " exited with " + process.exitValue() + ": " + describe());
                    }
                    try {
                        return Files.readString(log, UTF_8).contains(readyText);
                    } catch (IOException e) {
                        return false;
                    }
                }, () -> kind + " saying '" + readyText + "'; " + describe());
            }
            if (tlsPort > 0) {
                awaitListening(tlsPort);
            }
            return this;
        }

        private void awaitListening(int p) {
            until(Duration.ofSeconds(60), () -> {
                if (!process.isAlive()) {
                    throw new AssertionError(kind + " exited with " + process.exitValue() + ": " + describe());
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", p), 500);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }, () -> kind + " listening on 127.0.0.1:" + p + "; " + describe());
        }

        void stop() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }

        void restart() throws Exception {
            stop();
            start();
        }

        /** Sends SIGSTOP (true) or SIGCONT (false) to the server: it stays connected and says nothing. */
        void freeze(boolean stop) throws Exception {
            Process k = new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", String.valueOf(process.pid())).start();
            if (!k.waitFor(5, TimeUnit.SECONDS) || k.exitValue() != 0) {
                throw new AssertionError("kill " + (stop ? "-STOP" : "-CONT") + " failed");
            }
        }

        public String describe() {
            StringBuilder b = new StringBuilder(kind + " in " + dir + "\n");
            for (Path p : List.of(log, dir.resolve("insp.log"), dir.resolve("atheme.out"))) {
                try {
                    if (Files.exists(p)) {
                        String s = Files.readString(p, UTF_8);
                        b.append("---- ").append(p.getFileName()).append(" (tail)\n")
                                .append(s.length() > 6000 ? s.substring(s.length() - 6000) : s);
                    }
                } catch (IOException e) {
                    b.append(e);
                }
            }
            return b.toString();
        }

        @Override
        public void close() throws Exception {
            if (process != null && process.isAlive()) {
                freeze(false);
            }
            stop();
        }
    }

    /** A self-signed certificate for 127.0.0.1 / localhost: {cert.pem, key.pem} in {@code dir}. */
    public static Path[] certificate(Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("openssl req failed: " + out);
        }
        readable(cert);
        readable(key);
        return new Path[] {cert, key};
    }

    private static void readable(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** ngIRCd (it drops root to nobody: the directory is made world-readable). */
    public static Server ngircd(Path dir, boolean tls, String extra) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port = freePort();
        int tlsPort = tls ? freePort() : 0;
        StringBuilder conf = new StringBuilder();
        conf.append("[Global]\nName = irc.ngircd.test\nInfo = test server\nListen = 127.0.0.1\nPorts = ").append(port)
                .append("\nMotdPhrase = hello\nAdminInfo1 = test\nAdminInfo2 = test\nAdminEMail = test@example.test\n")
                .append("[Limits]\nPingTimeout = 120\nPongTimeout = 20\nMaxNickLength = 20\nMaxConnectionsIP = 0\n")
                .append("[Options]\nPAM = no\nIdent = no\nDNS = no\n")
                .append("[Operator]\nName = admin\nPassword = adminpw\n");
        if (tls) {
            Path[] c = certificate(dir);
            conf.append("[SSL]\nCertFile = ").append(c[0]).append("\nKeyFile = ").append(c[1]).append("\nPorts = ")
                    .append(tlsPort).append("\n");
        }
        conf.append(extra);
        Path file = dir.resolve("ngircd.conf");
        Files.writeString(file, conf.toString());
        readable(file);
        return new Server("ngircd", dir, port, tlsPort, List.of("/usr/sbin/ngircd", "-n", "-f", file.toString()))
                .start();
    }

    /**
     * InspIRCd 3 with the IRCv3 modules; {@code connectClass} is added to the connect block (it
     * must set commandrate: 1000 is one command per second).
     */
    public static Server inspircd(Path dir, String connectClass, String extra) throws Exception {
        int port = freePort();
        List<String> modules = new ArrayList<>(List.of("cap", "ircv3", "ircv3_servertime", "ircv3_echomessage",
                "ircv3_capnotify", "ircv3_accounttag", "ircv3_batch", "ircv3_chghost", "ircv3_invitenotify",
                "ircv3_msgid", "ircv3_ctctags", "ircv3_labeledresponse", "namesx", "uhnames", "monitor", "setname"));
        StringBuilder conf = new StringBuilder();
        conf.append("<server name=\"irc.insp.test\" description=\"test\" network=\"TestNet\">\n")
                .append("<admin name=\"t\" nick=\"t\" email=\"t@example.test\">\n")
                .append("<bind address=\"127.0.0.1\" port=\"").append(port).append("\" type=\"clients\">\n")
                .append("<connect name=\"main\" allow=\"*\" timeout=\"20\" pingfreq=\"120\" hardsendq=\"1M\""
                        + " softsendq=\"8192\" recvq=\"8192\" threshold=\"10\" fakelag=\"on\""
                        + " localmax=\"100\" globalmax=\"100\" useident=\"no\" limit=\"5000\" maxchans=\"50\" ")
                .append(connectClass).append(">\n")
                .append("<pid file=\"").append(dir.resolve("insp.pid")).append("\">\n")
                .append("<options prefixquit=\"Quit: \" allowhalfop=\"yes\">\n")
                .append("<performance netbuffersize=\"10240\" somaxconn=\"128\" softlimit=\"12800\" quietbursts=\"yes\">\n")
                .append("<security hidesplits=\"no\" announceinvites=\"dynamic\" maxtargets=\"20\">\n")
                .append("<limits maxnick=\"30\" maxchan=\"64\" maxmodes=\"20\" maxident=\"11\" maxquit=\"255\""
                        + " maxtopic=\"307\" maxkick=\"255\" maxreal=\"128\" maxaway=\"200\">\n")
                .append("<log method=\"file\" type=\"* -USERINPUT -USEROUTPUT\" level=\"default\" target=\"")
                .append(dir.resolve("insp.log")).append("\">\n")
                .append("<dns timeout=\"1\">\n");
        for (String m : modules) {
            conf.append("<module name=\"").append(m).append("\">\n");
        }
        conf.append(extra);
        Path file = dir.resolve("inspircd.conf");
        Files.writeString(file, conf.toString());
        return new Server("inspircd", dir, port, 0, List.of("/usr/sbin/inspircd", "--runasroot", "--nofork",
                "--config=" + file)).start();
    }
}
