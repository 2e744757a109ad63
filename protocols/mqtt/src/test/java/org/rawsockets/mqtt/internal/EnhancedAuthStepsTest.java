package org.rawsockets.mqtt.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rawsockets.mqtt.MqttAuthException;
import org.rawsockets.mqtt.MqttAuthMethod;
import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttProtocolException;
import org.rawsockets.mqtt.internal.codec.Packet.Auth;
import org.rawsockets.mqtt.internal.codec.Packet.Connack;
import org.rawsockets.mqtt.internal.codec.Properties;
import org.rawsockets.protocols.sasl.ScramClient.Mechanism;
import org.rawsockets.protocols.sasl.ScramServer;

/**
 * The checks of each enhanced-authentication step, with packets a broker could send out of order or
 * wrong (HiveMQ in {@link EnhancedAuthTest} sends only well-formed exchanges): each is a protocol
 * error or an authentication failure whose message names the step.
 */
class EnhancedAuthStepsTest {

    static final String WHERE = "MQTT broker 'b' (mqtt 127.0.0.1:1883)";

    static Auth auth(int reason, String method, String data) {
        Properties p = new Properties();
        if (method != null) {
            p.put(Properties.AUTH_METHOD, method);
        }
        if (data != null) {
            p.put(Properties.AUTH_DATA, data.getBytes(UTF_8));
        }
        return new Auth(reason, p);
    }

    /** A SCRAM-SHA-256 exchange of user alice, password pw, as a connect starts it. */
    static EnhancedAuth scram() throws Exception {
        AuthMethods.Lease lease = AuthMethods.of().find(Mechanism.SCRAM_SHA_256.saslName());
        EnhancedAuth a = new EnhancedAuth(lease, lease.method().start(new MqttAuthMethod.Credentials("b", "alice",
                "pw".getBytes(UTF_8))), WHERE);
        a.initial = a.exchange().initial();
        return a;
    }

    /** As {@link #started}, as a re-authentication. */
    static EnhancedAuth reauthenticating(ScramServer server, String[] serverFirst) throws Exception {
        EnhancedAuth a = started(server, serverFirst);
        a.reauthentication(new java.util.concurrent.CompletableFuture<>());
        return a;
    }

    static EnhancedAuth started(ScramServer server, String[] serverFirst) throws Exception {
        EnhancedAuth a = scram();
        serverFirst[0] = server.first(new String(a.initial, UTF_8));
        return a;
    }

    @Test
    void aCompleteExchange() throws Exception {
        ScramServer server = new ScramServer(256, "alice", "pw", false);
        String[] first = new String[1];
        EnhancedAuth a = started(server, first);
        Auth proof = a.next(auth(0x18, "SCRAM-SHA-256", first[0]));
        assertEquals(0x18, proof.reasonCode());
        assertEquals("SCRAM-SHA-256", proof.properties().string(Properties.AUTH_METHOD));
        String last = server.last(new String(proof.properties().binary(Properties.AUTH_DATA), UTF_8));
        a.accepted(new Connack(false, 0, new Properties().put(Properties.AUTH_METHOD, "SCRAM-SHA-256")
                .put(Properties.AUTH_DATA, last.getBytes(UTF_8))));
    }

    @Test
    void outOfOrderOrWrongAuthPacketsAreProtocolErrors() throws Exception {
        ScramServer server = new ScramServer(256, "alice", "pw", false);
        String[] first = new String[1];
        for (Object[] bad : new Object[][] {
                {auth(0x19, "SCRAM-SHA-256", "x"), "Re-authenticate (0x19)"},
                {auth(0x00, "SCRAM-SHA-256", "x"), "(0x00)"},
                {auth(0x18, "SCRAM-SHA-512", "x"), "Authentication Method 'SCRAM-SHA-512'"},
                {auth(0x18, null, "x"), "Authentication Method absent"},
                {auth(0x18, "SCRAM-SHA-256", null), "without Authentication Data"}}) {
            EnhancedAuth a = started(server, first);
            MqttProtocolException e = assertThrows(MqttProtocolException.class, () -> a.next((Auth) bad[0]));
            assertEquals(MqttProtocolException.PROTOCOL_ERROR, e.reasonCode());
            assertTrue(e.getMessage().startsWith(WHERE + ": protocol error: ") && e.getMessage().contains(
                    (String) bad[1]), e.getMessage());
        }
        EnhancedAuth twice = started(server, first);
        twice.next(auth(0x18, "SCRAM-SHA-256", first[0]));
        assertTrue(assertThrows(MqttProtocolException.class, () -> twice.next(auth(0x18, "SCRAM-SHA-256", first[0])))
                .getMessage().contains("a second AUTH"));
    }

    @Test
    void aBadServerFirstMessageFailsTheAuthentication() throws Exception {
        EnhancedAuth a = scram();
        MqttConnectionException e = assertThrows(MqttConnectionException.class, () -> a.next(auth(0x18,
                "SCRAM-SHA-256", "r=notmine,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")));
        assertTrue(e instanceof MqttAuthException && e.getMessage().equals(WHERE + ": SCRAM-SHA-256 authentication"
                + " failed at AUTH (Continue authentication): the server's nonce does not extend this client's nonce"),
                e.getMessage());
    }

    @Test
    void aConnackBeforeTheProofIsRefused() throws Exception {
        EnhancedAuth a = scram();
        MqttConnectionException e = assertThrows(MqttConnectionException.class, () -> a.accepted(new Connack(false,
                0, new Properties().put(Properties.AUTH_METHOD, "SCRAM-SHA-256"))));
        assertTrue(e.getMessage().contains("failed at CONNACK: the broker accepted without completing the exchange"
                + " (no server-first message before accepting)"), e.getMessage());
    }

    @Test
    void aReauthenticationEndsWithAuthSuccessCarryingTheServerFinalMessage() throws Exception {
        ScramServer server = new ScramServer(256, "alice", "pw", false);
        String[] first = new String[1];
        EnhancedAuth a = reauthenticating(server, first);
        Auth proof = a.next(auth(0x18, "SCRAM-SHA-256", first[0]));
        String last = server.last(new String(proof.properties().binary(Properties.AUTH_DATA), UTF_8));
        assertEquals(null, a.next(auth(0x00, "SCRAM-SHA-256", last)), "Success ends it: nothing to send");
    }

    @Test
    void aReauthenticationChecksEveryStepToo() throws Exception {
        ScramServer server = new ScramServer(256, "alice", "pw", false);
        String[] first = new String[1];
        EnhancedAuth early = reauthenticating(server, first);
        MqttConnectionException e = assertThrows(MqttConnectionException.class, () -> early.next(auth(0x00,
                "SCRAM-SHA-256", "v=x")));
        assertTrue(e.getMessage().contains("failed at AUTH (Success) of a re-authentication: the broker accepted"
                + " without completing the exchange (no server-first message before accepting)"), e.getMessage());

        EnhancedAuth fromBroker = reauthenticating(server, first);
        MqttProtocolException p = assertThrows(MqttProtocolException.class, () -> fromBroker.next(auth(0x19,
                "SCRAM-SHA-256", "x")));
        assertTrue(p.getMessage().contains("Re-authenticate (0x19) during SCRAM-SHA-256 re-authentication (only"
                + " Continue authentication, 0x18, and Success, 0x00, are allowed there)"), p.getMessage());

        EnhancedAuth noFinal = reauthenticating(new ScramServer(256, "alice", "pw", false), first);
        noFinal.next(auth(0x18, "SCRAM-SHA-256", first[0]));
        e = assertThrows(MqttConnectionException.class, () -> noFinal.next(auth(0x00, "SCRAM-SHA-256", null)));
        assertTrue(e.getMessage().contains("no server-final message when accepting"), e.getMessage());
        e = assertThrows(MqttConnectionException.class, () -> noFinal.next(auth(0x00, "SCRAM-SHA-256",
                "v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")));
        assertTrue(e.getMessage().contains("signature does not match"), e.getMessage());
    }
}
