package org.rawsockets.mqtt.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.rawsockets.mqtt.MqttAuthException;
import org.rawsockets.mqtt.MqttAuthMethod;
import org.rawsockets.mqtt.MqttProtocolException;

/**
 * A two-round challenge-response method written for the tests, as a bundle would bring its own
 * ({@link MqttAuthMethod}); the broker's side is in {@link HiveMqAuth}. CONNECT carries the user
 * name; the broker sends a nonce, the client answers HMAC-SHA256(password, nonce || "1"); a second
 * nonce, answered with HMAC(password, nonce2 || "2") followed by a client nonce; the broker accepts
 * with HMAC(password, client nonce || "server"), which the client checks (mutual).
 */
final class HmacMethod implements MqttAuthMethod {

    static final String NAME = "RS-HMAC";

    /** How many exchanges this method started (the lookup found it). */
    volatile int started;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Exchange start(Credentials credentials) throws MqttAuthException {
        if (credentials.user() == null || credentials.password() == null) {
            throw new MqttAuthException(NAME + " needs a user and a password");
        }
        started++;
        byte[] key = credentials.password().clone();
        return new Exchange() {
            private int round;
            private final byte[] clientNonce = new byte[16];

            @Override
            public byte[] initial() {
                return credentials.user().getBytes(UTF_8);
            }

            @Override
            public byte[] next(byte[] nonce) throws MqttAuthException, MqttProtocolException {
                if (nonce == null || nonce.length != 16) {
                    throw new MqttAuthException("the broker's nonce is not 16 bytes");
                }
                round++;
                if (round == 1) {
                    return mac(key, nonce, "1".getBytes(UTF_8));
                }
                if (round == 2) {
                    new SecureRandom().nextBytes(clientNonce);
                    byte[] m = mac(key, nonce, "2".getBytes(UTF_8));
                    byte[] out = Arrays.copyOf(m, m.length + 16);
                    System.arraycopy(clientNonce, 0, out, m.length, 16);
                    return out;
                }
                throw new MqttProtocolException(MqttProtocolException.PROTOCOL_ERROR, "a third AUTH during " + NAME
                        + " (two rounds)");
            }

            @Override
            public void accepted(byte[] data) throws MqttAuthException {
                if (round != 2 || data == null || !MessageDigest.isEqual(data, mac(key, clientNonce,
                        "server".getBytes(UTF_8)))) {
                    throw new MqttAuthException("the broker did not prove it knows the password ("
                            + (round != 2 ? "round " + round + " of 2" : "wrong or missing proof") + ")");
                }
                Arrays.fill(key, (byte) 0);
            }
        };
    }

    static byte[] mac(byte[] key, byte[]... parts) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] p : parts) {
                m.update(p);
            }
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
