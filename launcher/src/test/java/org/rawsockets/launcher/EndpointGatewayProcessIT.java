package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Named endpoints through the real gateway (issue 10, item 5): the SMTP bundle declares TCP to
 * ports 25, 465 and 587 only, yet the operator lets it reach a mail server on another port by
 * configuring an endpoint in {@code etc/} and granting {@code endpoint:NAME}; the endpoint's
 * STARTTLS mode and CA pin are used, and a bundle setting that would weaken them is refused.
 *
 * <p>The mail server is the npm {@code smtp-server} package run by node (an independent SMTP and
 * TLS implementation), installed into {@code target/node} by the test; the certificates are made
 * by openssl. A missing tool fails the test.
 */
class EndpointGatewayProcessIT {

    static final Set<Integer> DECLARED_PORTS = Set.of(25, 465, 587);

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void smtpBundleSendsThroughAnEndpointOnAPortItDoesNotDeclare(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        Path smtpJar = smtpBundle();
        Files.copy(smtpJar, home.resolve("deploy").resolve(smtpJar.getFileName()));
        Path pki = Files.createDirectories(home.resolve("pki"));
        makeCertificates(pki);
        NodeSmtpPeer mail = new NodeSmtpPeer(pki);
        processes.add(mail.process);
        int port = mail.port;
        assertFalse(DECLARED_PORTS.contains(port), "the test needs a port the bundle does not declare, got " + port);

        Path etc = home.resolve("etc");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.socket.endpoint-testmail.cfg"), String.join("\n",
                "name=testmail", "host=127.0.0.1", "port=" + port, "tls=STARTTLS", "serverName=localhost",
                "caCertificatesPath=" + pki.resolve("ca.pem"), "description=node smtp-server", ""));
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.socket.policy.cfg"),
                "grant.smtp-testmail = org.rawsockets.smtp tcp endpoint:testmail *\n");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.smtp.server-testmail.cfg"), String.join("\n",
                "name=testmail", "endpoint=testmail", "tls=STARTTLS_REQUIRED", "clientName=gateway-it", ""));
        // the same endpoint, but the bundle's setting would switch off the operator's host name check
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.smtp.server-lax.cfg"), String.join("\n",
                "name=lax", "endpoint=testmail", "tls=STARTTLS_REQUIRED", "verifyHostname=false", ""));
        // the same server by address: not declared (port), whatever the grants
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.smtp.server-direct.cfg"), String.join("\n",
                "name=direct", "host=127.0.0.1", "port=" + port, "tls=STARTTLS_REQUIRED",
                "caCertificatesPath=" + pki.resolve("ca.pem"), ""));

        try (Shell shell = new Shell(home)) {
            // the three mail server configurations are active (Config Admin and DS work asynchronously)
            shell.await("smtp:servers", out -> out.contains("testmail ") && out.contains("lax ") && out.contains("direct "));

            String explain = shell.run("policy:explain org.rawsockets.smtp tcp endpoint:testmail 0");
            assertTrue(explain.contains("ALLOWED bundle org.rawsockets.smtp"), explain);
            assertTrue(explain.contains("its address and port are endpoint 'testmail''s, granted by 'smtp-testmail'"),
                    explain);

            String probe = shell.run("smtp:probe testmail");
            assertTrue(probe.contains("server:       endpoint 'testmail' (") && probe.contains(":" + port + ")"), probe);
            assertTrue(probe.matches("(?s).*tls:          TLSv1\\.[23] .*"), "STARTTLS with the endpoint's CA: " + probe);
            assertTrue(probe.contains("issuer CN=Gateway IT CA"), probe);

            String sent = shell.run("smtp:send -s Endpoint-IT -b hello testmail alice@example.org bob@example.org");
            assertTrue(sent.contains("accepted: 1 of 1"), sent);
            String message = mail.nextMessage();
            assertTrue(message.contains("\"rcpt\":[\"bob@example.org\"]") && message.contains("\"secure\":true")
                    && message.contains("\"subject\":\"Endpoint-IT\""), message);

            // a bundle setting that would weaken the endpoint's trust: refused, naming both
            String lax = shell.run("smtp:probe lax");
            assertTrue(lax.contains("IllegalArgumentException") && lax.contains("verifyHostname(false)")
                    && lax.contains("endpoint 'testmail'"), lax);

            // the same server by address: the bundle does not declare the port, no grant changes that
            String direct = shell.run("smtp:probe direct");
            assertTrue(direct.contains("NotAllowedException") && direct.contains("may not tcp connect 127.0.0.1:" + port)
                    && direct.contains("does not declare it"), direct);
        }
        mail.close();
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * The gateway's interactive shell on stdin/stdout: each command is followed by an {@code echo}
     * of a marker, so its output is what stdout printed before the marker.
     */
    final class Shell implements AutoCloseable {
        final GatewayProcessIT.Running g;
        final java.io.Writer in;
        int markers;

        Shell(Path home) throws Exception {
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/gateway").toString()).directory(home.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().remove("GATEWAY_OPTS");
            Process p = pb.start();
            processes.add(p);
            g = new GatewayProcessIT.Running(p);
            in = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            g.awaitLine("gateway ready in", GatewayProcessIT.WAIT);
        }

        /**
         * Runs one command; returns what the gateway printed on stdout for it (output, Gogo's error
         * line "gogo: <Exception>: <message>", log lines meanwhile; prompts included).
         */
        String run(String command) throws Exception {
            String marker = "__done_" + (++markers) + "__";
            in.write(command + "\necho " + marker + "\n");
            in.flush();
            g.awaitLine(marker + "$", GatewayProcessIT.WAIT.multipliedBy(2));
            synchronized (g.out) {
                int end = g.out.size() - 1;
                while (end >= 0 && !g.out.get(end).endsWith(marker)) {
                    end--;
                }
                int start = end - 1;
                while (start >= 0 && !g.out.get(start).matches(".*__done_\\d+__$")) {
                    start--;
                }
                return String.join("\n", g.out.subList(start + 1, end));
            }
        }

        /** Runs {@code command} until its output satisfies {@code ok}, failing after the deadline. */
        void await(String command, java.util.function.Predicate<String> ok) throws Exception {
            long deadline = System.nanoTime() + GatewayProcessIT.WAIT.toNanos();
            String out = run(command);
            while (!ok.test(out)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(command + " did not show the expected output within " + GatewayProcessIT.WAIT
                            + ":\n" + out + "\nstderr:\n" + String.join("\n", g.err));
                }
                g.lines.poll(100, TimeUnit.MILLISECONDS); // pace the polling by the gateway's own output
                out = run(command);
            }
        }

        @Override
        public void close() throws Exception {
            in.close(); // end of input stops the shell and the framework
            assertTrue(g.process.waitFor(GatewayProcessIT.WAIT.toSeconds(), TimeUnit.SECONDS), "gateway stopped");
            g.drain();
            assertEquals(0, g.process.exitValue(), "exit code; stderr:\n" + String.join("\n", g.err));
        }
    }

    static Path smtpBundle() throws IOException {
        Path bundles = Paths.get(System.getProperty("gateway.dir"), "bundles");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(bundles, "smtp-*.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        }
        throw new AssertionError("no smtp bundle in " + bundles + " (the protocol-smtp profile builds it)");
    }

    /** A CA and a server certificate for localhost/127.0.0.1 signed by it (openssl). */
    static void makeCertificates(Path dir) throws Exception {
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                + "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        GatewayProcessIT.exec(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-days", "2", "-subj", "/CN=Gateway IT CA", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        GatewayProcessIT.exec(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out",
                "server.csr", "-subj", "/CN=localhost");
        GatewayProcessIT.exec(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
    }
}
