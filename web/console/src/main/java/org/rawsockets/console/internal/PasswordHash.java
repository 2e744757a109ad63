package org.rawsockets.console.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted password hashes: {@code pbkdf2-sha256:<iterations>:<salt base64>:<hash base64>} (PBKDF2 with
 * HMAC-SHA-256, 16-byte random salt, 32-byte hash). Comparison in constant time.
 */
public final class PasswordHash {

    public static final String PREFIX = "pbkdf2-sha256";
    public static final int ITERATIONS = 100_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** A new hash of {@code password} with a fresh salt, as stored in the configuration. */
    public static String create(char[] password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] hash = derive(password, salt, ITERATIONS);
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + ":" + ITERATIONS + ":" + b64.encodeToString(salt) + ":" + b64.encodeToString(hash);
    }

    /**
     * Parses a stored hash.
     *
     * @throws IllegalArgumentException naming the part that is wrong (never echoing the value)
     */
    public static PasswordHash parse(String stored) {
        String[] p = stored == null ? new String[0] : stored.trim().split(":");
        if (p.length != 4 || !p[0].equals(PREFIX)) {
            throw new IllegalArgumentException("not a password hash: expected " + PREFIX
                    + ":<iterations>:<salt base64>:<hash base64> (console:passwordhash prints one)");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(p[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("password hash: iterations is not a number");
        }
        if (iterations < 10_000 || iterations > 10_000_000) {
            throw new IllegalArgumentException("password hash: iterations must be 10000..10000000");
        }
        try {
            byte[] salt = Base64.getDecoder().decode(p[2]);
            byte[] hash = Base64.getDecoder().decode(p[3]);
            if (salt.length < 8 || hash.length < 16) {
                throw new IllegalArgumentException("password hash: salt or hash too short");
            }
            return new PasswordHash(iterations, salt, hash);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("password hash: salt or hash is not base64 of the right length");
        }
    }

    /** Whether {@code password} matches, compared in constant time. */
    public boolean matches(char[] password) {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations));
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }

    @Override
    public String toString() {
        return PREFIX + " (" + iterations + " iterations)"; // never the salt or hash
    }
}
