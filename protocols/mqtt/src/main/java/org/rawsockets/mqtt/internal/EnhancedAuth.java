package org.rawsockets.mqtt.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttProtocolException;
import org.rawsockets.mqtt.ReasonCodes;
import org.rawsockets.mqtt.internal.codec.Packet.Auth;
import org.rawsockets.mqtt.internal.codec.Packet.Connack;
import org.rawsockets.mqtt.internal.codec.Properties;
import org.rawsockets.protocols.sasl.ScramClient;

/**
 * MQTT 5 enhanced authentication (section 4.12) with SCRAM, one exchange per connection: CONNECT
 * carries the method and the client-first message; the broker's AUTH (Continue authentication)
 * carries the server-first message, answered by an AUTH with the client-final message (the proof);
 * the CONNACK that accepts carries the server-final message, which must prove that the broker knows
 * the password too. A CONNACK that accepts without it is refused: a broker (or a man in the middle)
 * that skipped the exchange has not proved anything. Every step is checked: the method, the reason
 * code, one round only. Guarded by the client's lock, like the connection.
 */
final class EnhancedAuth {

    static final int CONTINUE_AUTHENTICATION = 0x18;

    /** A step of the exchange that may fail. */
    private interface Step {
        void run() throws MqttProtocolException, MqttConnectionException;
    }

    /**
     * The client's handling of a CONNACK (under its lock): with enhanced authentication, one that
     * accepts must finish the exchange. A failure ends the connection.
     *
     * @return whether the CONNACK stands (false: the connection was ended)
     */
    static boolean connack(MqttClientImpl client, Connection c, Connack ack) {
        return ack.reasonCode() != 0 || c.auth == null || step(client, c, () -> c.auth.accepted(ack));
    }

    /**
     * The client's handling of an AUTH (under its lock): a step of the exchange of this connection,
     * else a protocol error.
     *
     * @return whether to read on
     */
    static boolean auth(MqttClientImpl client, Connection c, Auth p) {
        if (c.auth == null || c.established) {
            return client.protocolError(c, "AUTH " + (c.auth == null ? "is not sent to a client that did not start"
                    + " enhanced authentication" : "after CONNACK (this client does not re-authenticate)"));
        }
        return step(client, c, () -> c.send(c.auth.next(p)));
    }

    /** Runs a step; a failure ends the connection (DISCONNECT 0x82 or 0x80, then close). */
    private static boolean step(MqttClientImpl client, Connection c, Step step) {
        try {
            step.run();
            return true;
        } catch (MqttProtocolException e) {
            c.sendDisconnect(e.reasonCode());
            client.lostLocked(c, e);
        } catch (MqttConnectionException e) {
            c.sendDisconnect(0x80); // Unspecified error: a client has no reason code for "you did not prove it"
            client.lostLocked(c, e);
        }
        return false;
    }

    private final ScramClient scram;
    private final String where;
    private boolean proofSent;

    /** {@code password} is read here and not kept (the caller clears its array). */
    EnhancedAuth(ScramClient.Mechanism mechanism, String user, byte[] password, String where) {
        this.scram = new ScramClient(mechanism, user, new String(password, UTF_8));
        this.where = where;
    }

    /** The Authentication Method of CONNECT and of every AUTH: the SASL name. */
    String method() {
        return scram.mechanism().saslName();
    }

    /** The Authentication Data of CONNECT: the client-first message. */
    byte[] first() {
        return scram.clientFirst();
    }

    /**
     * The answer to the broker's AUTH: an AUTH (Continue authentication) with the proof.
     *
     * @throws MqttProtocolException when the AUTH is not the one step SCRAM expects
     * @throws MqttConnectionException when the broker's server-first message is refused
     */
    Auth next(Auth fromBroker) throws MqttProtocolException, MqttConnectionException {
        if (fromBroker.reasonCode() != CONTINUE_AUTHENTICATION) {
            throw protocol("AUTH with reason " + ReasonCodes.name(fromBroker.reasonCode())
                    + String.format(" (0x%02X)", fromBroker.reasonCode()) + " during " + method()
                    + " before CONNACK (only Continue authentication, 0x18, is allowed there)");
        }
        checkMethod(fromBroker.properties(), "AUTH");
        if (proofSent) {
            throw protocol("a second AUTH during " + method() + ": SCRAM has one round (server-first), the next"
                    + " step is CONNACK");
        }
        byte[] serverFirst = fromBroker.properties().binary(Properties.AUTH_DATA);
        if (serverFirst == null) {
            throw protocol("AUTH without Authentication Data during " + method() + " (the server-first message)");
        }
        byte[] proof;
        try {
            proof = scram.clientFinal(serverFirst);
        } catch (ScramClient.ScramException e) {
            throw failed(e.getMessage());
        }
        proofSent = true;
        return new Auth(CONTINUE_AUTHENTICATION, new Properties().put(Properties.AUTH_METHOD, method())
                .put(Properties.AUTH_DATA, proof));
    }

    /**
     * Checks the CONNACK that accepted the connection: it must carry the server-final message and
     * that message must prove the broker knows the password.
     */
    void accepted(Connack ack) throws MqttProtocolException, MqttConnectionException {
        checkMethod(ack.properties(), "CONNACK");
        byte[] serverFinal = ack.properties().binary(Properties.AUTH_DATA);
        if (!proofSent || serverFinal == null) {
            throw failed("the broker accepted the connection without completing the exchange (" + (proofSent
                    ? "no server-final message in CONNACK" : "no server-first message before CONNACK")
                    + "), so it has not proved it knows the password; the connection was closed");
        }
        try {
            scram.verifyServerFinal(serverFinal);
        } catch (ScramClient.ScramException e) {
            throw failed(e.getMessage() + "; the connection was closed");
        }
    }

    private void checkMethod(Properties p, String packet) throws MqttProtocolException {
        String m = p.string(Properties.AUTH_METHOD);
        if (!method().equals(m)) {
            throw protocol(packet + " with Authentication Method " + (m == null ? "absent" : "'" + m + "'")
                    + " during " + method() + " (must be the method of CONNECT)");
        }
    }

    private MqttProtocolException protocol(String what) {
        return new MqttProtocolException(MqttProtocolException.PROTOCOL_ERROR, where + ": protocol error: " + what);
    }

    private MqttConnectionException failed(String why) {
        return new MqttConnectionException(where + ": " + method() + " authentication failed: " + why);
    }
}
