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
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.rawsockets.launcher.GatewayProcessIT.Result;

/**
 * Secrets through the real gateway process (protocol bundles in {@code deploy/}): an SMTP password
 * kept in {@code secrets/NAME} and referred to as {@code secret:NAME} from {@code etc/} is used (a
 * scripted SMTP peer behind a named endpoint receives it) and shows in no command's output, no log and no file another user
 * can read; {@code data/} and {@code secrets/} are owner-only.
 */
class SecretsProcessIT {

    /** The process helpers (start, run, copy of the distribution); its leftovers are killed after each test. */
    private final GatewayProcessIT gateways = new GatewayProcessIT();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        gateways.killLeftovers();
    }

    @Test
    void aSecretNeverShowsInCommandsLogsOrFilesOthersCanRead(TestInfo info) throws Exception {
        Path home = ConfigurationProcessIT.protocolGateway(info);
        String password = "Pw-" + UUID.randomUUID();
        // Written the way an operator might (umask 022): the launcher makes it owner-only.
        Files.createDirectories(home.resolve("secrets"));
        Files.writeString(home.resolve("secrets/office-smtp"), password + "\n");
        Files.setPosixFilePermissions(home.resolve("secrets/office-smtp"), PosixFilePermissions.fromString("rw-r--r--"));
        Result r;
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            // The peer is an operator-configured endpoint (the bundle's declared ports do not matter then).
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.endpoint-mailsink.cfg"),
                    "name=mailsink\nhost=127.0.0.1\nport=" + server.port() + "\ntls=OFF\n");
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.policy.cfg"),
                    "grant.mailsink = org.rawsockets.smtp tcp endpoint:mailsink *\n");
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.smtp.server-office.cfg"), "name=office\n"
                    + "endpoint=mailsink\ntls=OFF\nallowAuthWithoutTls=true\nauthMechanism=PLAIN\nuser=alice\n"
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
        // Config Admin's store holds the reference, never the password.
        try (Stream<Path> store = Files.walk(home.resolve("data/config"))) {
            for (Path f : (Iterable<Path>) store.filter(Files::isRegularFile)::iterator) {
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
     * A scripted SMTP peer on 127.0.0.1, ephemeral port: greets, offers AUTH PLAIN, records the AUTH
     * PLAIN credentials it gets, accepts them.
     */
    static final class ScriptedSmtpServer implements AutoCloseable {
        final CompletableFuture<String> authPlain = new CompletableFuture<>();
        private final ServerSocket server;
        private final Thread thread;

        ScriptedSmtpServer() throws IOException {
            server = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
            thread = new Thread(this::serve, "scripted-smtp");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
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
