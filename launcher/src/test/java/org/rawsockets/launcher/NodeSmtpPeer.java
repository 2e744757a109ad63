package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.rawsockets.socket.testing.PeerLines;

/**
 * The mail server of the gateway's SMTP tests: node + the npm {@code smtp-server} package (an
 * independent SMTP and TLS implementation, installed into {@code target/it/node} by the test) running
 * {@code smtp-peer.js} on an ephemeral loopback port with STARTTLS and the certificate of
 * {@link EndpointGatewayProcessIT#makeCertificates}. Each accepted message is one JSON line in
 * {@link #messages} (from, rcpt, secure, subject, helo). Stopped by {@link #close()} (its stdin closed,
 * killed after 5 s). A missing node or npm fails the test.
 */
final class NodeSmtpPeer implements AutoCloseable {

    static final String SMTP_SERVER_VERSION = "3.21.6";

    final Process process;
    final int port;
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    /** The peer's output, the last 200 lines (a long churn sends thousands of mails). */
    private final java.util.Deque<String> output = new java.util.ArrayDeque<>();

    NodeSmtpPeer(Path pki) throws Exception {
        Path work = Paths.get(System.getProperty("test.work.dir"));
        Path nodeDir = work.resolve("node");
        Path pkg = nodeDir.resolve("node_modules/smtp-server/package.json");
        if (!Files.exists(pkg) || !Files.readString(pkg).contains("\"version\": \"" + SMTP_SERVER_VERSION + "\"")) {
            Files.createDirectories(nodeDir);
            GatewayProcessIT.exec(nodeDir, "npm", "install", "--no-audit", "--no-fund", "--prefer-offline",
                    "--prefix", nodeDir.toString(), "smtp-server@" + SMTP_SERVER_VERSION);
        }
        Path script = work.resolve("smtp-peer.js");
        try (InputStream in = NodeSmtpPeer.class.getResourceAsStream("/smtp-peer.js")) {
            assertNotNull(in, "smtp-peer.js on the test class path");
            Files.write(script, in.readAllBytes());
        }
        String cfg = "{\"key\":\"" + pki.resolve("server.key") + "\",\"cert\":\"" + pki.resolve("server.pem") + "\"}";
        ProcessBuilder pb = new ProcessBuilder("node", script.toString(), cfg).redirectErrorStream(true);
        pb.environment().put("NODE_PATH", nodeDir.resolve("node_modules").toString());
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new AssertionError("node is missing: run .ci/setup (installs .ci/apt-packages.txt)", e);
        }
        int p = PeerLines.follow(process, "smtp-peer output", line -> {
            synchronized (output) {
                output.add(line);
                if (output.size() > 200) {
                    output.removeFirst();
                }
            }
            if (line.startsWith("MESSAGE ")) {
                messages.add(line.substring(8));
            }
        }).awaitListening(GatewayProcessIT.WAIT);
        if (p < 0) {
            close();
            throw new AssertionError("smtp-server did not start within " + GatewayProcessIT.WAIT + ": " + output());
        }
        port = p;
    }

    String output() {
        synchronized (output) {
            return String.join("\n", new ArrayList<>(output));
        }
    }

    String nextMessage() throws InterruptedException {
        String m = messages.poll(GatewayProcessIT.WAIT.toSeconds(), TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("smtp-server received no message within " + GatewayProcessIT.WAIT + ": " + output());
        }
        return m;
    }

    /** Moves the messages received so far into {@code to}. */
    void drainTo(List<String> to) {
        messages.drainTo(to);
    }

    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
