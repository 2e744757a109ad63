package org.rawsockets.mqtt.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.rawsockets.protocols.sasl.ScramServer;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.EnhancedAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.EnhancedAuthConnectInput;
import com.hivemq.extension.sdk.api.auth.parameter.EnhancedAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.EnhancedAuthOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;

/**
 * HiveMQ Community Edition embedded in the test's JVM on a free loopback port, with an extension
 * doing the broker's side of MQTT 5 enhanced authentication with SCRAM-SHA-256 and SCRAM-SHA-512
 * ({@link ScramServer}, written from RFC 5802, for one user) and with the tests' two-round
 * {@link HmacMethod}, at connect and at re-authentication. HiveMQ runs the AUTH packet flow
 * (CONNECT → AUTH continue → AUTH continue → CONNACK); {@link #behaviour} makes the extension refuse
 * the method, lie about its signature or accept without the server-final message. What each CONNECT
 * carried is kept in {@link #connects}.
 */
final class HiveMqAuth implements AutoCloseable {

    enum Behaviour {
        /** SCRAM as RFC 5802 says. */
        HONEST,
        /** A wrong server signature in CONNACK: a broker that does not know the password. */
        LIE_ABOUT_SIGNATURE,
        /** CONNACK success without the server-final message. */
        SKIP_SERVER_FINAL,
        /** CONNACK Bad authentication method (0x8C), as a broker without SCRAM answers. */
        REFUSE_METHOD,
        /** Re-authentication left without an answer (the extension's output is never resumed). */
        SILENT_REAUTH
    }

    /** What a CONNECT carried: the method, and whether a user name or a password crossed the connection. */
    record Connect(String clientId, String method, boolean hasUserName, boolean hasPassword) {
    }

    final int port;
    final String user;
    /** The password the broker checks, changeable as an operator rotates it. */
    volatile String password;
    volatile Behaviour behaviour = Behaviour.HONEST;
    final List<Connect> connects = new CopyOnWriteArrayList<>();
    /** The client ids of re-authentications (AUTH Re-authenticate), in order. */
    final List<String> reauths = new CopyOnWriteArrayList<>();
    /** The broker's answers to client-final messages ("v=..." or "e=..."), in order. */
    final List<String> serverFinals = new CopyOnWriteArrayList<>();
    private final Map<String, ScramServer> exchanges = new ConcurrentHashMap<>();
    private final Map<String, HmacExchange> hmac = new ConcurrentHashMap<>();
    /** The rounds answered correctly in RS-HMAC exchanges ({@link HmacMethod}), in order. */
    final List<Integer> hmacRounds = new CopyOnWriteArrayList<>();

    /** The broker's side of {@link HmacMethod}: two nonces, then the proof of the password. */
    private final class HmacExchange {
        final byte[] nonce = random(16);
        int round;

        /** @return whether the exchange is over */
        boolean step(byte[] data, EnhancedAuthOutput output) {
            byte[] key = password.getBytes(UTF_8);
            round++;
            byte[] expected = HmacMethod.mac(key, nonce, String.valueOf(round).getBytes(UTF_8));
            if (data.length < 32 || !java.security.MessageDigest.isEqual(expected, java.util.Arrays.copyOf(data, 32))) {
                output.failAuthentication(DisconnectedReasonCode.NOT_AUTHORIZED, "wrong RS-HMAC answer in round "
                        + round);
                return true;
            }
            hmacRounds.add(round);
            if (round == 1) {
                System.arraycopy(random(16), 0, nonce, 0, 16);
                output.continueAuthentication(nonce.clone());
                return false;
            }
            byte[] clientNonce = java.util.Arrays.copyOfRange(data, 32, data.length);
            byte[] proof = HmacMethod.mac(key, clientNonce, "server".getBytes(UTF_8));
            if (behaviour == Behaviour.LIE_ABOUT_SIGNATURE) {
                proof[0] ^= 1;
            }
            output.authenticateSuccessfully(proof);
            return true;
        }
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }
    private final EmbeddedHiveMQ hivemq;
    /** Its configuration, data and extensions folders (deleted on close). */
    private final Path dir;

    HiveMqAuth(String user, String password) throws Exception {
        this.user = user;
        this.password = password;
        this.port = Mosquitto.freePort();
        this.dir = Files.createTempDirectory("hivemq-test");
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("config.xml"), """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tcp-listener>
                      <port>%d</port>
                      <bind-address>127.0.0.1</bind-address>
                    </tcp-listener>
                  </listeners>
                  <persistence><mode>in-memory</mode></persistence>
                  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                </hivemq>
                """.formatted(port), UTF_8);
        EmbeddedExtension extension = EmbeddedExtension.builder().withId("rawsockets-scram").withName("SCRAM test")
                .withVersion("1").withAuthor("rawsockets").withPriority(0).withStartPriority(1000)
                .withExtensionMain(new ExtensionMain() {
                    @Override
                    public void extensionStart(ExtensionStartInput in, ExtensionStartOutput out) {
                        Services.securityRegistry().setEnhancedAuthenticatorProvider(input -> new Authenticator());
                    }

                    @Override
                    public void extensionStop(ExtensionStopInput in, ExtensionStopOutput out) {
                    }
                }).build();
        hivemq = EmbeddedHiveMQ.builder().withConfigurationFolder(conf)
                .withDataFolder(Files.createDirectories(dir.resolve("data")))
                .withExtensionsFolder(Files.createDirectories(dir.resolve("extensions")))
                .withEmbeddedExtension(extension).build();
        hivemq.start().get(60, TimeUnit.SECONDS);
    }

    private final class Authenticator implements EnhancedAuthenticator {
        @Override
        public void onConnect(EnhancedAuthConnectInput input, EnhancedAuthOutput output) {
            ConnectPacket p = input.getConnectPacket();
            String method = p.getAuthenticationMethod().orElse(null);
            String clientId = input.getClientInformation().getClientId();
            connects.add(new Connect(clientId, method, p.getUserName().isPresent(), p.getPassword().isPresent()));
            start(clientId, method, p.getAuthenticationData().map(b -> UTF_8.decode(b).toString()).orElse(""), output);
        }

        @Override
        public void onReAuth(EnhancedAuthInput input, EnhancedAuthOutput output) {
            String clientId = input.getClientInformation().getClientId();
            reauths.add(clientId);
            if (behaviour == Behaviour.SILENT_REAUTH) {
                output.async(java.time.Duration.ofSeconds(60), com.hivemq.extension.sdk.api.async.TimeoutFallback.FAILURE);
                return;
            }
            start(clientId, input.getAuthPacket().getAuthenticationMethod(), new String(input.getAuthPacket()
                    .getAuthenticationDataAsArray().orElse(new byte[0]), UTF_8), output);
        }

        /** Answers a client-first message, of CONNECT or of AUTH (Re-authenticate). */
        private void start(String clientId, String method, String clientFirst, EnhancedAuthOutput output) {
            hmac.remove(clientId);
            if (HmacMethod.NAME.equals(method) && behaviour != Behaviour.REFUSE_METHOD) {
                if (!user.equals(clientFirst)) {
                    output.failAuthentication(DisconnectedReasonCode.NOT_AUTHORIZED, "unknown user");
                    return;
                }
                HmacExchange x = new HmacExchange();
                hmac.put(clientId, x);
                output.continueAuthentication(x.nonce.clone());
                return;
            }
            int bits = "SCRAM-SHA-256".equals(method) ? 256 : "SCRAM-SHA-512".equals(method) ? 512 : 0;
            if (bits == 0 || behaviour == Behaviour.REFUSE_METHOD) {
                output.failAuthentication(DisconnectedReasonCode.BAD_AUTHENTICATION_METHOD, "no " + method + " here");
                return;
            }
            try {
                ScramServer server = new ScramServer(bits, user, password, behaviour == Behaviour.LIE_ABOUT_SIGNATURE);
                String first = server.first(clientFirst);
                if (first == null) {
                    output.failAuthentication(DisconnectedReasonCode.NOT_AUTHORIZED, "unknown user");
                    return;
                }
                exchanges.put(clientId, server);
                output.continueAuthentication(first.getBytes(UTF_8));
            } catch (Exception e) {
                output.failAuthentication(DisconnectedReasonCode.UNSPECIFIED_ERROR, e.toString());
            }
        }

        @Override
        public void onAuth(EnhancedAuthInput input, EnhancedAuthOutput output) {
            String clientId = input.getClientInformation().getClientId();
            HmacExchange x = hmac.get(clientId);
            if (x != null) {
                if (x.step(input.getAuthPacket().getAuthenticationDataAsArray().orElse(new byte[0]), output)) {
                    hmac.remove(clientId, x);
                }
                return;
            }
            ScramServer server = exchanges.remove(input.getClientInformation().getClientId());
            if (server == null) {
                output.failAuthentication(DisconnectedReasonCode.PROTOCOL_ERROR, "AUTH without an exchange");
                return;
            }
            try {
                String last = server.last(new String(input.getAuthPacket().getAuthenticationDataAsArray()
                        .orElse(new byte[0]), UTF_8));
                serverFinals.add(last);
                if (last.startsWith("e=")) {
                    output.failAuthentication(DisconnectedReasonCode.NOT_AUTHORIZED, last);
                } else if (behaviour == Behaviour.SKIP_SERVER_FINAL) {
                    output.authenticateSuccessfully();
                } else {
                    output.authenticateSuccessfully(last.getBytes(UTF_8));
                }
            } catch (Exception e) {
                output.failAuthentication(DisconnectedReasonCode.UNSPECIFIED_ERROR, e.toString());
            }
        }
    }

    @Override
    public void close() throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
        try {
            hivemq.stop().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            org.rawsockets.socket.testing.TempDirs.delete(dir);
        }
    }
}
