package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The CoAP bundle in the real gateway: the bundle alone in deploy/, a device configured in etc/, a
 * policy grant to libcoap's {@code coap-server-notls} (started by the test on a free loopback UDP
 * port), and {@code coap:get}/{@code coap:put}/{@code coap:discover} through {@code gateway -c}; with
 * the default loopback grants off, a device without a grant is refused by the policy before any
 * datagram leaves, and so is multicast discovery ({@code coap:groupdiscover}) without the grant to
 * bind its socket (no multicast datagram is sent by this test).
 */
class CoapGatewayProcessIT {

    private final GatewayProcessIT gateway = new GatewayProcessIT();
    private Process server;

    @AfterEach
    void stop() throws InterruptedException {
        gateway.killLeftovers();
        if (server != null) {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void coapGetPutDiscoverThroughGatewayC(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        Path bundles = Paths.get(System.getProperty("gateway.dir"), "bundles");
        int n = 0;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(bundles, "coap-*.jar")) {
            for (Path jar : jars) {
                Files.copy(jar, home.resolve("deploy").resolve(jar.getFileName()));
                n++;
            }
        }
        assertEquals(1, n, "bundles/ holds the coap bundle (profile protocol-coap)");

        int port;
        int deniedPort;
        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket b = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = a.getLocalPort();
            deniedPort = b.getLocalPort();
        }
        Path log = home.resolve("coap-server.log");
        server = new ProcessBuilder("coap-server-notls", "-A", "127.0.0.1", "-p", String.valueOf(port), "-v", "5")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitUdpBound(port, log);

        Path etc = home.resolve("etc");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.socket.policy.cfg"),
                "defaultGrants = false\ngrant.coap-lab = org.rawsockets.coap udp-connected 127.0.0.1 " + port + "\n");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.coap.device-lab.cfg"), String.join("\n",
                "name=lab", "host=127.0.0.1", "port=" + port, ""));
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.coap.device-blocked.cfg"), String.join("\n",
                "name=blocked", "host=127.0.0.1", "port=" + deniedPort, "ackTimeoutMillis=200", ""));

        GatewayProcessIT.Result ok = gateway.run(home, "-c", "coap:get lab /; coap:put lab /example_data"
                + " from-the-gateway; coap:get lab /example_data; coap:discover lab rt=ticks; coap:devices");
        assertEquals(0, ok.exit(), ok + "\n--- coap-server\n" + Files.readString(log));
        assertTrue(ok.stdout().contains("2.05") && ok.stdout().contains("libcoap"), ok.toString());
        assertTrue(ok.stdout().contains("2.01"), "PUT created example_data: " + ok);
        assertTrue(ok.stdout().contains("from-the-gateway"), ok.toString());
        assertTrue(ok.stdout().contains("/time  ct=0  if=clock  obs  rt=ticks"), ok.toString());
        assertTrue(ok.stdout().contains("lab  127.0.0.1:" + port + "  open"), ok.toString());
        // the datagrams went through the socket service: its audit saw the bundle's UDP socket
        assertTrue(ok.toString().contains("OPENED org.rawsockets.coap") && ok.toString().contains("udp connected"),
                ok.toString());

        GatewayProcessIT.Result denied = gateway.run(home, "-c", "coap:get blocked /");
        assertNotEquals(0, denied.exit(), denied.toString());
        assertTrue(denied.toString().contains("coap blocked (127.0.0.1:" + deniedPort + ")"), denied.toString());
        assertTrue(denied.toString().contains("cannot open the UDP socket")
                && denied.toString().contains("no grant covers it"), denied.toString());
        assertTrue(denied.toString().contains("REFUSED org.rawsockets.coap"), denied.toString());

        // the discovery service is there with the defaults; without a grant its socket is not even bound
        GatewayProcessIT.Result group = gateway.run(home, "-c", "coap:groupdiscover -w 500");
        assertNotEquals(0, group.exit(), group.toString());
        assertTrue(group.toString().contains("coap discovery 224.0.1.187:5683 on the default interface: NON GET"
                + " /.well-known/core: cannot open a UDP socket bound to 0.0.0.0 (port 0)"), group.toString());
        assertTrue(group.toString().contains("no grant covers it"), group.toString());
    }

    /**
     * coaps in the real gateway: the bundle (Scandium embedded, BouncyCastle optional) resolves, a device
     * with {@code dtls=true} and its pre-shared key in {@code secrets/} reaches libcoap's
     * {@code coap-server-openssl} through the one policy grant for its DTLS port; a device with another key
     * fails with the typed wrong-key message; the key is never printed.
     */
    @Test
    void coapsGetPutWithAPreSharedKeyFromSecrets(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        Path bundles = Paths.get(System.getProperty("gateway.dir"), "bundles");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(bundles, "coap-*.jar")) {
            for (Path jar : jars) {
                Files.copy(jar, home.resolve("deploy").resolve(jar.getFileName()));
            }
        }
        String key = "psk-" + java.util.UUID.randomUUID();
        int port = freeUdpPortPair();
        int dtlsPort = port + 1;
        Path log = home.resolve("coap-server.log");
        server = new ProcessBuilder("coap-server-openssl", "-A", "127.0.0.1", "-p", String.valueOf(port), "-k", key,
                "-v", "5").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitUdpBound(dtlsPort, log);

        Files.createDirectories(home.resolve("secrets"));
        Files.writeString(home.resolve("secrets/lab.psk"), key + "\n");
        Files.writeString(home.resolve("secrets/other.psk"), "not-the-servers-key\n");
        for (String f : new String[] { "secrets/lab.psk", "secrets/other.psk" }) {
            Files.setPosixFilePermissions(home.resolve(f), java.nio.file.attribute.PosixFilePermissions
                    .fromString("rw-------"));
        }
        Path etc = home.resolve("etc");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.socket.policy.cfg"),
                "defaultGrants = false\ngrant.coaps-lab = org.rawsockets.coap udp-connected 127.0.0.1 " + dtlsPort
                        + "\n");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.coap.device-lab.cfg"), String.join("\n",
                "name=lab", "host=127.0.0.1", "port=" + dtlsPort, "dtls=true", "pskIdentity=gateway-1",
                ".pskKey=secret:lab.psk", ""));
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.coap.device-other.cfg"), String.join("\n",
                "name=other", "host=127.0.0.1", "port=" + dtlsPort, "dtls=true", "pskIdentity=gateway-1",
                ".pskKey=secret:other.psk", "handshakeTimeoutMillis=3000", ""));

        GatewayProcessIT.Result ok = gateway.run(home, "-c", "coap:get lab /; coap:put lab /example_data"
                + " over-dtls; coap:get lab /example_data; coap:devices");
        assertEquals(0, ok.exit(), ok + "\n--- coap-server\n" + Files.readString(log));
        assertTrue(ok.stdout().contains("2.05") && ok.stdout().contains("libcoap"), ok.toString());
        assertTrue(ok.stdout().contains("over-dtls"), ok.toString());
        assertTrue(ok.stdout().contains("lab  127.0.0.1:" + dtlsPort + "  open coaps, PSK identity 'gateway-1'"),
                ok.toString());
        assertTrue(ok.toString().contains("OPENED org.rawsockets.coap") && ok.toString().contains("udp connected"),
                ok.toString());
        assertTrue(!ok.toString().contains(key), "the key was printed: " + ok);

        GatewayProcessIT.Result wrong = gateway.run(home, "-c", "coap:get other /");
        assertNotEquals(0, wrong.exit(), wrong.toString());
        assertTrue(wrong.toString().contains("coap other (127.0.0.1:" + dtlsPort + "): CON GET /: DTLS handshake with"
                + " 127.0.0.1:" + dtlsPort) && wrong.toString().contains("(secret other.psk) most likely differs from"
                        + " the server's"), wrong.toString());
        assertTrue(!wrong.toString().contains(key) && !wrong.toString().contains("not-the-servers-key"),
                wrong.toString());
    }

    /**
     * coaps with certificates in the real gateway: the embedded Scandium checks libcoap's
     * {@code coap-server-openssl} certificate (EC, made by openssl here) against {@code caCertificatesPath}
     * and presents the device's client certificate the server demands ({@code -C}); a device without
     * one fails with the typed reason naming the properties to set.
     */
    @Test
    void coapsWithCertificatesAndAClientCertificate(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        Path bundles = Paths.get(System.getProperty("gateway.dir"), "bundles");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(bundles, "coap-*.jar")) {
            for (Path jar : jars) {
                Files.copy(jar, home.resolve("deploy").resolve(jar.getFileName()));
            }
        }
        Path pki = Files.createDirectories(home.resolve("etc/pki"));
        openssl(pki, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Gateway IT CA");
        for (String who : new String[] { "server", "client" }) {
            Files.writeString(pki.resolve(who + ".ext"), who.equals("server")
                    ? "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n" : "extendedKeyUsage=clientAuth\n");
            openssl(pki, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                    who + ".key", "-out", who + ".csr", "-subj", "/CN=" + who);
            openssl(pki, "x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", who + ".pem", "-days", "2", "-extfile", who + ".ext");
        }
        int port = freeUdpPortPair();
        int dtlsPort = port + 1;
        Path log = home.resolve("coap-server.log");
        server = new ProcessBuilder("coap-server-openssl", "-A", "127.0.0.1", "-p", String.valueOf(port), "-c",
                pki.resolve("server.pem").toString(), "-j", pki.resolve("server.key").toString(), "-C",
                pki.resolve("ca.pem").toString(), "-v", "5").redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
        awaitUdpBound(dtlsPort, log);

        Path etc = home.resolve("etc");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.socket.policy.cfg"),
                "defaultGrants = false\ngrant.coaps-lab = org.rawsockets.coap udp-connected 127.0.0.1 " + dtlsPort
                        + "\n");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.coap.device-lab.cfg"), String.join("\n",
                "name=lab", "host=127.0.0.1", "port=" + dtlsPort, "dtls=true", "caCertificatesPath=" + pki.resolve(
                        "ca.pem"), "clientCertificatePath=" + pki.resolve("client.pem"), "clientKeyPath="
                                + pki.resolve("client.key"), ""));
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.coap.device-anon.cfg"), String.join("\n",
                "name=anon", "host=127.0.0.1", "port=" + dtlsPort, "dtls=true", "caCertificatesPath=" + pki.resolve(
                        "ca.pem"), "handshakeTimeoutMillis=5000", ""));

        GatewayProcessIT.Result ok = gateway.run(home, "-c", "coap:get lab /; coap:devices");
        assertEquals(0, ok.exit(), ok + "\n--- coap-server\n" + Files.readString(log));
        assertTrue(ok.stdout().contains("2.05") && ok.stdout().contains("libcoap"), ok.toString());
        assertTrue(ok.stdout().contains("lab  127.0.0.1:" + dtlsPort + "  open coaps, certificates (CA "
                + pki.resolve("ca.pem") + ", server name '127.0.0.1', client certificate "), ok.toString());

        // by URI: Gogo picks the one-argument coap:get, which finds both devices on that address
        GatewayProcessIT.Result byUri = gateway.run(home, "-c", "coap:get coaps://127.0.0.1:" + dtlsPort + "/");
        assertNotEquals(0, byUri.exit(), byUri.toString());
        assertTrue(byUri.toString().contains("several CoAP devices are configured for coaps://127.0.0.1:" + dtlsPort
                + ": anon, lab; name one: coap:get DEVICE /"), byUri.toString());

        GatewayProcessIT.Result anon = gateway.run(home, "-c", "coap:get anon /");
        assertNotEquals(0, anon.exit(), anon.toString());
        assertTrue(anon.toString().contains("coap anon (127.0.0.1:" + dtlsPort + "): CON GET /: DTLS handshake with"
                + " 127.0.0.1:" + dtlsPort + " refused (alert handshake_failure): the server asked for a client"
                + " certificate and this device has none; set clientCertificatePath and clientKeyPath"),
                anon.toString());
    }

    private static void openssl(Path dir, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("openssl"));
        cmd.addAll(java.util.List.of(args));
        Path out = dir.resolve("openssl.out");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "openssl did not finish in 60 s: " + cmd);
        assertEquals(0, p.exitValue(), cmd + ": " + Files.readString(out));
    }

    static int freeUdpPortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                p = a.getLocalPort();
            }
            if (p >= 65535) {
                continue;
            }
            try (DatagramSocket a = new DatagramSocket(p, InetAddress.getLoopbackAddress());
                    DatagramSocket b = new DatagramSocket(p + 1, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (java.net.BindException e) {
                // taken meanwhile: try another
            }
        }
        throw new IOException("no two consecutive free UDP ports on loopback");
    }

    /** Waits until {@code port} is bound on 127.0.0.1 (listed in /proc/net/udp). */
    static void awaitUdpBound(int port, Path log) throws IOException, InterruptedException {
        String hex = String.format(Locale.ROOT, "0100007F:%04X", port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(Path.of("/proc/net/udp")).contains(hex)) {
            assertTrue(System.nanoTime() < deadline, "coap-server-notls not bound on " + port + ":\n"
                    + Files.readString(log));
            Thread.sleep(20);
        }
    }
}
