package org.rawsockets.mqtt.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.rawsockets.mqtt.MqttAuthException;
import org.rawsockets.mqtt.MqttAuthMethod;
import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttException;
import org.rawsockets.mqtt.MqttProtocolException;
import org.rawsockets.mqtt.ReasonCodes;
import org.rawsockets.mqtt.internal.codec.Packet.Auth;
import org.rawsockets.mqtt.internal.codec.Packet.Connack;
import org.rawsockets.mqtt.internal.codec.Properties;
import org.rawsockets.socket.TimedOutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 5 enhanced authentication (section 4.12), one exchange of an {@link MqttAuthMethod} (SCRAM
 * built in, or a bundle's): CONNECT carries the method and its initial data; each broker AUTH
 * (Continue authentication) is answered by an AUTH with the method's answer; the CONNACK that
 * accepts is given to the method, which may refuse a broker that has not proved itself. The client
 * checks what the protocol fixes: the method name in every packet, the reason codes, the order; the
 * method checks its data and its rounds. Guarded by the client's lock, like the connection.
 *
 * <p>Re-authentication (section 4.12.1) runs a new exchange on an established connection, asked for
 * by the caller ({@link org.rawsockets.mqtt.MqttClient#reauthenticate()}): AUTH (Re-authenticate)
 * with new initial data, read with the password as it is now (a rotated secret file takes effect),
 * the broker's AUTH (Continue authentication) steps, and its AUTH (Success), given to the method like
 * a CONNACK. Publications and subscriptions go on meanwhile. A broker that refuses disconnects with
 * its reason code; one that does not answer within the connect timeout, or answers wrong, loses the
 * connection (the client then reconnects and authenticates in full).
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
     * Starts the exchange of a CONNECT (under the lock).
     *
     * @param password read for this exchange; the caller clears it when this returns
     * @throws MqttAuthException when the method is not available or cannot start
     */
    static EnhancedAuth start(MqttSettings s, byte[] password, String where) throws MqttAuthException {
        AuthMethods.Lease lease;
        try {
            lease = s.authMethods.find(s.authMethod);
        } catch (MqttAuthException e) {
            throw new MqttAuthException(where + ": " + e.getMessage(), e);
        }
        try {
            MqttAuthMethod.Exchange exchange = lease.method().start(new MqttAuthMethod.Credentials(s.name, s.username,
                    password));
            EnhancedAuth a = new EnhancedAuth(lease, exchange, where);
            a.initial = exchange.initial();
            return a;
        } catch (MqttAuthException | RuntimeException e) {
            lease.release();
            throw new MqttAuthException(where + ": " + s.authMethod + " authentication could not start: "
                    + MqttClientImpl.describe(e), e);
        }
    }

    /**
     * The client's handling of a CONNACK (under its lock): with enhanced authentication, one that
     * accepts is given to the method. A failure ends the connection.
     *
     * @return whether the CONNACK stands (false: the connection was ended)
     */
    static boolean connack(MqttClientImpl client, Connection c, Connack ack) {
        EnhancedAuth a = c.auth;
        if (ack.reasonCode() != 0 || a == null) {
            return true;
        }
        return step(client, c, () -> {
            a.accepted(ack);
            a.lease.release();
        });
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
            a.lease.release();
            a.deadline.cancel(false);
            CompletableFuture<Void> done = a.done;
            a.done = null;
            LOG.info("{}: re-authenticated with {}", a.where, a.method());
            client.reauthSchedule.authenticated(c);
            client.defer(() -> done.complete(null));
        });
    }

    /**
     * Starts a re-authentication on the established connection (under the client's lock), or joins
     * the one in progress.
     */
    static CompletionStage<Void> reauthenticate(MqttClientImpl client, Connection c) {
        MqttSettings s = client.settings;
        if (s.authMethod == null) {
            return CompletableFuture.failedFuture(new MqttConnectionException(client.where() + ": cannot"
                    + " re-authenticate: no enhanced authentication is configured (saslMechanism NONE; it needs"
                    + " MQTT 5)"));
        }
        if (client.closed || c == null || !c.established) {
            return CompletableFuture.failedFuture(new MqttConnectionException(client.where() + ": cannot"
                    + " re-authenticate: " + (client.closed ? "the client is closed" : "not connected (the next connect"
                            + " authenticates with " + s.authMethod + ")")));
        }
        if (c.auth != null && c.auth.inProgress()) {
            return c.auth.done.copy();
        }
        EnhancedAuth a;
        byte[] password = null;
        try {
            password = s.password == null ? null : s.password.get();
            a = start(s, password, client.where());
        } catch (MqttException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            if (password != null) {
                java.util.Arrays.fill(password, (byte) 0);
            }
        }
        if (c.auth != null) {
            c.auth.lease.release();
        }
        a.done = new CompletableFuture<>();
        c.auth = a;
        Properties props = new Properties().put(Properties.AUTH_METHOD, a.method());
        if (a.initial != null) {
            props.put(Properties.AUTH_DATA, a.initial);
        }
        c.send(new Auth(RE_AUTHENTICATE, props));
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
     * The connection ended (under the client's lock): the method's service is given back, and a
     * re-authentication in progress fails with the reason (the broker's DISCONNECT with its reason
     * code when it refused).
     */
    static void ended(MqttClientImpl client, Connection c, Throwable e) {
        EnhancedAuth a = c == null ? null : c.auth;
        if (a == null) {
            return;
        }
        a.lease.release();
        if (a.inProgress()) {
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

    private final AuthMethods.Lease lease;
    private final MqttAuthMethod.Exchange exchange;
    private final String method;
    private final String where;
    /** The initial data of CONNECT or AUTH (Re-authenticate), {@code null} for none. */
    byte[] initial;
    /** A re-authentication's stage until it ends; {@code null} for the exchange of CONNECT. */
    private CompletableFuture<Void> done;
    private ScheduledFuture<?> deadline;

    EnhancedAuth(AuthMethods.Lease lease, MqttAuthMethod.Exchange exchange, String where) {
        this.lease = lease;
        this.exchange = exchange;
        this.method = lease.method().name();
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

    /** The method's exchange. */
    MqttAuthMethod.Exchange exchange() {
        return exchange;
    }

    /** The Authentication Method of CONNECT and of every AUTH. */
    String method() {
        return method;
    }

    /**
     * The answer to the broker's AUTH: an AUTH (Continue authentication) with the method's answer;
     * during a re-authentication the broker's AUTH (Success) ends the exchange, given to the method
     * like the CONNACK.
     *
     * @return the AUTH to send, {@code null} when a re-authentication succeeded
     * @throws MqttProtocolException when the AUTH breaks the protocol (order, reason code, method)
     * @throws MqttConnectionException when the method refuses the broker's data
     */
    Auth next(Auth fromBroker) throws MqttProtocolException, MqttConnectionException {
        if (inProgress() && fromBroker.reasonCode() == SUCCESS) {
            finished(fromBroker.properties(), "AUTH (Success)");
            return null;
        }
        if (fromBroker.reasonCode() != CONTINUE_AUTHENTICATION) {
            throw protocol("AUTH with reason " + ReasonCodes.name(fromBroker.reasonCode())
                    + String.format(" (0x%02X)", fromBroker.reasonCode()) + " during " + method
                    + (inProgress() ? " re-authentication (only Continue authentication, 0x18, and Success, 0x00,"
                            + " are allowed there)" : " before CONNACK (only Continue authentication, 0x18, is"
                                    + " allowed there)"));
        }
        checkMethod(fromBroker.properties(), "AUTH");
        byte[] answer;
        try {
            answer = exchange.next(fromBroker.properties().binary(Properties.AUTH_DATA));
        } catch (MqttProtocolException e) {
            throw protocol(e.getMessage());
        } catch (MqttAuthException | RuntimeException e) {
            throw failed("AUTH (Continue authentication)", e, "");
        }
        Properties p = new Properties().put(Properties.AUTH_METHOD, method);
        if (answer != null) {
            p.put(Properties.AUTH_DATA, answer);
        }
        return new Auth(CONTINUE_AUTHENTICATION, p);
    }

    /** Gives the CONNACK that accepted the connection to the method. */
    void accepted(Connack ack) throws MqttProtocolException, MqttConnectionException {
        finished(ack.properties(), "CONNACK");
    }

    /** Gives the packet that ends the exchange to the method: CONNACK, or AUTH (Success). */
    private void finished(Properties p, String packet) throws MqttProtocolException, MqttConnectionException {
        checkMethod(p, packet);
        try {
            exchange.accepted(p.binary(Properties.AUTH_DATA));
        } catch (MqttAuthException | RuntimeException e) {
            throw failed(packet, e, "; the connection was closed");
        }
    }

    private void checkMethod(Properties p, String packet) throws MqttProtocolException {
        String m = p.string(Properties.AUTH_METHOD);
        if (!method.equals(m)) {
            throw protocol(packet + " with Authentication Method " + (m == null ? "absent" : "'" + m + "'")
                    + " during " + method + " (must be the method of " + (inProgress() ? "the re-authentication"
                            : "CONNECT") + ")");
        }
    }

    private MqttProtocolException protocol(String what) {
        return new MqttProtocolException(MqttProtocolException.PROTOCOL_ERROR, where + ": protocol error: " + what);
    }

    private MqttAuthException failed(String packet, Exception e, String suffix) {
        String why = e instanceof MqttAuthException ? e.getMessage() : "the method failed: " + MqttClientImpl.describe(e);
        return new MqttAuthException(where + ": " + method + " authentication failed at " + packet
                + (inProgress() ? " of a re-authentication" : "") + ": " + why + suffix, e);
    }
}
