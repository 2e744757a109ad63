package org.rawsockets.protocols.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server side of SCRAM-SHA-256 and SCRAM-SHA-512, the test peer of the protocols' SCRAM tests
 * (IRC's scripted server, MQTT's enhanced-authentication extension in HiveMQ), written from RFC
 * 5802 section 3 and independent of {@link ScramClient}: it keeps only StoredKey and ServerKey (as a
 * services daemon or a broker does), checks the client's proof and answers with its signature. Uses
 * RFC 7677's salt, iteration count and server nonce part. One exchange per instance.
 */
public final class ScramServer {

    public static final String SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
    public static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private final String digest;
    private final String hmac;
    private final String user;
    private final byte[] storedKey;
    private final byte[] serverKey;
    private final boolean lieAboutSignature;
    private String clientFirstBare;
    private String serverFirst;

    /**
     * @param bits 256 or 512 (SCRAM-SHA-256, SCRAM-SHA-512)
     * @param lieAboutSignature answer with a wrong server signature (a server that does not know the password)
     */
    public ScramServer(int bits, String user, String password, boolean lieAboutSignature) throws Exception {
        if (bits != 256 && bits != 512) {
            throw new IllegalArgumentException("SHA-256 or SHA-512, not " + bits);
        }
        this.digest = "SHA-" + bits;
        this.hmac = "HmacSHA" + bits;
        this.user = user;
        this.lieAboutSignature = lieAboutSignature;
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA" + bits).generateSecret(new PBEKeySpec(
                password.toCharArray(), Base64.getDecoder().decode(SALT), 4096, bits)).getEncoded();
        storedKey = MessageDigest.getInstance(digest).digest(hmac(salted, "Client Key"));
        serverKey = hmac(salted, "Server Key");
    }

    /** The server-first message, or null when the client-first message is not for this user. */
    public String first(String clientFirst) {
        if (!clientFirst.startsWith("n,,")) {
            return null;
        }
        clientFirstBare = clientFirst.substring(3);
        String[] parts = clientFirstBare.split(",");
        if (parts.length < 2 || !parts[0].equals("n=" + user) || !parts[1].startsWith("r=")) {
            return null;
        }
        serverFirst = "r=" + parts[1].substring(2) + SERVER_NONCE + ",s=" + SALT + ",i=4096";
        return serverFirst;
    }

    /** The server-final message ("v=..."), or "e=invalid-proof". */
    public String last(String clientFinal) throws Exception {
        int p = clientFinal.lastIndexOf(",p=");
        if (serverFirst == null || p < 0) {
            return "e=other-error";
        }
        String withoutProof = clientFinal.substring(0, p);
        byte[] proof = Base64.getDecoder().decode(clientFinal.substring(p + 3));
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] signature = hmac(storedKey, authMessage);
        if (proof.length != signature.length) {
            return "e=invalid-proof";
        }
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ signature[i]);
        }
        if (!withoutProof.startsWith("c=biws,r=") || !MessageDigest.isEqual(storedKey,
                MessageDigest.getInstance(digest).digest(clientKey))) {
            return "e=invalid-proof";
        }
        byte[] v = hmac(serverKey, authMessage);
        if (lieAboutSignature) {
            v[0] ^= 1;
        }
        return "v=" + Base64.getEncoder().encodeToString(v);
    }

    private byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance(hmac);
        mac.init(new SecretKeySpec(key, hmac));
        return mac.doFinal(data.getBytes(UTF_8));
    }
}
