package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The MQTT bundle in the real gateway: the bundle in deploy/, a broker configured in etc/ (and a
 * policy grant to its port), and {@code mqtt:pub} through {@code gateway -c}, received by
 * {@code mosquitto_sub} from a Mosquitto the test starts on a free loopback port.
 */
class MqttGatewayProcessIT {

    private final GatewayProcessIT gateway = new GatewayProcessIT();
    private Process mosquitto;
    private Process sub;

    @AfterEach
    void stop() throws InterruptedException {
        gateway.killLeftovers();
        for (Process p : new Process[] {sub, mosquitto}) {
            if (p != null) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void mqttPubThroughGatewayCReachesMosquittoSub(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        Path bundles = Paths.get(System.getProperty("gateway.dir"), "bundles");
        int n = 0;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(bundles, "mqtt-*.jar")) {
            for (Path jar : jars) {
                Path target = home.resolve("deploy").resolve(jar.getFileName());
                if (!Files.exists(target)) {
                    Files.copy(jar, target);
                }
                n++;
            }
        }
        assertEquals(1, n, "bundles/ holds the mqtt bundle (profile protocol-mqtt)");

        Path work = Files.createDirectories(home.resolve("mosquitto"));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path log = work.resolve("mosquitto.log");
        Files.write(work.resolve("mosquitto.conf"), List.of("listener " + port + " 127.0.0.1", "allow_anonymous true",
                "log_dest file " + log, "log_type all", "user " + System.getProperty("user.name")));
        mosquitto = new ProcessBuilder("/usr/sbin/mosquitto", "-c", work.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("stdout.txt").toFile()).start();
        GatewayProcessIT.awaitListening(port);
        Path received = work.resolve("received.txt");
        sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(port), "-i", "check",
                "-t", "site/#", "-q", "1", "-C", "1", "-F", "%t %p", "-W", "120").redirectErrorStream(true)
                .redirectOutput(received.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(log).contains("check 1 site/#")) {
            assertTrue(System.nanoTime() < deadline, "mosquitto_sub did not subscribe:\n" + Files.readString(log));
            Thread.sleep(20);
        }

        Path etc = home.resolve("etc");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.socket.policy.cfg"),
                "grant.mqtt-lab = org.rawsockets.mqtt tcp 127.0.0.1 " + port + "\n");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.mqtt.broker-lab.cfg"), String.join("\n",
                "name=lab", "host=127.0.0.1", "port=" + port, "clientId=gateway-lab", ""));

        GatewayProcessIT.Result ok = gateway.run(home, "-c", "mqtt:pub -q 1 lab site/hello from-the-gateway;"
                + " mqtt:brokers");
        assertEquals(0, ok.exit(), ok + "\n--- mosquitto\n" + Files.readString(log));
        assertTrue(ok.stdout().contains("published 16 bytes to 'site/hello' (QoS 1) on lab"), ok.toString());
        assertTrue(ok.stdout().contains("lab") && ok.stdout().contains("mqtt 127.0.0.1:" + port), ok.toString());
        assertTrue(sub.waitFor(30, TimeUnit.SECONDS), "mosquitto_sub got nothing: " + Files.readString(received));
        assertEquals("site/hello from-the-gateway", Files.readString(received, StandardCharsets.UTF_8).strip());
        assertTrue(Files.readString(log).contains("as gateway-lab"), Files.readString(log));
    }

}
