package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.rawsockets.launcher.fixture.BrowserScript;
import org.rawsockets.launcher.fixture.TestBundles;

/**
 * The web console in a real browser (headless Chromium, src/test/resources/browser/console.js) against
 * a gateway started from the distribution with the console and the peer-client test bundle deployed:
 * two loopback peers, a policy that grants only the first. Screenshots go to target/browser/.
 */
class ConsoleBrowserIT {

    private final GatewayProcessIT gateway = new GatewayProcessIT();

    @AfterEach
    void stopGateways() throws InterruptedException {
        gateway.killLeftovers();
    }

    /** The console's hash format, computed here independently (PBKDF2-HMAC-SHA256). */
    static String hash(String password) throws Exception {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        byte[] h = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, 100_000, 256)).getEncoded();
        return "pbkdf2-sha256:100000:" + Base64.getEncoder().encodeToString(salt) + ":" + Base64.getEncoder().encodeToString(h);
    }

    /** Accepts one connection and completes with what it read up to EOF (or fails). */
    static CompletableFuture<String> readToEof(ServerSocket peer) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = peer.accept()) {
                s.setSoTimeout((int) Duration.ofSeconds(300).toMillis());
                InputStream in = s.getInputStream();
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    /** Accepts one connection and completes with its first line. */
    static CompletableFuture<String> firstLine(ServerSocket peer) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = peer.accept()) {
                s.setSoTimeout((int) Duration.ofSeconds(300).toMillis());
                return new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    @Test
    void consoleInABrowser(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        HttpServerProcessIT.deployConsole(home);
        TestBundles.peerClient(home.resolve("deploy/peerclient.jar"));
        try (ServerSocket a = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
                ServerSocket b = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            a.setSoTimeout((int) Duration.ofSeconds(300).toMillis());
            b.setSoTimeout((int) Duration.ofSeconds(300).toMillis());
            String password = "browser-test-password";
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.console.cfg"),
                    "adminUser=admin\nadminPasswordHash=" + hash(password) + "\n");
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.policy.cfg"),
                    "defaultGrants=false\ngrant.first=" + TestBundles.PEER_CLIENT_BSN + " tcp 127.0.0.1 " + a.getLocalPort() + "\n");
            CompletableFuture<String> first = readToEof(a);
            CompletableFuture<String> second = firstLine(b);

            GatewayProcessIT.Running g = gateway.start(home, "--headless");
            g.awaitLine("gateway ready in|gateway started", GatewayProcessIT.WAIT);
            int port = HttpServerProcessIT.awaitHttpPort(home);
            HttpServerProcessIT.awaitStatus(java.net.http.HttpClient.newHttpClient(),
                    java.net.URI.create("http://127.0.0.1:" + port + "/health"), 200);

            BrowserScript.Result r = BrowserScript.run(Path.of("src/test/resources/browser/console.js"), Duration.ofSeconds(600),
                    "http://127.0.0.1:" + port, password, home.toString(), String.valueOf(a.getLocalPort()),
                    String.valueOf(b.getLocalPort()));
            System.out.println("BROWSER console.js in " + r.millis() + " ms:\n" + r.output());
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains("BROWSER OK"), r.output());
            // Closed from the page: the first peer read the bundle's message, then EOF.
            assertEquals("one\n", first.get(120, TimeUnit.SECONDS));
            // After the grant added from the page, the same open reached the second peer.
            assertTrue(r.output().contains("STEP open-after-grant"), r.output());
            assertEquals("three", second.get(120, TimeUnit.SECONDS));
        }
    }
}
