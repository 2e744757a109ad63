package org.rawsockets.socket.mina.libraries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.contract.PeerProcess;
import org.rawsockets.socket.contract.TestPki;

/**
 * Eclipse Paho MQTT v3 over the socket service's factories, against a Mosquitto broker (Debian's
 * {@code mosquitto}) on loopback with a plain and a TLS listener (the test PKI's certificate).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PahoMqttTest {

    private static final TestPki PKI = TestPki.get();

    @TempDir
    Path tmp;

    private PeerProcess broker;
    private int plainPort;
    private int tlsPort;
    private LibraryFixture fixture;

    @BeforeEach
    void startBroker() throws Exception {
        String mosquitto = LibraryFixture.executable("mosquitto", "/usr/sbin");
        for (int attempt = 0; ; attempt++) {
            plainPort = LibraryFixture.freePort();
            tlsPort = LibraryFixture.freePort();
            Path conf = tmp.resolve("mosquitto-" + attempt + ".conf");
            Files.writeString(conf, String.join("\n",
                    LibraryFixture.isRoot() ? "user root" : "# not root: no user switch",
                    "per_listener_settings false", "allow_anonymous true", "persistence false", "log_dest stderr",
                    "log_type error", "log_type warning", "log_type notice", "log_type information",
                    "listener " + plainPort + " 127.0.0.1",
                    "listener " + tlsPort + " 127.0.0.1",
                    "cafile " + PKI.caPem(), "certfile " + PKI.serverPem(), "keyfile " + PKI.serverKey(), ""));
            PeerProcess p = PeerProcess.start(true, mosquitto, "-c", conf.toString());
            try {
                p.awaitLog("mosquitto version \\S+ running", Duration.ofSeconds(20));
                broker = p;
                break;
            } catch (AssertionError e) {
                p.close();
                if (attempt >= 2) {
                    throw e;
                }
            }
        }
        // the grant covers both listeners; anything else on 127.0.0.1 is refused
        fixture = new LibraryFixture(plainPort + "," + tlsPort);
    }

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static MqttClient client(String uri, String id) throws MqttException {
        return new MqttClient(uri, id, new MemoryPersistence());
    }

    /** Subscribes with one client, publishes with another, both through the bundle's sockets. */
    private void publishAndReceive(String scheme, int port, MqttConnectOptions options) throws Exception {
        String uri = scheme + "://127.0.0.1:" + port;
        MqttClient sub = client(uri, "sub-" + scheme);
        MqttClient pub = client(uri, "pub-" + scheme);
        try {
            sub.connect(options);
            CompletableFuture<String> got = new CompletableFuture<>();
            sub.subscribe("rawsockets/" + scheme + "/#", 1,
                    (topic, message) -> got.complete(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8)));
            pub.connect(options);
            SocketInfo listed = fixture.socketTo(port);
            assertEquals(LibraryFixture.BUNDLE + " [42]", listed.owner(), "the library's connection is the bundle's");
            assertTrue(fixture.service.sockets().size() >= 2, "both clients' sockets: " + fixture.service.sockets());
            pub.publish("rawsockets/" + scheme + "/t1", ("hello over " + scheme).getBytes(StandardCharsets.UTF_8), 1, false);
            assertEquals("rawsockets/" + scheme + "/t1 hello over " + scheme, got.get(30, TimeUnit.SECONDS));
            assertTrue(fixture.socketTo(port).bytesOut() > 0, "counted");
        } finally {
            if (pub.isConnected()) {
                pub.disconnect();
            }
            if (sub.isConnected()) {
                sub.disconnect();
            }
            pub.close();
            sub.close();
        }
    }

    @Test
    void publishAndSubscribeOverPlainMqtt() throws Exception {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(fixture.service.socketFactory(TcpSocketOptions.builder().noDelay(true).build()));
        o.setConnectionTimeout(10);
        publishAndReceive("tcp", plainPort, o);
    }

    @Test
    void publishAndSubscribeOverMqttWithTls() throws Exception {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(fixture.service.sslSocketFactory(TcpSocketOptions.builder().noDelay(true)
                .tls(TlsOptions.builder().trustedCertificatesPem(PKI.read(PKI.caPem())).build()).build()));
        o.setConnectionTimeout(10);
        o.setHttpsHostnameVerificationEnabled(true);
        publishAndReceive("ssl", tlsPort, o);
    }

    /** A broker address the policy does not grant: Paho's error carries the policy's refusal. */
    @Test
    void aRefusedBrokerFailsWithTheNotAllowedException() throws Exception {
        int refusedPort = LibraryFixture.freePort(); // not in the grant
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(fixture.service.socketFactory());
        o.setConnectionTimeout(10);
        MqttClient c = client("tcp://127.0.0.1:" + refusedPort, "refused");
        try {
            MqttException e = assertThrows(MqttException.class, () -> c.connect(o));
            NotAllowedException n = assertInstanceOf(NotAllowedException.class, e.getCause(),
                    "the library's error carries the policy's refusal: " + e);
            assertTrue(n.getMessage().contains(LibraryFixture.BUNDLE) && n.getMessage().contains(":" + refusedPort),
                    n.getMessage());
        } finally {
            c.close();
        }
    }
}
