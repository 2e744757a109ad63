package org.rawsockets.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttSubscription;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.SubscriptionOptions;

/**
 * MQTT through an HTTP proxy (CONNECT tunnel): a real tinyproxy started here on a free loopback port,
 * allowed to tunnel to the ports its configuration lists (ConnectPort), in front of Mosquitto's TCP,
 * websockets and TLS websockets listeners. Every tunnel is checked in tinyproxy's own log.
 */
class HttpProxyTest extends BrokerTestSupport {

    /** tinyproxy in the foreground with a configuration of its own, allowing CONNECT to {@code ports} only. */
    static final class TinyProxy extends LocalProxy {

        TinyProxy(int... ports) throws Exception {
            this(null, ports);
        }

        /** With {@code basicAuth} ("user password"): tinyproxy asks for those credentials (407 without). */
        TinyProxy(String basicAuth, int... ports) throws Exception {
            super("tinyproxy", "stdout.txt", "tinyproxy.log");
            StringBuilder conf = new StringBuilder("Port " + port + "\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\n"
                    + "Allow 127.0.0.1\nLogLevel Info\nLogFile \"" + dir.resolve("tinyproxy.log") + "\"\n"
                    + (basicAuth == null ? "" : "BasicAuth " + basicAuth + "\n"));
            for (int p : ports) {
                conf.append("ConnectPort ").append(p).append('\n');
            }
            Files.writeString(dir.resolve("tinyproxy.conf"), conf);
            start(java.util.List.of("tinyproxy", "-d", "-c", dir.resolve("tinyproxy.conf").toString()), 10_000);
        }
    }

    TinyProxy proxy(int... ports) throws Exception {
        TinyProxy p = new TinyProxy(ports);
        cleanup.add(p);
        return p;
    }

    /** A QoS 1 message to itself and back: the connection carries MQTT both ways. */
    private void roundTrip(MqttClientImpl c, String topic) throws Exception {
        MqttSubscription s = await(c.subscribe(topic, SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 4));
        await(c.publish(MqttMessage.of(topic, "through the proxy", Qos.AT_LEAST_ONCE)));
        assertEquals("through the proxy", await(s.read(Duration.ofSeconds(20))).value().payloadAsString());
    }

    @Test
    void mqttOverTcpAndOverWebSocketGoThroughTheProxysTunnel() throws Exception {
        int wsPort = Mosquitto.freePort();
        Mosquitto m = broker(WebSocketTest.withWebSockets(MqttVersion.V5, wsPort));
        TinyProxy p = proxy(m.port, wsPort);

        MqttClientImpl tcp = client(settings("via-proxy", m, MqttVersion.V5).httpProxy("127.0.0.1", p.port).build());
        await(tcp.connect());
        assertEquals("mqtt 127.0.0.1:" + m.port + " via HTTP proxy 127.0.0.1:" + p.port, tcp.status().target());
        roundTrip(tcp, "proxy/tcp");

        MqttClientImpl ws = client(WebSocketTest.ws("ws-via-proxy", wsPort, MqttVersion.V5)
                .httpProxy("127.0.0.1", p.port).build());
        await(ws.connect());
        roundTrip(ws, "proxy/ws");

        String log = p.log();
        assertTrue(log.contains("CONNECT 127.0.0.1:" + m.port), "tunnel to the TCP listener\n" + log);
        assertTrue(log.contains("CONNECT 127.0.0.1:" + wsPort), "tunnel to the websockets listener\n" + log);
        await(tcp.disconnect());
        await(ws.disconnect());
    }

    /** wss through the proxy, from configuration: TLS runs end to end inside the tunnel, checked for the broker's name. */
    @Test
    void webSocketOverTlsThroughTheProxyFromConfiguration() throws Exception {
        int wsPort = Mosquitto.freePort();
        Mosquitto m = broker(WebSocketTest.withTlsWebSockets(wsPort));
        TinyProxy p = proxy(wsPort);
        java.util.Map<String, Object> props = brokerConfig("wss-proxy", 1);
        props.remove("host");
        props.remove("port");
        props.put("uri", "wss://localhost:" + wsPort + "/mqtt");
        props.put("httpProxy", "127.0.0.1:" + p.port);
        props.put("caCertificatesPath", m.path("ca.pem").toString());
        MqttBrokerComponent c = component(props, new org.rawsockets.protocols.config.SecretFiles(null),
                new org.rawsockets.protocols.config.ConfigRegistry(BrokerConfig.PID, "MQTT broker"));
        Waits.until(30_000, "connected over wss through the proxy", () -> c.status().connected(),
                () -> c.status() + "\n" + logs() + "\n" + p.log());
        assertEquals("wss localhost:" + wsPort + "/mqtt via HTTP proxy 127.0.0.1:" + p.port, c.status().target());
        MqttSubscription s = await(c.subscribe("tls/proxy", SubscriptionOptions.of(Qos.EXACTLY_ONCE), 4));
        await(c.publish(MqttMessage.of("tls/proxy", "sealed", Qos.EXACTLY_ONCE)));
        assertEquals("sealed", await(s.read(Duration.ofSeconds(30))).value().payloadAsString());
        assertTrue(p.log().contains("CONNECT localhost:" + wsPort), p.log());
    }

    /** The proxy refuses the tunnel (a port it does not allow): a typed error naming the proxy, the broker and the answer. */
    @Test
    void aRefusedTunnelIsAConnectionErrorWithTheProxysAnswer() throws Exception {
        Mosquitto m = broker(new Mosquitto());
        TinyProxy p = proxy(Mosquitto.freePort()); // tunnels to another port only
        MqttClientImpl c = client(settings("refused", m, MqttVersion.V5).httpProxy("127.0.0.1", p.port)
                .reconnect(false, Duration.ofMillis(50), Duration.ofMillis(50)).build());
        Exception e = assertThrows(Exception.class, () -> await(c.connect()));
        MqttConnectionException ce = assertInstanceOf(MqttConnectionException.class, e);
        System.out.println("refused tunnel: " + ce.getMessage());
        assertTrue(ce.getMessage().contains("HTTP proxy 127.0.0.1:" + p.port + " refused CONNECT 127.0.0.1:" + m.port
                + ": HTTP/1.") && ce.getMessage().contains(" 403"), ce.getMessage() + "\n" + p.log());
    }

    /**
     * A proxy that asks for Basic credentials: the configured httpProxyUser and .httpProxyPassword =
     * secret:NAME get through; without them, and with a wrong password, a typed error says which; a
     * literal password is refused and removed from the store, as the broker's own password is.
     */
    @Test
    void proxyCredentialsComeFromASecretFile() throws Exception {
        Mosquitto m = broker(new Mosquitto());
        TinyProxy p = new TinyProxy("gateway s3cret-proxy", m.port);
        cleanup.add(p);
        java.nio.file.Path secrets = Files.createTempDirectory("secrets");
        cleanup.add(() -> org.rawsockets.socket.testing.TempDirs.delete(secrets));
        java.nio.file.Path f = secrets.resolve("proxy-pass");
        Files.writeString(f, "s3cret-proxy\n");
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        org.rawsockets.protocols.config.SecretFiles sf = new org.rawsockets.protocols.config.SecretFiles(secrets.toString());
        org.rawsockets.protocols.config.ConfigRegistry registry = new org.rawsockets.protocols.config.ConfigRegistry(
                BrokerConfig.PID, "MQTT broker");

        java.util.Map<String, Object> good = brokerConfig("authproxy", m.port);
        good.put("httpProxy", "127.0.0.1:" + p.port);
        good.put("httpProxyUser", "gateway");
        good.put(".httpProxyPassword", "secret:proxy-pass");
        MqttBrokerComponent c = component(good, sf, registry);
        Waits.until(30_000, "connected through the authenticating proxy", () -> c.status().connected(),
                () -> c.status() + "\n" + p.log());
        MqttSubscription s = await(c.subscribe("auth/proxy", SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 4));
        await(c.publish(MqttMessage.of("auth/proxy", "let in", Qos.AT_LEAST_ONCE)));
        assertEquals("let in", await(s.read(Duration.ofSeconds(20))).value().payloadAsString());

        MqttClientImpl none = client(settings("no-credentials", m, MqttVersion.V5).httpProxy("127.0.0.1", p.port)
                .reconnect(false, Duration.ofMillis(50), Duration.ofMillis(50)).build());
        MqttConnectionException e = assertInstanceOf(MqttConnectionException.class,
                assertThrows(Exception.class, () -> await(none.connect())));
        assertTrue(e.getMessage().contains(" 407") && e.getMessage().contains("set httpProxyUser and .httpProxyPassword"),
                e.getMessage());

        MqttClientImpl wrong = client(settings("wrong-credentials", m, MqttVersion.V5).httpProxy("127.0.0.1", p.port)
                .httpProxyCredentials("gateway", () -> "guessed".getBytes(StandardCharsets.UTF_8))
                .reconnect(false, Duration.ofMillis(50), Duration.ofMillis(50)).build());
        e = assertInstanceOf(MqttConnectionException.class, assertThrows(Exception.class, () -> await(wrong.connect())));
        assertTrue(e.getMessage().contains("refused the credentials of user 'gateway'") && !e.getMessage().contains("guessed"),
                e.getMessage());

        java.util.Map<String, Object> literal = brokerConfig("literalproxy", m.port);
        literal.put("httpProxy", "127.0.0.1:" + p.port);
        literal.put("httpProxyUser", "gateway");
        literal.put(".httpProxyPassword", "s3cret-proxy");
        Exception refused = assertThrows(org.rawsockets.protocols.config.ConfigRejectedException.class,
                () -> component(literal, sf, registry));
        assertTrue(refused.getMessage().contains("secret:") && !refused.getMessage().contains("s3cret-proxy"),
                refused.getMessage());
        assertEquals(java.util.List.of(BrokerConfig.PID + ".literalproxy"), removedLiterals,
                "the refused literal is removed from the configuration store");

        java.util.Map<String, Object> userOnly = brokerConfig("useronly", m.port);
        userOnly.put("httpProxy", "127.0.0.1:" + p.port);
        userOnly.put("httpProxyUser", "gateway");
        assertTrue(assertThrows(org.rawsockets.protocols.config.ConfigRejectedException.class,
                () -> component(userOnly, sf, registry)).getMessage().contains("go together"));
    }

    /** Configuration: httpProxy is host:port and goes with host or uri, not with an endpoint. */
    @Test
    void theHttpProxyPropertyIsCheckedByName() {
        org.rawsockets.protocols.config.SecretFiles secrets = new org.rawsockets.protocols.config.SecretFiles(null);
        org.rawsockets.protocols.config.ConfigRegistry registry = new org.rawsockets.protocols.config.ConfigRegistry(
                BrokerConfig.PID, "MQTT broker");
        for (String[] bad : new String[][] { { "proxy.lan", "not host:port" }, { "proxy.lan:0", "not host:port" },
            { "http://proxy.lan:3128", "not host:port" }, { "u:p@proxy.lan:3128", "not host:port" } }) {
            java.util.Map<String, Object> props = brokerConfig("badproxy", 1883);
            props.put("httpProxy", bad[0]);
            Exception e = assertThrows(org.rawsockets.protocols.config.ConfigRejectedException.class,
                    () -> new MqttBrokerComponent(sockets, props, secrets, registry, x -> { }));
            assertTrue(e.getMessage().contains("httpProxy") && e.getMessage().contains(bad[1]), bad[0] + ": " + e.getMessage());
        }
        java.util.Map<String, Object> props = brokerConfig("endpointproxy", 1883);
        props.remove("host");
        props.put("endpoint", "broker1");
        props.put("httpProxy", "proxy.lan:3128");
        Exception e = assertThrows(org.rawsockets.protocols.config.ConfigRejectedException.class,
                () -> new MqttBrokerComponent(sockets, props, secrets, registry, x -> { }));
        assertTrue(e.getMessage().contains("set with an endpoint"), e.getMessage());
    }
}
