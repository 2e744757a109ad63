package org.rawsockets.webbridge.internal.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.OriginServices;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;
import org.rawsockets.webbridge.internal.session.Limits;

/**
 * Runs the JavaScript library's own tests ({@code js/test/*.test.mjs}, node's test runner) against a
 * running bridge: embedded Jetty 12 with the endpoint, the real engine and policy, a loopback TCP echo
 * and UDP echo, and named endpoints on them (tcp-echo, udp-echo; not-granted on a listener the origin
 * has no grant for). Node is a test peer (installed by .ci/setup); a missing node fails the test.
 */
class JsLibraryNodeTest {

    static final String ORIGIN = "http://127.0.0.1:8080";

    private final String token = Tokens.newToken();
    private ServerSocket tcpEcho;
    private DatagramSocket udpEcho;
    private ServerSocket refused;
    private StartTlsPeer startTls;
    private com.ghgande.j2mod.modbus.slave.ModbusSlave modbus;
    private int modbusPort;
    private MinaSocketEngine engine;
    private OriginServices origins;
    private BridgeEndpoints endpoints;
    private Server jetty;
    private int port;

    @BeforeEach
    void start() throws Exception {
        tcpEcho = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("tcp-echo", () -> {
            while (!tcpEcho.isClosed()) {
                Socket s = tcpEcho.accept();
                daemon("tcp-echo-conn", () -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        in.transferTo(out);
                        s.shutdownOutput();
                    }
                });
            }
        });
        udpEcho = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        daemon("udp-echo", () -> {
            byte[] b = new byte[65536];
            while (!udpEcho.isClosed()) {
                DatagramPacket p = new DatagramPacket(b, b.length);
                udpEcho.receive(p);
                udpEcho.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), p.getSocketAddress()));
            }
        });
        refused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); // listens, but is not granted
        startModbus();
        startTls = new StartTlsPeer();
        String o = "origin:" + ORIGIN;
        PolicyEngine policy = new PolicyEngine(PolicySettings.from(Map.of(
                "grant.tcp", o + " tcp 127.0.0.1 " + tcpEcho.getLocalPort(),
                "grant.udp", o + " udp-connected 127.0.0.1 " + udpEcho.getLocalPort(),
                "grant.listen", o + " tcp-listen 127.0.0.1 *",
                "grant.modbus", o + " tcp 127.0.0.1 " + modbusPort,
                "grant.starttls", o + " tcp 127.0.0.1 " + startTls.port())),
                x -> "TCP;host=\"*\";ports=\"*\",TCP_LISTEN;host=\"*\";ports=\"*\",UDP_CONNECTED;host=\"*\";ports=\"*\"");
        engine = new MinaSocketEngine(EngineConfig.defaults(), policy, AuditLog.NONE, HostResolver.JDK);
        engine.putEndpoint(endpoint("tcp-echo", tcpEcho.getLocalPort()));
        engine.putEndpoint(endpoint("udp-echo", udpEcho.getLocalPort()));
        engine.putEndpoint(endpoint("not-granted", refused.getLocalPort()));
        org.rawsockets.socket.contract.TestPki pki = org.rawsockets.socket.contract.TestPki.get();
        engine.putEndpoint(new MinaSocketEngine.Endpoint(new EndpointInfo("mail", "127.0.0.1", startTls.port(),
                TlsMode.STARTTLS, null, "a STARTTLS server trusting the test CA"), pki.read(pki.caPem())));
        origins = new OriginServices(engine, Owner.of(12, "org.rawsockets.webbridge"));
        endpoints = new BridgeEndpoints(origins, new Admission(List.of(ORIGIN),
                Tokens.parse(new String[] {Tokens.entry("node-test", token, null)}, Clock.systemUTC())), Limits.DEFAULTS);
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        jetty.setHandler(context);
        JakartaWebSocketServletContainerInitializer.configure(context,
                (servletContext, container) -> container.addEndpoint(endpoints.config("/direct-sockets")));
        jetty.start();
        port = connector.getLocalPort();
    }

    private static MinaSocketEngine.Endpoint endpoint(String name, int port) {
        return new MinaSocketEngine.Endpoint(new EndpointInfo(name, "127.0.0.1", port, TlsMode.OFF, null, ""), null);
    }

    /** j2mod's Modbus/TCP server, holding register i = 3i (0..199); waits until it accepts connections. */
    private void startModbus() throws Exception {
        com.ghgande.j2mod.modbus.procimg.SimpleProcessImage image = new com.ghgande.j2mod.modbus.procimg.SimpleProcessImage(1);
        for (int i = 0; i < 200; i++) {
            image.addRegister(new com.ghgande.j2mod.modbus.procimg.SimpleRegister(3 * i));
        }
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            modbusPort = free.getLocalPort();
        }
        modbus = com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory.createTCPSlave(InetAddress.getLoopbackAddress(),
                modbusPort, 8, false);
        modbus.addProcessImage(1, image);
        modbus.open();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), modbusPort)) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("j2mod did not listen on " + modbusPort + " within 60 s", e);
                }
                Thread.onSpinWait();
            }
        }
    }

    interface Body {
        void run() throws Exception;
    }

    private static void daemon(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                // the test closed the peer
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stop() throws Exception {
        endpoints.closeAll();
        jetty.stop();
        origins.close();
        engine.close();
        tcpEcho.close();
        udpEcho.close();
        refused.close();
        startTls.close();
        com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory.close(modbus);
    }

    @Test
    void theLibrarysNodeTestsPassAgainstTheBridge() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("node", "--experimental-websocket", "--test", "--test-reporter=spec",
                "test/bridge.test.mjs", "test/endpoint.test.mjs", "test/demo.test.mjs", "test/starttls.test.mjs",
                "test/framing.test.mjs").directory(Path.of("js").toFile()).redirectErrorStream(true);
        pb.environment().putAll(Map.of("BRIDGE_URL", "ws://127.0.0.1:" + port + "/direct-sockets",
                "BRIDGE_ORIGIN", ORIGIN, "BRIDGE_TOKEN", token,
                "TCP_ECHO_PORT", Integer.toString(tcpEcho.getLocalPort()),
                "UDP_ECHO_PORT", Integer.toString(udpEcho.getLocalPort()),
                "REFUSED_PORT", Integer.toString(refused.getLocalPort()),
                "MODBUS_PORT", Integer.toString(modbusPort),
                "STARTTLS_PORT", Integer.toString(startTls.port()),
                "NODE_NO_WARNINGS", "1"));
        Process node = pb.start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (InputStream in = node.getInputStream()) {
                out.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append("reading node's output failed: ").append(e);
            }
        });
        reader.start();
        boolean finished = node.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            node.destroyForcibly();
        }
        reader.join(TimeUnit.SECONDS.toMillis(30));
        System.out.println(out);
        assertTrue(finished, "node's tests did not finish within 5 minutes:\n" + out);
        assertEquals(0, node.exitValue(), "node's tests failed:\n" + out);
        assertTrue(out.toString().contains("ℹ fail 0") && !out.toString().contains("ℹ pass 0"), out.toString());
    }
}
