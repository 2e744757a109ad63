package org.rawsockets.smtp.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.rawsockets.socket.testing.PeerLines;

/**
 * Test peers: the test CA and server certificate (openssl), and the npm smtp-server package run by
 * node, installed into target/node by the test itself. A missing tool fails the test with a message
 * pointing to .ci/setup.
 */
final class TestPeers {

    static final Path WORK = Path.of(System.getProperty("smtp.work.dir", "target/smtp-test")).toAbsolutePath();
    static final Path NODE_DIR = Path.of(System.getProperty("smtp.node.dir", "target/node")).toAbsolutePath();
    static final String SMTP_SERVER_VERSION = System.getProperty("smtp.server.version", "3.21.6");

    private static Certs certs;
    private static boolean npmInstalled;

    private TestPeers() {
    }

    /** Paths of the test CA and the server certificate/key (CN localhost, SAN localhost + 127.0.0.1). */
    record Certs(Path caPem, Path serverPem, Path serverKey) {
        String caText() throws IOException {
            return Files.readString(caPem);
        }
    }

    static synchronized Certs certs() throws Exception {
        if (certs != null) {
            return certs;
        }
        Path dir = WORK.resolve("certs");
        Files.createDirectories(dir);
        Path ext = dir.resolve("server.ext");
        Files.writeString(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                + "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "3", "-subj", "/CN=Raw Sockets SMTP Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=localhost");
        run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "server.pem", "-days", "3", "-extfile", "server.ext");
        certs = new Certs(dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server.key"));
        return certs;
    }

    static synchronized void installSmtpServer() throws Exception {
        if (npmInstalled) {
            return;
        }
        Path pkg = NODE_DIR.resolve("node_modules/smtp-server/package.json");
        if (!Files.exists(pkg) || !Files.readString(pkg).contains("\"version\": \"" + SMTP_SERVER_VERSION + "\"")) {
            Files.createDirectories(NODE_DIR);
            run(NODE_DIR, "npm", "install", "--no-audit", "--no-fund", "--prefix", NODE_DIR.toString(),
                    "smtp-server@" + SMTP_SERVER_VERSION);
        }
        npmInstalled = true;
    }

    static void run(Path dir, String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("cannot run '" + cmd[0] + "' (" + e.getMessage() + "): run .ci/setup to install the test tools");
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** A running smtp-server (node) process. */
    static final class NodeSmtpServer implements AutoCloseable {
        final Process process;
        final int port;
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>(1000);
        final List<String> errors = new ArrayList<>();

        NodeSmtpServer(String jsonConfig) throws Exception {
            this(jsonConfig, List.of());
        }

        /** {@code launcher}: words before {@code node}, e.g. {@code ip netns exec <name>} (empty: none). */
        NodeSmtpServer(String jsonConfig, List<String> launcher) throws Exception {
            installSmtpServer();
            Path script = WORK.resolve("smtp-server.js");
            Files.createDirectories(WORK);
            try (InputStream in = TestPeers.class.getResourceAsStream("/smtp-server.js")) {
                Files.write(script, in.readAllBytes());
            }
            List<String> command = new ArrayList<>(launcher);
            command.addAll(List.of("node", script.toString(), jsonConfig));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("NODE_PATH", NODE_DIR.resolve("node_modules").toString());
            try {
                process = pb.start();
            } catch (IOException e) {
                fail("cannot run node (" + e.getMessage() + "): run .ci/setup to install nodejs and npm");
                throw e;
            }
            int p = PeerLines.follow(process, "smtp-server output", line -> {
                if (line.startsWith("MESSAGE ")) {
                    messages.offer(line.substring(8));
                } else if (!PeerLines.isListening(line)) {
                    synchronized (errors) {
                        errors.add(line);
                    }
                }
            }).awaitListening(Duration.ofSeconds(60));
            if (p < 0) {
                process.destroyForcibly();
                fail("smtp-server did not start: " + errors);
            }
            port = p;
        }

        /** The next accepted message's record (JSON), waiting up to 30 s. */
        String nextMessage() throws InterruptedException {
            String m = messages.poll(30, TimeUnit.SECONDS);
            if (m == null) {
                fail("smtp-server reported no message within 30 s; its output: " + errors);
            }
            return m;
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
