package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.rawsockets.launcher.GatewayProcessIT.Result;

/**
 * Configuration as the operator sees it, through the real gateway process on a copy of the built
 * distribution with the protocol bundles (from {@code bundles/}) in {@code deploy/}: {@code etc/} is
 * the source of truth across restarts, shell changes say where they live, secrets stay out of every
 * output and file others can read, and bad configuration is one ERROR line in {@code log/gateway.log}.
 */
class ConfigurationProcessIT {

    static final String POLICY = "etc/org.rawsockets.socket.policy.cfg";
    static final String EXPLAIN = "policy:explain org.rawsockets.smtp tcp 203.0.113.10 587";

    /** The process helpers (start, run, copy of the distribution); its leftovers are killed after each test. */
    private final GatewayProcessIT gateways = new GatewayProcessIT();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        gateways.killLeftovers();
    }

    @Test
    void aDeletedEtcFileDeletesItsConfigurationAtTheNextStart(TestInfo info) throws Exception {
        Path home = protocolGateway(info);
        GatewayProcessIT.writeAtomically(home.resolve(POLICY), "grant.wide = * * * *\n");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.smtp.server-stale.cfg"),
                "name=stalemail\nhost=127.0.0.1\nport=25\ntls=OFF\n");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.modbus.device-stale.cfg"),
                "name=staleplc\nhost=127.0.0.1\nport=502\n");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.modbus.device-kept.cfg"),
                "name=keptplc\nhost=127.0.0.1\nport=502\n");
        Result first = gateways.run(home, "-c", EXPLAIN + "; smtp:servers; modbus:devices");
        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.stdout().contains("ALLOWED"), "the wide grant is in force: " + first);
        assertTrue(first.stdout().contains("stalemail") && first.stdout().contains("staleplc")
                && first.stdout().contains("keptplc"), first.toString());

        // Deleted while the gateway is stopped: gone at the next start, before any component saw it.
        Files.delete(home.resolve(POLICY));
        Files.delete(home.resolve("etc/org.rawsockets.smtp.server-stale.cfg"));
        Files.delete(home.resolve("etc/org.rawsockets.modbus.device-stale.cfg"));
        String grant = "policy:grant shell org.rawsockets.smtp tcp 203.0.113.10 587";
        Result second = gateways.run(home, "-c", EXPLAIN + "; smtp:servers; modbus:devices; " + grant);
        assertEquals(0, second.exit(), second.toString());
        assertTrue(second.stdout().contains("DENIED") && !second.stdout().contains("ALLOWED"),
                "the deleted wide grant is not in force: " + second);
        assertFalse(second.stdout().contains("stalemail"), second.toString());
        assertFalse(second.stdout().contains("staleplc"), second.toString());
        assertTrue(second.stdout().contains("keptplc"), "a device whose file is there stays: " + second);
        for (String pid : new String[] { "org.rawsockets.socket.policy:", "org.rawsockets.smtp.server~stale:",
                "org.rawsockets.modbus.device~stale:" }) {
            assertTrue(second.stderr().contains("gateway: removed configuration " + pid), pid + ": " + second);
        }
        // What the shell says about where a shell change lives, and each part of it holds (below).
        assertTrue(second.stdout().contains("granted grant.shell = org.rawsockets.smtp tcp 203.0.113.10 587\nin force now"
                + " and kept in the gateway's configuration store (" + home.resolve("data/config") + "), not in etc/; a file"
                + " etc/org.rawsockets.socket.policy.cfg would replace it at the next start"), second.toString());

        // Kept in the store: a configuration made in the shell (no file) survives the restart.
        Result third = gateways.run(home, "-c", EXPLAIN);
        assertEquals(0, third.exit(), third.toString());
        assertTrue(third.stdout().contains("ALLOWED") && third.stdout().contains("granted by 'shell'"), third.toString());
        assertFalse(third.stderr().contains("removed configuration"), third.toString());

        // An etc/ file with the same PID wins at the next start.
        GatewayProcessIT.writeAtomically(home.resolve(POLICY), "defaultGrants = true\n");
        Result fourth = gateways.run(home, "-c", EXPLAIN + "; " + grant);
        assertEquals(0, fourth.exit(), fourth.toString());
        assertTrue(fourth.stdout().startsWith("DENIED"), "the file replaced the shell's grant: " + fourth);
        assertTrue(fourth.stdout().contains("but this policy comes from " + home.resolve(POLICY)
                + ", which replaces it at the next start (the file is never rewritten): edit the file to keep it"),
                fourth.toString());
        assertEquals("defaultGrants = true\n", Files.readString(home.resolve(POLICY)), "the file is never rewritten");
    }

    @Test
    void aSecretNeverShowsInCommandsLogsOrFilesOthersCanRead(TestInfo info) throws Exception {
        Path home = protocolGateway(info);
        String password = "Pw-" + UUID.randomUUID();
        // Written the way an operator might (umask 022): the launcher makes it owner-only.
        Files.createDirectories(home.resolve("secrets"));
        Files.writeString(home.resolve("secrets/office-smtp"), password + "\n");
        Files.setPosixFilePermissions(home.resolve("secrets/office-smtp"), PosixFilePermissions.fromString("rw-r--r--"));
        Result r;
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.smtp.server-office.cfg"), "name=office\nhost="
                    + server.host() + "\nport=25\ntls=OFF\nallowAuthWithoutTls=true\nauthMechanism=PLAIN\nuser=alice\n"
                    + ".password=secret:office-smtp\n");
            r = gateways.run(home, "-c", "smtp:probe office; scr:info org.rawsockets.smtp.internal.MailSenderComponent;"
                    + " scr:list; cm:listConfigurations \"(service.pid=*)\"; cm:getConfiguration org.rawsockets.smtp.server~office;"
                    + " lb; policy:show; smtp:servers; inspect capability service org.rawsockets.smtp; policy:audit");
            assertEquals(0, r.exit(), r.toString());
            // Positive control: the secret was resolved from secrets/ and used (AUTH PLAIN to the peer).
            assertEquals("\0alice\0" + password, server.authPlain.get(10, TimeUnit.SECONDS), "AUTH PLAIN the peer got");
            assertTrue(r.stdout().contains("Config Props:") && r.stdout().contains("MailSender"), "scr:info ran: " + r);
            assertFalse(r.stdout().contains(password), "a command printed the password:\n" + r.stdout());
            assertFalse(r.stderr().contains(password), "the password is on stderr:\n" + r.stderr());
        }
        assertTrue(r.stderr().contains("secret file " + home.resolve("secrets/office-smtp") + " was readable by others"
                + " (mode rw-r--r--): made owner-only"), "the launcher reports the secret file it tightened: " + r);
        try (Stream<Path> logs = Files.walk(home.resolve("log"))) {
            for (Path f : (Iterable<Path>) logs.filter(Files::isRegularFile)::iterator) {
                assertFalse(Files.readString(f, StandardCharsets.ISO_8859_1).contains(password), "password in " + f);
            }
        }
        // Every file another user could read (o+r, every folder above it o+x) is free of it ...
        List<Path> readable = readableByOthers(home);
        assertTrue(readable.contains(home.resolve("etc/org.rawsockets.smtp.server-office.cfg")), readable.toString());
        for (Path f : readable) {
            assertFalse(Files.readString(f, StandardCharsets.ISO_8859_1).contains(password), "password in " + f);
        }
        // ... and the one file that holds it is not among them (positive control of the search).
        assertTrue(Files.readString(home.resolve("secrets/office-smtp")).contains(password));
        assertFalse(readable.contains(home.resolve("secrets/office-smtp")));
        assertEquals("rwx------", mode(home.resolve("data")));
        assertEquals("rwx------", mode(home.resolve("data/config")));
        assertEquals("rwx------", mode(home.resolve("secrets")));
        assertEquals("rw-------", mode(home.resolve("secrets/office-smtp")));
    }

    @Test
    void badCoreConfigurationIsOneErrorLineInTheLogAndContained(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        GatewayProcessIT.writeAtomically(home.resolve(POLICY),
                "defaultGrants = ture\ndefaultGrant = true\ngrant.bad = org.example tcpx * 80\n");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.endpoint-a.cfg"),
                "name=mail\nhost=127.0.0.1\nport=2525\n");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.endpoint-b.cfg"),
                "name=mail\nhost=127.0.0.2\nport=2526\n");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.endpoint-c.cfg"),
                "name=badport\nhost=127.0.0.1\nport=abc\nhots=x\n");
        Result r = gateways.run(home, "-c", "policy:show; sockets:endpoints");
        assertEquals(0, r.exit(), r.toString());
        // Contained: the gateway runs, the typo fails closed (no loopback grants), one endpoint 'mail'.
        assertTrue(r.stdout().contains("(none: every open is refused)"), r.toString());
        assertTrue(r.stdout().contains("field 'defaultGrants' = 'ture': not a boolean"), "policy:show lists it: " + r);
        List<String> endpoints = r.stdout().lines().filter(l -> l.startsWith("mail ")).toList();
        assertEquals(1, endpoints.size(), r.toString());
        assertFalse(r.stdout().contains("badport"), r.toString());

        List<String> log = Files.readAllLines(home.resolve("log/gateway.log"));
        String policy = "PID org.rawsockets.socket.policy (" + home.resolve(POLICY) + ")";
        assertOneLine(log, "ERROR", "configuration rejected: " + policy
                + " field 'defaultGrants' = 'ture': not a boolean; rule: true or false; using false");
        assertOneLine(log, "ERROR", "configuration rejected: " + policy + " grant 'bad' = 'org.example tcpx * 80'");
        assertOneLine(log, "WARN", "configuration " + policy
                + ": unknown key 'defaultGrant' is ignored; did you mean 'defaultGrants'?");
        assertOneLine(log, "ERROR", "configuration rejected: PID org.rawsockets.socket.endpoint~c ("
                + home.resolve("etc/org.rawsockets.socket.endpoint-c.cfg")
                + ") field 'port' = 'abc': not a whole number; rule: a whole number in 1..65535");
        assertOneLine(log, "WARN", "unknown key 'hots' is ignored; did you mean 'host'?");
        String duplicate = assertOneLine(log, "ERROR", "field 'name' = 'mail': already the name of the endpoint of PID"
                + " org.rawsockets.socket.endpoint~");
        assertTrue(duplicate.contains("endpoint-a.cfg") && duplicate.contains("endpoint-b.cfg"),
                "the refused configuration and the first one are both named: " + duplicate);
        // Not a stack trace: no exception lines, in the log or on the console.
        for (String line : log) {
            assertFalse(line.startsWith("\tat ") || line.contains("Exception:"), "stack trace in the log: " + line);
        }
        assertFalse(r.stderr().contains("\tat ") || r.stdout().contains("\tat "), r.toString());
    }

    // ---------------------------------------------------------------------------------------------

    /** A copy of the distribution with the protocol bundles of bundles/ in deploy/. */
    private Path protocolGateway(TestInfo info) throws IOException {
        Path home = GatewayProcessIT.copyDistribution(info);
        Path bundles = Paths.get(System.getProperty("gateway.dir"), "bundles");
        int n = 0;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(bundles, "{modbus,smtp}-*.jar")) {
            for (Path jar : jars) {
                Files.copy(jar, home.resolve("deploy").resolve(jar.getFileName()));
                n++;
            }
        }
        assertEquals(2, n, "bundles/ holds the modbus and smtp bundles (built with the launcher)");
        return home;
    }

    /** The one line of {@code level} that contains {@code text}; fails when there is none or several. */
    private static String assertOneLine(List<String> log, String level, String text) {
        List<String> hits = log.stream().filter(l -> l.contains(" " + level + " ") && l.contains(text))
                .collect(Collectors.toList());
        assertEquals(1, hits.size(), level + " lines containing '" + text + "':\n" + String.join("\n", hits)
                + "\n--- log:\n" + String.join("\n", log));
        return hits.get(0);
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** Regular files of {@code home} another user can read: o+r, and o+x on every folder down to them. */
    static List<Path> readableByOthers(Path home) throws IOException {
        List<Path> out = new ArrayList<>();
        walk(home, out);
        return out;
    }

    private static void walk(Path dir, List<Path> out) throws IOException {
        if (!Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    walk(p, out);
                } else if (Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_READ)) {
                    out.add(p);
                }
            }
        }
    }

    /**
     * A scripted SMTP peer on a random 127.x.y.z address, port 25 (the SMTP bundle declares 25, 465,
     * 587, and the default grants cover loopback): greets, offers AUTH PLAIN, records the AUTH PLAIN
     * credentials it gets, accepts them.
     */
    static final class ScriptedSmtpServer implements AutoCloseable {
        final CompletableFuture<String> authPlain = new CompletableFuture<>();
        private final ServerSocket server;
        private final Thread thread;

        ScriptedSmtpServer() throws IOException {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            InetAddress a = InetAddress.getByAddress(new byte[] { 127, (byte) r.nextInt(1, 255), (byte) r.nextInt(1, 255),
                    (byte) r.nextInt(1, 255) });
            server = new ServerSocket(25, 5, a);
            thread = new Thread(this::serve, "scripted-smtp");
            thread.setDaemon(true);
            thread.start();
        }

        String host() {
            return server.getInetAddress().getHostAddress();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(30_000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                    OutputStream out = s.getOutputStream();
                    reply(out, "220 scripted.test ESMTP");
                    for (String line; (line = in.readLine()) != null;) {
                        String cmd = line.toUpperCase(java.util.Locale.ROOT);
                        if (cmd.startsWith("EHLO")) {
                            reply(out, "250-scripted.test\r\n250 AUTH PLAIN");
                        } else if (cmd.startsWith("AUTH PLAIN")) {
                            String b64 = line.length() > 11 ? line.substring(11).trim() : "";
                            if (b64.isEmpty()) {
                                reply(out, "334 ");
                                b64 = in.readLine();
                            }
                            authPlain.complete(new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8));
                            reply(out, "235 2.7.0 accepted");
                        } else if (cmd.startsWith("QUIT")) {
                            reply(out, "221 bye");
                            break;
                        } else {
                            reply(out, "250 ok");
                        }
                    }
                } catch (IOException e) {
                    // connection or server closed
                }
            }
        }

        private static void reply(OutputStream out, String text) throws IOException {
            out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() throws IOException, InterruptedException {
            server.close();
            thread.join(5000);
        }
    }
}
