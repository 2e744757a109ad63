package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.rawsockets.launcher.fixture.BrowserScript;
import org.rawsockets.launcher.fixture.EchoPeers;
import org.rawsockets.launcher.fixture.FloodPeer;

import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;

/**
 * The Direct Sockets bridge in a real browser (headless Chromium, src/test/resources/browser/bridge.js)
 * against a gateway started from the distribution: the gateway's own pages (origin
 * {@code http://127.0.0.1:<port>}, allowed in etc/org.rawsockets.webbridge.cfg) use the library it serves.
 * A 16 MiB TCP echo with SHA-256, a UDP echo, a refused destination (NotAllowedError, and the refusal in
 * the audit with the origin), a named endpoint opened by name (and an unknown one: NotFoundError), a
 * page that stops reading a peer that writes 64 MiB (the peer's writes stall, checked by the peer with
 * a deadline; the console's {@code GET /api/sockets} shows the gateway read no more than the page's
 * credit plus the engine's receive bound; then the page reads again and the SHA-256 of all 64 MiB
 * matches), the raw TCP terminal demo page (by host and port, by endpoint name, and an unknown name
 * shown as NotFoundError) and the Modbus register viewer demo page against a real Modbus/TCP server
 * (j2mod). Screenshots go to target/browser/.
 */
class BridgeBrowserIT {

    static final Duration WAIT = GatewayProcessIT.WAIT;
    /**
     * What the flood peer writes: more than the kernel can hold for a stalled connection on loopback
     * (the gateway's receive buffer grows to tcp_rmem's maximum, 32 MiB here, plus the peer's send
     * buffer and the page's 1 MiB read window), so only a gateway that stops reading stalls it.
     */
    static final int FLOOD_BYTES = 64 << 20;

    private final GatewayProcessIT gateway = new GatewayProcessIT();
    private ModbusSlave modbus;

    @AfterEach
    void stop() throws InterruptedException {
        gateway.killLeftovers();
        if (modbus != null) {
            ModbusSlaveFactory.close(modbus);
        }
    }

    /** j2mod's Modbus/TCP server on a free loopback port, holding register i = 3i (0..199); waits until it accepts. */
    private int startModbus() throws Exception {
        SimpleProcessImage image = new SimpleProcessImage(1);
        for (int i = 0; i < 200; i++) {
            image.addRegister(new SimpleRegister(3 * i));
        }
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = free.getLocalPort();
        }
        modbus = ModbusSlaveFactory.createTCPSlave(InetAddress.getByName("127.0.0.1"), port, 8, false);
        modbus.addProcessImage(1, image);
        modbus.open();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try (Socket probe = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
                return port;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("j2mod did not listen on " + port + " within " + WAIT, e);
                }
                Thread.sleep(20); // polling for a condition, bounded by the deadline
            }
        }
    }

    @Test
    void pagesOfTheGatewayUseTheBridgeInChromium(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        BridgeGatewayProcessIT.deployBridge(home);
        // the console's API shows the gateway's bytes read from the flood peer while the page does not read
        HttpServerProcessIT.deployConsole(home);
        String apiToken = "bridge-browser-api-token";
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.console.cfg"),
                "apiTokenHash=" + ConsoleBrowserIT.hash(apiToken) + "\n");
        BridgeGatewayProcessIT.Token token = BridgeGatewayProcessIT.Token.issue("browser");
        int modbusPort = startModbus();
        Path sync = Files.createTempDirectory("bridge-flood-");
        try (EchoPeers echo = new EchoPeers();
                ServerSocket ungranted = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
                FloodPeer flood = new FloodPeer(FLOOD_BYTES, 19, sync.resolve("page-stopped"), sync.resolve("peer-stalled"),
                        Duration.ofSeconds(2), Duration.ofSeconds(300))) {
            // The HTTP port (and so the pages' origin) is known once the gateway runs: grants for any
            // loopback port of the origin, the bridge's configuration written after the start (hot).
            String o = "origin:http://127.0.0.1:*";
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.policy.cfg"),
                    "grant.tcp = " + o + " tcp 127.0.0.1 " + echo.tcpPort() + "\n"
                            + "grant.udp = " + o + " udp-connected 127.0.0.1 " + echo.udpPort() + "\n"
                            + "grant.modbus = " + o + " tcp 127.0.0.1 " + modbusPort + "\n"
                            + "grant.flood = " + o + " tcp 127.0.0.1 " + flood.port() + "\n");
            // a named endpoint the page opens by name; its destination is the echo granted above
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.endpoint-bridge-echo.cfg"),
                    "name = bridge-echo\nhost = 127.0.0.1\nport = " + echo.tcpPort() + "\n");
            GatewayProcessIT.Running g = gateway.start(home, "--headless");
            g.awaitLine("gateway ready in|gateway started", WAIT);
            int port = HttpServerProcessIT.awaitHttpPort(home);
            String origin = "http://127.0.0.1:" + port;
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.webbridge.cfg"),
                    "allowedOrigins = " + origin + "\ntokens = " + token.entry() + "\n");
            HttpServerProcessIT.awaitStatus(HttpClient.newBuilder().connectTimeout(WAIT).build(),
                    URI.create(origin + "/direct-sockets/lib/direct-sockets.js"), 200);

            BrowserScript.Result r = BrowserScript.run(Path.of("src/test/resources/browser/bridge.js"), Duration.ofSeconds(600),
                    origin, token.token(), String.valueOf(echo.tcpPort()), String.valueOf(echo.udpPort()),
                    String.valueOf(ungranted.getLocalPort()), String.valueOf(modbusPort), String.valueOf(flood.port()),
                    String.valueOf(FLOOD_BYTES), flood.sha256(), sync.resolve("page-stopped").toString(),
                    sync.resolve("peer-stalled").toString(), apiToken);
            System.out.println("BROWSER bridge.js in " + r.millis() + " ms:\n" + r.output());
            System.out.printf("flood peer: %d bytes written when the page stopped reading, writes stalled at %d of %d"
                    + " bytes (no byte accepted for 2 s, %d ms after the stop)%n", flood.writtenWhenPageStopped(),
                    flood.writtenAtStall(), FLOOD_BYTES, flood.stallMillis());
            assertEquals(0, r.exit(), r.output() + "\nflood peer: " + flood.failure());
            assertTrue(r.output().contains("BROWSER OK"), r.output());
            // The page that stopped reading stopped the gateway reading from the peer, then got every byte.
            assertNull(flood.failure());
            assertTrue(flood.writtenAtStall() > 0 && flood.writtenAtStall() < FLOOD_BYTES, "stalled at " + flood.writtenAtStall());
            assertTrue(flood.done(), "the peer wrote all its bytes once the page read again");
            assertTrue(r.output().contains("STEP stop-reading ") && r.output().contains("sha256 " + flood.sha256()), r.output());
            // The page's refused open is in the audit with the page's origin.
            BridgeGatewayProcessIT.awaitLogLine(home, "REFUSED org\\.rawsockets\\.webbridge \\[\\d+\\] for origin "
                    + Pattern.quote(origin) + " #\\d+ tcp.*:" + ungranted.getLocalPort());
            BridgeGatewayProcessIT.awaitLogLine(home, "OPENED org\\.rawsockets\\.webbridge \\[\\d+\\] for origin "
                    + Pattern.quote(origin) + " #\\d+ udp.*:" + echo.udpPort());
        } finally {
            org.rawsockets.socket.testing.TempDirs.delete(sync);
        }
    }
}
