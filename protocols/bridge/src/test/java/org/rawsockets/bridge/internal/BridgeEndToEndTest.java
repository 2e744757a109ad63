package org.rawsockets.bridge.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.modbus.internal.ClientSettings;
import org.rawsockets.modbus.internal.ModbusClientImpl;
import org.rawsockets.mqtt.MqttClient;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.internal.MqttClientImpl;
import org.rawsockets.mqtt.internal.MqttSettings;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;

/**
 * The bridge end to end: a real Modbus/TCP server (j2mod) read by the Modbus client, the values
 * published by the MQTT client to a real Mosquitto, received by mosquitto_sub; all on free loopback
 * ports, started by the test.
 */
class BridgeEndToEndTest {

    final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void until(long millis, String what, BooleanSupplier ok, Object state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + what + " within " + millis + " ms: " + state);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void holdingRegistersArePublishedToMosquitto() throws Exception {
        // the Modbus server: holding registers 0..9 = 100..109
        SimpleProcessImage image = new SimpleProcessImage(1);
        for (int i = 0; i < 10; i++) {
            image.addRegister(new SimpleRegister(100 + i));
        }
        int modbusPort = freePort();
        ModbusSlave slave = ModbusSlaveFactory.createTCPSlave(InetAddress.getByName("127.0.0.1"), modbusPort, 8, false);
        slave.addProcessImage(1, image);
        slave.open();
        cleanup.add(() -> ModbusSlaveFactory.close(slave));

        // the broker
        Path dir = Files.createTempDirectory("bridge-mosquitto");
        cleanup.add(() -> org.rawsockets.socket.testing.TempDirs.delete(dir));
        int mqttPort = freePort();
        Path log = dir.resolve("mosquitto.log");
        Files.write(dir.resolve("mosquitto.conf"), List.of("listener " + mqttPort + " 127.0.0.1",
                "allow_anonymous true", "log_dest file " + log, "log_type all",
                "user " + System.getProperty("user.name")));
        Process mosquitto = new ProcessBuilder("/usr/sbin/mosquitto", "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        cleanup.add(mosquitto::destroyForcibly);
        until(15_000, "mosquitto running", () -> read(log).contains(" running"), dir);
        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(mqttPort), "-i",
                "check", "-t", "plant/#", "-q", "1", "-F", "%t %p", "-W", "60").redirectErrorStream(true).start();
        cleanup.add(sub::destroyForcibly);
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>(); // read (streamed) while the subscriber adds
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(sub.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    lines.add(l);
                }
            } catch (Exception e) {
                lines.add(e.toString());
            }
        });
        reader.setDaemon(true);
        reader.start();
        until(10_000, "mosquitto_sub subscribed", () -> read(log).contains("check 1 plant/#"), lines);

        // the two clients on the real socket service, and the bridge between them
        MinaSocketEngine engine = MinaSocketEngine.standalone();
        cleanup.add(engine::close);
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.bridge"));
        cleanup.add(sockets::close);
        ModbusClientImpl plc = new ModbusClientImpl(ClientSettings.tcp("plc1", "127.0.0.1", modbusPort), sockets);
        cleanup.add(plc);
        MqttClientImpl broker = new MqttClientImpl(MqttSettings.builder("site").host("127.0.0.1", mqttPort).build(),
                sockets);
        cleanup.add(broker);
        broker.connect();
        ModbusMqttBridge bridge = new ModbusMqttBridge(new BridgeSettings("line1", "plc1", "site", "holding", -1, 2, 3,
                Duration.ofMillis(100), "plant/line1/registers", Qos.AT_LEAST_ONCE, false),
                name -> Optional.of(plc).filter(p -> p.name().equals(name)).map(p -> p),
                name -> Optional.<MqttClient>of(broker).filter(b -> b.name().equals(name))).start();
        cleanup.add(bridge);

        until(15_000, "3 publications", () -> lines.size() >= 3, lines + " " + bridge.lastError());
        String first = lines.get(0);
        assertTrue(first.startsWith("plant/line1/registers {\"device\":\"plc1\",\"table\":\"holding\",\"unit\":1,"
                + "\"address\":2,\"values\":[102,103,104],\"time\":\""), first);
        // the device's value changes: the next publications carry it
        image.getRegister(3).setValue(4242);
        until(15_000, "the new value published", () -> lines.stream().anyMatch(l -> l.contains("[102,4242,104]")),
                lines);
        assertEquals(0, bridge.failed.get(), String.valueOf(bridge.lastError()));
        assertTrue(bridge.published.get() >= 3);
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (Exception e) {
            return e.toString();
        }
    }
}
