package org.rawsockets.irc.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server side of SCRAM-SHA-256 for the scripted IRC peer, written from RFC 5802 section 3: it
 * keeps only StoredKey and ServerKey (as a services daemon does), checks the client's proof and
 * answers with its signature. Uses RFC 7677's salt, iteration count and server nonce part.
 */
final class ScramServer {

    static final String SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
    static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private final String user;
    private final byte[] storedKey;
    private final byte[] serverKey;
    private final boolean lieAboutSignature;
    private String clientFirstBare;
    private String serverFirst;

    ScramServer(String user, String password, boolean lieAboutSignature) throws Exception {
        this.user = user;
        this.lieAboutSignature = lieAboutSignature;
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(new PBEKeySpec(
                password.toCharArray(), Base64.getDecoder().decode(SALT), 4096, 256)).getEncoded();
        storedKey = MessageDigest.getInstance("SHA-256").digest(hmac(salted, "Client Key"));
        serverKey = hmac(salted, "Server Key");
    }

    /** The server-first message, or null when the client-first message is not for this user. */
    String first(String clientFirst) {
        if (!clientFirst.startsWith("n,,")) {
            return null;
        }
        clientFirstBare = clientFirst.substring(3);
        String[] parts = clientFirstBare.split(",");
        if (!parts[0].equals("n=" + user) || !parts[1].startsWith("r=")) {
            return null;
        }
        serverFirst = "r=" + parts[1].substring(2) + SERVER_NONCE + ",s=" + SALT + ",i=4096";
        return serverFirst;
    }

    /** The server-final message ("v=..."), or "e=invalid-proof". */
    String last(String clientFinal) throws Exception {
        int p = clientFinal.lastIndexOf(",p=");
        String withoutProof = clientFinal.substring(0, p);
        byte[] proof = Base64.getDecoder().decode(clientFinal.substring(p + 3));
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] signature = hmac(storedKey, authMessage);
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ signature[i]);
        }
        if (!withoutProof.startsWith("c=biws,r=") || !MessageDigest.isEqual(storedKey,
                MessageDigest.getInstance("SHA-256").digest(clientKey))) {
            return "e=invalid-proof";
        }
        byte[] v = hmac(serverKey, authMessage);
        if (lieAboutSignature) {
            v[0] ^= 1;
        }
        return "v=" + Base64.getEncoder().encodeToString(v);
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(UTF_8));
    }
}
