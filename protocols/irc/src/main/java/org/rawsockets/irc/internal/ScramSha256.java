package org.rawsockets.irc.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash), without channel binding
 * ({@code n,,}): client-first, client-final with the proof, and the check of the server's
 * signature. Names and passwords are normalised with NFKC (SASLprep's normalisation; its
 * prohibited-character checks are left to the server). One exchange per instance.
 */
final class ScramSha256 {

    /** The most PBKDF2 iterations accepted from a server (bounds the CPU a server can make us spend). */
    static final int MAX_ITERATIONS = 1_000_000;
    /** Fewer iterations than RFC 7677's minimum are refused (a downgrade of the password hash). */
    static final int MIN_ITERATIONS = 4096;

    /** A SCRAM step failed: the message says which and why (never a password). */
    static final class ScramException extends Exception {
        private static final long serialVersionUID = 1L;

        ScramException(String message) {
            super(message);
        }
    }

    private final String user;
    private final String password;
    private final String clientNonce;
    private String clientFirstBare;
    private byte[] expectedServerSignature;

    ScramSha256(String user, String password) {
        this(user, password, nonce());
    }

    /** With a given nonce (RFC 7677's test vector). */
    ScramSha256(String user, String password, String clientNonce) {
        this.user = user;
        this.password = password;
        this.clientNonce = clientNonce;
    }

    private static String nonce() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().withoutPadding().encodeToString(b).replace('+', '-').replace('/', '_');
    }

    /** {@code n,,n=user,r=nonce}. */
    byte[] clientFirst() {
        String name = Normalizer.normalize(user, Normalizer.Form.NFKC).replace("=", "=3D").replace(",", "=2C");
        clientFirstBare = "n=" + name + ",r=" + clientNonce;
        return ("n,," + clientFirstBare).getBytes(UTF_8);
    }

    /** The client-final message for the server-first message. */
    byte[] clientFinal(byte[] serverFirstBytes) throws ScramException {
        String serverFirst = new String(serverFirstBytes, UTF_8);
        Map<Character, String> a = attributes(serverFirst);
        if (a.containsKey('e')) {
            throw new ScramException("the server refused the SCRAM client-first message: " + a.get('e'));
        }
        String nonce = a.get('r');
        String salt = a.get('s');
        String iterations = a.get('i');
        if (nonce == null || salt == null || iterations == null) {
            throw new ScramException("the server-first message lacks r=, s= or i=: '" + serverFirst + "'");
        }
        if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
            throw new ScramException("the server's nonce does not extend this client's nonce");
        }
        int i;
        try {
            i = Integer.parseInt(iterations);
        } catch (NumberFormatException e) {
            throw new ScramException("the server's iteration count is not a number: '" + iterations + "'");
        }
        if (i < MIN_ITERATIONS || i > MAX_ITERATIONS) {
            throw new ScramException("the server's iteration count " + i + " is outside " + MIN_ITERATIONS + ".."
                    + MAX_ITERATIONS + " (RFC 7677's minimum; the maximum bounds the work)");
        }
        byte[] saltBytes;
        try {
            saltBytes = Base64.getDecoder().decode(salt);
        } catch (IllegalArgumentException e) {
            throw new ScramException("the server's salt is not base64");
        }
        String withoutProof = "c=biws,r=" + nonce;
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        try {
            byte[] salted = pbkdf2(Normalizer.normalize(password, Normalizer.Form.NFKC), saltBytes, i);
            byte[] clientKey = hmac(salted, "Client Key".getBytes(UTF_8));
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            byte[] signature = hmac(storedKey, authMessage.getBytes(UTF_8));
            byte[] proof = new byte[clientKey.length];
            for (int k = 0; k < proof.length; k++) {
                proof[k] = (byte) (clientKey[k] ^ signature[k]);
            }
            byte[] serverKey = hmac(salted, "Server Key".getBytes(UTF_8));
            expectedServerSignature = hmac(serverKey, authMessage.getBytes(UTF_8));
            return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(UTF_8);
        } catch (GeneralSecurityException e) {
            throw new ScramException("SCRAM-SHA-256 is not available in this JVM: " + e);
        }
    }

    /** Checks the server-final message: the server proves it knows the password. */
    void verifyServerFinal(byte[] serverFinalBytes) throws ScramException {
        String serverFinal = new String(serverFinalBytes, UTF_8);
        Map<Character, String> a = attributes(serverFinal);
        if (a.containsKey('e')) {
            throw new ScramException("the server refused the SCRAM proof: " + a.get('e'));
        }
        if (expectedServerSignature == null || a.get('v') == null) {
            throw new ScramException("the server-final message has no signature (v=)");
        }
        byte[] v;
        try {
            v = Base64.getDecoder().decode(a.get('v'));
        } catch (IllegalArgumentException e) {
            throw new ScramException("the server's signature is not base64");
        }
        if (!MessageDigest.isEqual(v, expectedServerSignature)) {
            throw new ScramException("the server's SCRAM signature does not match: it does not know this account's"
                    + " password (a man in the middle, or a different server)");
        }
    }

    private static Map<Character, String> attributes(String message) {
        Map<Character, String> m = new HashMap<>();
        for (String part : message.split(",")) {
            if (part.length() >= 2 && part.charAt(1) == '=') {
                m.putIfAbsent(part.charAt(0), part.substring(2));
            }
        }
        return m;
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } finally {
            spec.clearPassword();
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
