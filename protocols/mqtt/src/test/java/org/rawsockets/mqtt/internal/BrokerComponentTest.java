package org.rawsockets.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rawsockets.mqtt.MqttClient;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.internal.shell.MqttCommandsAccess;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.protocols.config.SecretFiles;

/**
 * The DS component from configuration maps (as Config Admin gives them): strict parsing, the password
 * as a secret reference, a service per broker; and the shell commands against a real Mosquitto.
 */
class BrokerComponentTest extends BrokerTestSupport {

    static Map<String, Object> config(String name, Mosquitto m) {
        return brokerConfig(name, m.port);
    }

    @Test
    void configurationIsStrictAndThePasswordIsASecretReference() throws Exception {
        Mosquitto m = broker(new Mosquitto().password("gw", "pa55"));
        Path secrets = Files.createTempDirectory("secrets");
        cleanup.add(() -> org.rawsockets.socket.testing.TempDirs.delete(secrets));
        Path file = secrets.resolve("site-mqtt");
        Files.writeString(file, "pa55\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        SecretFiles sf = new SecretFiles(secrets.toString());
        ConfigRegistry registry = new ConfigRegistry(BrokerConfig.PID, "MQTT broker");

        Map<String, Object> literal = config("site", m);
        literal.put("user", "gw");
        literal.put(".password", "pa55");
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> component(literal, sf, registry));
        assertTrue(e.getMessage().contains("secret:") && !e.getMessage().contains("pa55"), e.getMessage());
        assertEquals(java.util.List.of(BrokerConfig.PID + ".site"), removedLiterals,
                "the refused literal is removed from the configuration store");
        // once removed (marker in its place), the configuration is still refused with the same advice
        Map<String, Object> marked = config("site", m);
        marked.put("user", "gw");
        marked.put(".password.refused", "removed");
        assertTrue(assertThrows(ConfigRejectedException.class, () -> component(marked, sf, registry)).getMessage()
                .contains("secret:"));

        Map<String, Object> badPort = config("site", m);
        badPort.put("port", 70000);
        assertTrue(assertThrows(ConfigRejectedException.class, () -> component(badPort, sf, registry)).getMessage()
                .contains("1..65535"));

        Map<String, Object> bad = config("site", m);
        bad.put("version", "4.0");
        assertTrue(assertThrows(ConfigRejectedException.class, () -> component(bad, sf, registry)).getMessage()
                .contains("5 or 3.1.1"));

        Map<String, Object> good = config("site", m);
        good.put("user", "gw");
        good.put(".password", "secret:site-mqtt");
        good.put("version", "3.1.1");
        MqttClient c = component(good, sf, registry);
        Waits.until(10_000, "connected with the secret's password", () -> c.status().connected(), c::status);
        assertEquals(MqttVersion.V3_1_1, c.status().version());
        await(c.publish(MqttMessage.of("cfg/ok", "1", Qos.AT_LEAST_ONCE)));
    }

    @Test
    void shellCommandsAgainstMosquitto() throws Exception {
        Mosquitto m = broker(new Mosquitto());
        ConfigRegistry registry = new ConfigRegistry(BrokerConfig.PID, "MQTT broker");
        MqttClient c = component(config("site", m), new SecretFiles(null), registry);
        Waits.until(10_000, "connected", () -> c.status().connected(), c::status);
        MqttCommandsAccess shell = new MqttCommandsAccess(c);

        String table = shell.brokers();
        assertTrue(table.contains("site") && table.contains("mqtt 127.0.0.1:" + m.port) && table.contains("connected"),
                table);
        Sub check = new Sub(m, "shell-check", "shell/#", 1, 1, MqttVersion.V5);
        String out = shell.pub(1, false, "site", "shell/t", "from the shell");
        assertTrue(out.contains("published 14 bytes to 'shell/t' (QoS 1)"), out);
        assertEquals("shell/t 0 from the shell", check.awaitLines(1).get(0));

        // sub -n 2: prints the two messages mosquitto_pub sends, then returns
        var printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        var result = new java.util.concurrent.CompletableFuture<String>();
        Thread t = new Thread(() -> {
            try {
                result.complete(shell.sub(1, 2, "site", "cmd/#"));
            } catch (Exception x) {
                result.completeExceptionally(x);
            }
        });
        System.setOut(new java.io.PrintStream(printed, true));
        try {
            t.start();
            Waits.until(10_000, "the shell subscribed", () -> c.status().subscriptions() == 1, c::status);
            pub(m, "cmd/lamp", 1, MqttVersion.V5, java.util.List.of("on", "off"));
            assertEquals("2 message(s) received on 'cmd/#'\n", await(result));
        } finally {
            System.setOut(old);
        }
        assertEquals("cmd/lamp on\ncmd/lamp off\n", printed.toString());
        assertTrue(shell.status("site").contains("published:       1"), shell.status("site"));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> shell.status("nope"));
        assertTrue(none.getMessage().contains("configured: site"), none.getMessage());
    }
}
