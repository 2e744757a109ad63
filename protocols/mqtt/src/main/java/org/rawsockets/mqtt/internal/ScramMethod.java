package org.rawsockets.mqtt.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import org.rawsockets.mqtt.MqttAuthException;
import org.rawsockets.mqtt.MqttAuthMethod;
import org.rawsockets.mqtt.MqttProtocolException;
import org.rawsockets.protocols.sasl.ScramClient;

/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802/7677 without channel binding) as a built-in
 * {@link MqttAuthMethod}: the initial data is the client-first message, the broker's one AUTH
 * (Continue authentication) carries server-first and is answered with the proof, and the packet that
 * accepts must carry server-final, whose signature proves the broker knows the password. One round
 * only; accepting without finishing is refused.
 */
final class ScramMethod implements MqttAuthMethod {

    private final ScramClient.Mechanism mechanism;

    ScramMethod(ScramClient.Mechanism mechanism) {
        this.mechanism = mechanism;
    }

    @Override
    public String name() {
        return mechanism.saslName();
    }

    @Override
    public Exchange start(Credentials credentials) throws MqttAuthException {
        if (credentials.user() == null || credentials.password() == null) {
            throw new MqttAuthException(name() + " needs a user and a password; set user and .password = secret:NAME");
        }
        return new ScramExchange(new ScramClient(mechanism, credentials.user(), new String(credentials.password(),
                UTF_8)));
    }

    /** One SCRAM exchange; the password is dropped by the SCRAM client once the proof is made. */
    private static final class ScramExchange implements Exchange {
        private final ScramClient scram;
        private boolean proofSent;

        ScramExchange(ScramClient scram) {
            this.scram = scram;
        }

        @Override
        public byte[] initial() {
            return scram.clientFirst();
        }

        @Override
        public byte[] next(byte[] serverFirst) throws MqttAuthException, MqttProtocolException {
            String method = scram.mechanism().saslName();
            if (proofSent) {
                throw new MqttProtocolException(MqttProtocolException.PROTOCOL_ERROR, "a second AUTH during " + method
                        + ": SCRAM has one round (server-first), then the broker accepts");
            }
            if (serverFirst == null) {
                throw new MqttProtocolException(MqttProtocolException.PROTOCOL_ERROR, "AUTH without Authentication"
                        + " Data during " + method + " (the server-first message)");
            }
            try {
                byte[] proof = scram.clientFinal(serverFirst);
                proofSent = true;
                return proof;
            } catch (ScramClient.ScramException e) {
                throw new MqttAuthException(e.getMessage());
            }
        }

        @Override
        public void accepted(byte[] serverFinal) throws MqttAuthException {
            if (!proofSent || serverFinal == null) {
                throw new MqttAuthException("the broker accepted without completing the exchange (" + (proofSent
                        ? "no server-final message when accepting" : "no server-first message before accepting")
                        + "), so it has not proved it knows the password");
            }
            try {
                scram.verifyServerFinal(serverFinal);
            } catch (ScramClient.ScramException e) {
                throw new MqttAuthException(e.getMessage());
            }
        }
    }
}
