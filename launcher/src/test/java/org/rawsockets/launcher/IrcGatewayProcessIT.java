package org.rawsockets.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The IRC bundle in the real gateway: the bundle dropped into deploy/, a network configured in etc/
 * (through an endpoint the policy grants), and {@code irc:say} through {@code gateway -c} reaching a
 * second client (a plain socket in this test) through an ngIRCd the test starts on a free loopback port.
 */
class IrcGatewayProcessIT {

    private final GatewayProcessIT gateway = new GatewayProcessIT();
    private Process ngircd;
    private Path ngircdLog;

    @AfterEach
    void stopNgircd() throws InterruptedException {
        if (ngircd != null) {
            ngircd.destroy();
            if (!ngircd.waitFor(10, TimeUnit.SECONDS)) {
                ngircd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void ircSayReachesAnotherClientThroughNgircd(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        copy(Paths.get(System.getProperty("gateway.dir"), "bundles"), "irc-*.jar", home.resolve("deploy"));

        Path work = Files.createDirectories(home.resolve("ngircd"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path conf = work.resolve("ngircd.conf");
        Files.write(conf, List.of("[Global]", "Name = irc.gateway.test", "Info = test", "Listen = 127.0.0.1",
                "Ports = " + port, "MotdPhrase = hello", "AdminInfo1 = t", "AdminInfo2 = t", "AdminEMail = t@example.test",
                "[Options]", "PAM = no", "Ident = no", "DNS = no", "[Limits]", "MaxConnectionsIP = 0", "MaxNickLength = 20"));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
        ngircdLog = work.resolve("ngircd.log");
        ngircd = new ProcessBuilder("/usr/sbin/ngircd", "-n", "-f", conf.toString()).redirectErrorStream(true)
                .redirectOutput(ngircdLog.toFile()).start();
        GatewayProcessIT.awaitListening(port);

        // The second client: registered and in #ops before the gateway speaks.
        try (Socket peer = new Socket("127.0.0.1", port)) {
            peer.setSoTimeout((int) GatewayProcessIT.WAIT.toMillis());
            BufferedReader in = new BufferedReader(new InputStreamReader(peer.getInputStream(), UTF_8));
            OutputStream out = peer.getOutputStream();
            out.write("NICK watcher\r\nUSER watcher 0 * :Watcher\r\n".getBytes(UTF_8));
            readUntil(in, out, " 001 ");
            out.write("JOIN #ops\r\n".getBytes(UTF_8));
            readUntil(in, out, " 366 ");

            Path etc = home.resolve("etc");
            GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.socket.endpoint-ircd.cfg"), String.join("\n",
                    "name=ircd", "host=127.0.0.1", "port=" + port, "tls=OFF", "description=test ngircd", ""));
            GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.socket.policy.cfg"),
                    "grant.irc-lab = org.rawsockets.irc tcp endpoint:ircd *\n");
            GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.irc.network-lab.cfg"), String.join("\n",
                    "name=lab", "endpoint=ircd", "tls=false", "nick=gatewaybot", "channels=#ops",
                    "floodIntervalMillis=200", ""));

            GatewayProcessIT.Result r = gateway.run(home, "-c",
                    "irc:connect lab; irc:join lab '#ops'; irc:say lab '#ops' 'hello from the gateway'; irc:networks; irc:names lab '#ops'");
            assertEquals(0, r.exit(), r + "\n--- ngircd\n" + Files.readString(ngircdLog));
            assertTrue(r.stdout().contains("connected to lab as gatewaybot"), r.toString());
            assertTrue(r.stdout().contains("lab: lab (endpoint ircd), connected as gatewaybot"), r.toString());
            assertTrue(r.stdout().contains("watcher"), r.toString());
            String line = readUntil(in, out, "PRIVMSG #ops");
            assertTrue(line.startsWith(":gatewaybot!") && line.endsWith(":hello from the gateway"), line);

            GatewayProcessIT.Result bad = gateway.run(home, "-c", "irc:say nowhere '#ops' x");
            assertEquals(1, bad.exit(), bad.toString());
            assertTrue(bad.stderr().contains("no IRC network 'nowhere'"), bad.toString());
        }
    }

    /** Reads lines (answering PING) until one contains {@code marker}; returns it. */
    private static String readUntil(BufferedReader in, OutputStream out, String marker) throws IOException {
        List<String> seen = new ArrayList<>();
        String l;
        while ((l = in.readLine()) != null) {
            if (l.startsWith("PING ")) {
                out.write(("PONG " + l.substring(5) + "\r\n").getBytes(UTF_8));
            }
            seen.add(l);
            if (l.contains(marker)) {
                return l;
            }
        }
        throw new AssertionError("the connection ended before '" + marker + "': " + seen);
    }

    private static void copy(Path dir, String glob, Path to) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, glob)) {
            for (Path jar : jars) {
                Files.copy(jar, to.resolve(jar.getFileName()));
                n++;
            }
        }
        assertTrue(n > 0, "no " + glob + " in " + dir + " (the protocol-irc profile builds it)");
    }
}
