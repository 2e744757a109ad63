package org.rawsockets.protocols.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of SCRAM (RFC 5802) with SHA-256 (RFC 7677) or SHA-512, without channel binding
 * ({@code n,,}): client-first, client-final with the proof, and the check of the server's signature
 * (the server proves it knows the password too). Names and passwords are normalised with NFKC
 * (SASLprep's normalisation; its prohibited-character checks are left to the server). One exchange
 * per instance; not thread-safe (a protocol runs its exchange on one thread at a time).
 */
public final class ScramClient {

    /** The most PBKDF2 iterations accepted from a server (bounds the CPU a server can make us spend). */
    public static final int MAX_ITERATIONS = 1_000_000;
    /** Fewer iterations than RFC 7677's minimum are refused (a downgrade of the password hash). */
    public static final int MIN_ITERATIONS = 4096;

    /** A SCRAM mechanism: its SASL name and its hash. */
    public enum Mechanism {
        SCRAM_SHA_256("SCRAM-SHA-256", "SHA-256", "HmacSHA256", "PBKDF2WithHmacSHA256", 256),
        SCRAM_SHA_512("SCRAM-SHA-512", "SHA-512", "HmacSHA512", "PBKDF2WithHmacSHA512", 512);

        private final String saslName;
        final String digest;
        final String hmac;
        final String pbkdf2;
        final int bits;

        Mechanism(String saslName, String digest, String hmac, String pbkdf2, int bits) {
            this.saslName = saslName;
            this.digest = digest;
            this.hmac = hmac;
            this.pbkdf2 = pbkdf2;
            this.bits = bits;
        }

        /** The SASL mechanism name ({@code SCRAM-SHA-256}), as protocols put it on the wire. */
        public String saslName() {
            return saslName;
        }

        /** The mechanism of a SASL name, ignoring case; empty for any other name. */
        public static Optional<Mechanism> bySaslName(String name) {
            for (Mechanism m : values()) {
                if (m.saslName.equalsIgnoreCase(name.trim())) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
        }

        /** The names this class knows, for an error message: {@code SCRAM-SHA-256, SCRAM-SHA-512}. */
        public static String names() {
            StringBuilder b = new StringBuilder();
            for (Mechanism m : values()) {
                b.append(b.length() == 0 ? "" : ", ").append(m.saslName);
            }
            return b.toString();
        }

        @Override
        public String toString() {
            return saslName;
        }
    }

    /** A SCRAM step failed: the message says which and why (never a password). */
    public static final class ScramException extends Exception {
        private static final long serialVersionUID = 1L;

        public ScramException(String message) {
            super(message);
        }
    }

    private final Mechanism mechanism;
    private final String user;
    /** Dropped once the proof is computed (the exchange needs it no longer). */
    private String password;
    private final String clientNonce;
    private String clientFirstBare;
    private byte[] expectedServerSignature;

    public ScramClient(Mechanism mechanism, String user, String password) {
        this(mechanism, user, password, nonce());
    }

    /** With a given nonce (RFC 7677's test vector). */
    ScramClient(Mechanism mechanism, String user, String password, String clientNonce) {
        this.mechanism = mechanism;
        this.user = user;
        this.password = password;
        this.clientNonce = clientNonce;
    }

    public Mechanism mechanism() {
        return mechanism;
    }

    private static String nonce() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().withoutPadding().encodeToString(b).replace('+', '-').replace('/', '_');
    }

    /** {@code n,,n=user,r=nonce}. */
    public byte[] clientFirst() {
        String name = Normalizer.normalize(user, Normalizer.Form.NFKC).replace("=", "=3D").replace(",", "=2C");
        clientFirstBare = "n=" + name + ",r=" + clientNonce;
        return ("n,," + clientFirstBare).getBytes(UTF_8);
    }

    /** The client-final message for the server-first message. */
    public byte[] clientFinal(byte[] serverFirstBytes) throws ScramException {
        if (clientFirstBare == null || password == null) {
            throw new IllegalStateException("clientFirst() comes first, and clientFinal() once");
        }
        String serverFirst = new String(serverFirstBytes, UTF_8);
        Map<Character, String> a = attributes(serverFirst);
        if (a.containsKey('e')) {
            throw new ScramException("the server refused the " + mechanism + " client-first message: " + a.get('e'));
        }
        String nonce = a.get('r');
        String salt = a.get('s');
        String iterations = a.get('i');
        if (nonce == null || salt == null || iterations == null) {
            throw new ScramException("the " + mechanism + " server-first message lacks r=, s= or i=: '"
                    + printable(serverFirst) + "'");
        }
        if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
            throw new ScramException("the server's nonce does not extend this client's nonce");
        }
        int i;
        try {
            i = Integer.parseInt(iterations);
        } catch (NumberFormatException e) {
            throw new ScramException("the server's iteration count is not a number: '" + printable(iterations) + "'");
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
            password = null;
            byte[] clientKey = hmac(salted, "Client Key".getBytes(UTF_8));
            byte[] storedKey = MessageDigest.getInstance(mechanism.digest).digest(clientKey);
            byte[] signature = hmac(storedKey, authMessage.getBytes(UTF_8));
            byte[] proof = new byte[clientKey.length];
            for (int k = 0; k < proof.length; k++) {
                proof[k] = (byte) (clientKey[k] ^ signature[k]);
            }
            byte[] serverKey = hmac(salted, "Server Key".getBytes(UTF_8));
            expectedServerSignature = hmac(serverKey, authMessage.getBytes(UTF_8));
            return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(UTF_8);
        } catch (GeneralSecurityException e) {
            throw new ScramException(mechanism + " is not available in this JVM: " + e);
        }
    }

    /** Checks the server-final message: the server proves it knows the password. */
    public void verifyServerFinal(byte[] serverFinalBytes) throws ScramException {
        String serverFinal = new String(serverFinalBytes, UTF_8);
        Map<Character, String> a = attributes(serverFinal);
        if (a.containsKey('e')) {
            throw new ScramException("the server refused the " + mechanism + " proof: " + a.get('e'));
        }
        if (expectedServerSignature == null || a.get('v') == null) {
            throw new ScramException("the " + mechanism + " server-final message has no signature (v=)");
        }
        byte[] v;
        try {
            v = Base64.getDecoder().decode(a.get('v'));
        } catch (IllegalArgumentException e) {
            throw new ScramException("the server's signature is not base64");
        }
        if (!MessageDigest.isEqual(v, expectedServerSignature)) {
            throw new ScramException("the server's " + mechanism + " signature does not match: it does not know"
                    + " this account's password (a man in the middle, or a different server)");
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

    /** At most 200 characters, control characters as '?': a peer's text quoted in a message. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < s.length() && k < 200; k++) {
            char c = s.charAt(k);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 200 ? b + "..." : b.toString();
    }

    private byte[] pbkdf2(String password, byte[] salt, int iterations) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, mechanism.bits);
        try {
            return SecretKeyFactory.getInstance(mechanism.pbkdf2).generateSecret(spec).getEncoded();
        } finally {
            spec.clearPassword();
        }
    }

    private byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance(mechanism.hmac);
        mac.init(new SecretKeySpec(key, mechanism.hmac));
        return mac.doFinal(data);
    }
}
