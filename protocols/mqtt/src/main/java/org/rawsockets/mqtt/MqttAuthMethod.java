package org.rawsockets.mqtt;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An MQTT 5 enhanced authentication method (section 4.12) brought by a bundle: register it as an
 * OSGi service with the service property {@code saslMechanism} = {@link #name()}; a broker configured
 * with that {@code saslMechanism} uses it for each connect and re-authentication. SCRAM-SHA-256 and
 * SCRAM-SHA-512 are built in. The client looks the method up when an exchange starts (the highest
 * ranked service of that name), holds the service for that exchange only, and runs the packets:
 * CONNECT (or AUTH Re-authenticate) with {@link Exchange#initial()}, each AUTH (Continue
 * authentication) from the broker answered with {@link Exchange#next(byte[])}, and the CONNACK (or
 * AUTH Success) that accepts given to {@link Exchange#accepted(byte[])}. The method name and the
 * reason codes are checked by the client; how many rounds and what the data means is the method's.
 *
 * <p>Calls come on the client's I/O threads under its lock: compute, never block (no network, no
 * waiting for a user). A method that needs a token fetched from elsewhere keeps it ready beforehand.
 *
 * @since 1.2
 */
@ConsumerType
public interface MqttAuthMethod {

    /** The service property naming the method (the configuration property of the same name selects it). */
    String SASL_MECHANISM = "saslMechanism";

    /** The Authentication Method sent in CONNECT and AUTH, e.g. {@code OAUTHBEARER}; case matters. */
    String name();

    /**
     * Starts one exchange with a broker.
     *
     * @param credentials the broker's configured user and password (either may be absent)
     * @throws MqttAuthException when the method cannot start, e.g. it needs a password none is configured
     */
    Exchange start(Credentials credentials) throws MqttAuthException;

    /**
     * The configured credentials of the broker an exchange is for.
     *
     * @param broker the broker's configured name
     * @param user the configured user, or {@code null}
     * @param password the configured password read from its secret at this exchange, or {@code null};
     *        the client clears the array when {@link MqttAuthMethod#start} returns (keep a copy if
     *        the exchange needs it later, and clear it when done)
     */
    record Credentials(String broker, String user, byte[] password) {
        @Override
        public String toString() {
            return "Credentials[broker=" + broker + ", user=" + user + ", password=" + (password == null ? "none"
                    : "(hidden)") + "]";
        }
    }

    /** One exchange: one connect or one re-authentication. */
    @ConsumerType
    interface Exchange {

        /** The Authentication Data of CONNECT or AUTH (Re-authenticate), or {@code null} for none. */
        byte[] initial();

        /**
         * Answers the broker's AUTH (Continue authentication).
         *
         * @param data its Authentication Data, or {@code null} when it had none
         * @return the Authentication Data of the client's AUTH (Continue authentication), or {@code null}
         * @throws MqttAuthException when the data is refused (the client closes the connection)
         * @throws MqttProtocolException when the broker broke the method's protocol, e.g. a round too
         *         many (the client disconnects with its reason code)
         */
        byte[] next(byte[] data) throws MqttAuthException, MqttProtocolException;

        /**
         * The broker accepted: CONNACK (success) or, in a re-authentication, AUTH (Success).
         *
         * @param data its Authentication Data, or {@code null} when it had none
         * @throws MqttAuthException when the broker has not proved what the method requires (the
         *         client closes the connection)
         */
        void accepted(byte[] data) throws MqttAuthException;
    }
}
