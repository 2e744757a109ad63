package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.rawsockets.launcher.fixture.LoopbackPeer;
import org.rawsockets.launcher.fixture.PeerClient;
import org.rawsockets.launcher.fixture.TestBundles;

/**
 * Engine configuration through the real gateway ({@code etc/org.rawsockets.socket.mina.cfg}, read by
 * FileInstall): invalid values are one ERROR line each and change nothing (the SocketService stays
 * up, the open connection stays open, the gateway takes no file descriptor); a valid change restarts
 * the engine; the gateway's descriptors are counted in {@code /proc/<pid>/fd} before, during and
 * after.
 */
class EngineConfigurationProcessIT {

    static final Duration WAIT = GatewayProcessIT.WAIT;
    static final String ENGINE = "etc/org.rawsockets.socket.mina.cfg";
    static final String REJECTED = "configuration rejected: PID org.rawsockets.socket.mina";

    private final GatewayProcessIT gateways = new GatewayProcessIT();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        gateways.killLeftovers();
    }

    static long fds(Process p) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
            return s.count();
        }
    }

    /** Waits for the {@code n}-th log line (0-based count of earlier ones given) containing {@code text}. */
    static String awaitLogLine(Path log, String level, String text, int earlier) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<String> hits = Files.exists(log) ? Files.readAllLines(log).stream()
                    .filter(l -> l.contains(" " + level + " ") && l.contains(text)).collect(Collectors.toList())
                    : List.of();
            if (hits.size() > earlier) {
                assertEquals(earlier + 1, hits.size(), "one " + level + " line per change: " + hits);
                return hits.get(earlier);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + level + " line containing '" + text + "' within " + WAIT + "; log:\n"
                        + (Files.exists(log) ? Files.readString(log) : "(none)"));
            }
            Thread.sleep(50);
        }
    }

    /** Runs a shell command on the gateway's console and returns the line matching {@code regex}. */
    static String command(GatewayProcessIT.Running g, Writer console, String cmd, String regex) throws Exception {
        console.write(cmd + "\n");
        console.flush();
        return g.awaitLine(regex, WAIT);
    }

    @Test
    void invalidEngineValuesAreRejectedAndNetworkingStaysUp(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        Path log = home.resolve("log/gateway.log");
        Path jar = TestBundles.peerClient(home.resolve("peerclient.jar"));
        try (LoopbackPeer peer = new LoopbackPeer()) {
            Path clientCfg = home.resolve("etc").resolve(PeerClient.PID + ".cfg");
            GatewayProcessIT.writeAtomically(clientCfg, "host=127.0.0.1\nport=" + peer.port() + "\ncount=1\nmessage=one\n");
            Files.copy(jar, home.resolve("deploy/peerclient.jar"));
            GatewayProcessIT.Running g = gateways.start(home, false);
            Writer console = new OutputStreamWriter(g.process.getOutputStream(), StandardCharsets.UTF_8);
            g.awaitLine("gateway ready in|gateway started", WAIT);
            LoopbackPeer.Connection first = g.accept(peer);
            assertEquals("one", first.readLine(WAIT));
            String row = command(g, console, "sockets:list", "rawsockets\\.test\\.peerclient.*:" + peer.port() + " +open");
            Matcher id = Pattern.compile("^\\s*(\\d+)\\s").matcher(row);
            assertTrue(id.find(), row);
            String socketId = id.group(1);
            long before = fds(g.process);

            // ioThreads=100000: before the fix ~20,000 epoll descriptors and the SocketService gone
            GatewayProcessIT.writeAtomically(home.resolve(ENGINE), "ioThreads=100000\n");
            String line = awaitLogLine(log, "ERROR", REJECTED, 0);
            assertTrue(line.contains("(" + home.resolve(ENGINE) + ") field 'ioThreads' = '100000': out of range; rule:"
                    + " a whole number in 1..") && line.contains("keeping the last good configuration"), line);
            long during = fds(g.process);
            System.out.println("ENGINE-CONFIG gateway file descriptors: " + before + " before, " + during
                    + " with ioThreads=100000 rejected");
            assertTrue(during <= before + 10, "file descriptors: " + before + " before, " + during + " during");
            // the connection is still open, under the same id
            command(g, console, "sockets:list", "^\\s*" + socketId + "\\s.*:" + peer.port() + " +open");

            int rejected = 1;
            for (String bad : new String[] { "ioThreads=0", "ioThreads=abc", "lowWaterMark=300000\nhighWaterMark=262144",
                    "connectTimeoutMillis=-1", "maxDatagramSize=70000" }) {
                GatewayProcessIT.writeAtomically(home.resolve(ENGINE), bad + "\n");
                String field = bad.substring(0, bad.indexOf('='));
                String l = awaitLogLine(log, "ERROR", REJECTED, rejected++);
                assertTrue(l.contains("field '" + field + "' = '") && l.contains("; rule: "), l);
            }
            assertTrue(fds(g.process) <= before + 10, "file descriptors after the bad values: " + fds(g.process));
            command(g, console, "sockets:list", "^\\s*" + socketId + "\\s.*:" + peer.port() + " +open");
            // the SocketService is still there: the client bundle, reconfigured, opens a new connection
            GatewayProcessIT.writeAtomically(clientCfg, "host=127.0.0.1\nport=" + peer.port() + "\ncount=1\nmessage=two\n");
            LoopbackPeer.Connection second = g.accept(peer);
            assertEquals("two", second.readLine(WAIT));
            assertFalse(Files.readString(log).contains("socket engine stopped"), "the engine never stopped");

            // a valid change restarts the engine: its sockets close, the client reconnects through the new one
            GatewayProcessIT.writeAtomically(home.resolve(ENGINE), "ioThreads=1\n");
            awaitLogLine(log, "INFO", "socket engine restarts with ioThreads=1,", 0);
            second.awaitEof(WAIT);
            LoopbackPeer.Connection third = g.accept(peer);
            assertEquals("two", third.readLine(WAIT));
            long after = fds(g.process);
            System.out.println("ENGINE-CONFIG after the valid change (ioThreads=1): " + after + " file descriptors");
            assertTrue(after <= before + 10, "file descriptors: " + before + " before, " + after + " after");

            console.close(); // end of input stops the gateway
            assertTrue(g.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "stopped at end of input");
            assertEquals(0, g.process.exitValue());
            for (String l : Files.readAllLines(log)) {
                assertFalse(l.startsWith("\tat "), "stack trace in the log: " + l);
            }
        }
    }
}
