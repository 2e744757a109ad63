package org.rawsockets.mqtt.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttException;
import org.rawsockets.mqtt.MqttProtocolException;
import org.rawsockets.mqtt.ReasonCodes;
import org.rawsockets.mqtt.internal.codec.Packet.Auth;
import org.rawsockets.mqtt.internal.codec.Packet.Connack;
import org.rawsockets.mqtt.internal.codec.Properties;
import org.rawsockets.protocols.sasl.ScramClient;
import org.rawsockets.socket.TimedOutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 5 enhanced authentication (section 4.12) with SCRAM, one exchange per connection: CONNECT
 * carries the method and the client-first message; the broker's AUTH (Continue authentication)
 * carries the server-first message, answered by an AUTH with the client-final message (the proof);
 * the CONNACK that accepts carries the server-final message, which must prove that the broker knows
 * the password too. A CONNACK that accepts without it is refused: a broker (or a man in the middle)
 * that skipped the exchange has not proved anything. Every step is checked: the method, the reason
 * code, one round only. Guarded by the client's lock, like the connection.
 *
 * <p>Re-authentication (section 4.12.1) runs the same exchange on an established connection, asked
 * for by the caller ({@link org.rawsockets.mqtt.MqttClient#reauthenticate()}): AUTH (Re-authenticate)
 * with a new client-first message, read with the password as it is now (a rotated secret file takes
 * effect), the broker's AUTH (Continue authentication), the proof, and the broker's AUTH (Success)
 * carrying the server-final message. Publications and subscriptions go on meanwhile. A broker that
 * refuses disconnects with its reason code; one that does not answer within the connect timeout, or
 * answers wrong, loses the connection (the client then reconnects and authenticates in full).
 */
final class EnhancedAuth {

    private static final Logger LOG = LoggerFactory.getLogger(EnhancedAuth.class);

    static final int SUCCESS = 0x00;
    static final int CONTINUE_AUTHENTICATION = 0x18;
    static final int RE_AUTHENTICATE = 0x19;

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
        EnhancedAuth a = c.auth;
        if (a == null || c.established && !a.inProgress()) {
            return client.protocolError(c, "AUTH " + (a == null ? "is not sent to a client that did not start"
                    + " enhanced authentication" : "after CONNACK while no re-authentication is in progress"));
        }
        return step(client, c, () -> {
            Auth answer = a.next(p);
            if (answer != null) {
                c.send(answer);
                return;
            }
            a.deadline.cancel(false);
            CompletableFuture<Void> done = a.done;
            a.done = null;
            LOG.info("{}: re-authenticated with {}", a.where, a.method());
            client.defer(() -> done.complete(null));
        });
    }

    /**
     * Starts a re-authentication on the established connection (under the client's lock), or joins
     * the one in progress.
     */
    static CompletionStage<Void> reauthenticate(MqttClientImpl client, Connection c) {
        MqttSettings s = client.settings;
        if (s.saslMechanism == null) {
            return CompletableFuture.failedFuture(new MqttConnectionException(client.where() + ": cannot"
                    + " re-authenticate: no enhanced authentication is configured (saslMechanism NONE; it needs"
                    + " MQTT 5, a user and a password)"));
        }
        if (client.closed || c == null || !c.established) {
            return CompletableFuture.failedFuture(new MqttConnectionException(client.where() + ": cannot"
                    + " re-authenticate: " + (client.closed ? "the client is closed" : "not connected (the next connect"
                            + " authenticates with " + s.saslMechanism.saslName() + ")")));
        }
        if (c.auth != null && c.auth.inProgress()) {
            return c.auth.done.copy();
        }
        byte[] password;
        try {
            password = s.password.get();
        } catch (MqttException e) {
            return CompletableFuture.failedFuture(e);
        }
        EnhancedAuth a = new EnhancedAuth(s.saslMechanism, s.username, password, client.where());
        java.util.Arrays.fill(password, (byte) 0);
        a.reauthentication(new CompletableFuture<>());
        c.auth = a;
        c.send(new Auth(RE_AUTHENTICATE, new Properties().put(Properties.AUTH_METHOD, a.method())
                .put(Properties.AUTH_DATA, a.first())));
        long millis = s.connectTimeout.toMillis();
        a.deadline = client.timer.schedule(() -> {
            synchronized (client) {
                if (client.conn != c || c.auth != a || !a.inProgress()) {
                    return;
                }
                client.lostLocked(c, new TimedOutException(a.where + ": no answer to re-authentication with "
                        + a.method() + " within the connect timeout of " + millis + " ms; the connection was closed"
                        + " (the next connect authenticates in full)"));
            }
            client.runDeferred();
        }, millis, TimeUnit.MILLISECONDS);
        return a.done.copy();
    }

    /**
     * The connection ended (under the client's lock): a re-authentication in progress fails with
     * the reason (the broker's DISCONNECT with its reason code when it refused).
     */
    static void ended(MqttClientImpl client, Connection c, Throwable e) {
        EnhancedAuth a = c == null ? null : c.auth;
        if (a != null && a.inProgress()) {
            a.deadline.cancel(false);
            CompletableFuture<Void> done = a.done;
            a.done = null;
            client.defer(() -> done.completeExceptionally(e));
        }
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
    /** A re-authentication's stage until it ends; {@code null} for the exchange of CONNECT. */
    private CompletableFuture<Void> done;
    private ScheduledFuture<?> deadline;

    /** {@code password} is read here and not kept (the caller clears its array). */
    EnhancedAuth(ScramClient.Mechanism mechanism, String user, byte[] password, String where) {
        this.scram = new ScramClient(mechanism, user, new String(password, UTF_8));
        this.where = where;
    }

    /** Makes this exchange a re-authentication whose end completes {@code stage}. */
    void reauthentication(CompletableFuture<Void> stage) {
        done = stage;
    }

    /** Whether this is a re-authentication still waiting for the broker. */
    boolean inProgress() {
        return done != null;
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
     * The answer to the broker's AUTH: an AUTH (Continue authentication) with the proof; during a
     * re-authentication the broker's AUTH (Success) ends the exchange, checked like the CONNACK.
     *
     * @return the AUTH to send, {@code null} when a re-authentication succeeded
     * @throws MqttProtocolException when the AUTH is not the one step SCRAM expects
     * @throws MqttConnectionException when the broker's server-first or server-final message is refused
     */
    Auth next(Auth fromBroker) throws MqttProtocolException, MqttConnectionException {
        if (inProgress() && fromBroker.reasonCode() == SUCCESS) {
            finished(fromBroker.properties(), "AUTH (Success)");
            return null;
        }
        if (fromBroker.reasonCode() != CONTINUE_AUTHENTICATION) {
            throw protocol("AUTH with reason " + ReasonCodes.name(fromBroker.reasonCode())
                    + String.format(" (0x%02X)", fromBroker.reasonCode()) + " during " + method()
                    + (inProgress() ? " re-authentication (only Continue authentication, 0x18, and Success, 0x00,"
                            + " are allowed there)" : " before CONNACK (only Continue authentication, 0x18, is"
                                    + " allowed there)"));
        }
        checkMethod(fromBroker.properties(), "AUTH");
        if (proofSent) {
            throw protocol("a second AUTH during " + method() + ": SCRAM has one round (server-first), the next"
                    + " step is " + (inProgress() ? "AUTH (Success)" : "CONNACK"));
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
        finished(ack.properties(), "CONNACK");
    }

    /** Checks the packet that ends the exchange: CONNACK, or AUTH (Success) of a re-authentication. */
    private void finished(Properties p, String packet) throws MqttProtocolException, MqttConnectionException {
        checkMethod(p, packet);
        byte[] serverFinal = p.binary(Properties.AUTH_DATA);
        if (!proofSent || serverFinal == null) {
            throw failed("the broker " + (inProgress() ? "ended the re-authentication" : "accepted the connection")
                    + " without completing the exchange (" + (proofSent ? "no server-final message in " + packet
                            : "no server-first message before " + packet) + "), so it has not proved it knows the"
                    + " password; the connection was closed");
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
