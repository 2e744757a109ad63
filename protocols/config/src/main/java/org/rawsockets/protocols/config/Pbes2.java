package org.rawsockets.protocols.config;

import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decrypts a PKCS#8 EncryptedPrivateKeyInfo with PBES2 (RFC 8018): PBKDF2 with HMAC-SHA1/256/384/512
 * and AES-128/192/256-CBC or DES-EDE3-CBC, what {@code openssl pkcs8 -topk8} and OpenSSL 3's {@code req} write. (The
 * JDK 17 {@code EncryptedPrivateKeyInfo} refuses OpenSSL 3's parameters: "expecting the object
 * identifier for AES cipher".) A small DER reader with bounds checks on every length. Shared by the
 * bundles that read encrypted client keys ({@code protocols/irc}, {@code protocols/coap}).
 */
public final class Pbes2 {

    private static final String PBES2 = "1.2.840.113549.1.5.13";
    private static final String PBKDF2 = "1.2.840.113549.1.5.12";
    private static final String DES_EDE3 = "1.2.840.113549.3.7";

    private Pbes2() {
    }

    /** The plain PKCS#8 bytes of {@code der}. */
    public static byte[] decrypt(byte[] der, char[] passphrase) throws GeneralSecurityException {
        Der top = new Der(der).sequence();
        Der alg = top.sequence();
        if (!alg.oid().equals(PBES2)) {
            throw new GeneralSecurityException("the key is not encrypted with PBES2");
        }
        Der params = alg.sequence();
        Der kdf = params.sequence();
        if (!kdf.oid().equals(PBKDF2)) {
            throw new GeneralSecurityException("the key derivation is not PBKDF2");
        }
        Der kdfParams = kdf.sequence();
        byte[] salt = kdfParams.take(0x04);
        int iterations = kdfParams.integer();
        if (iterations < 1 || iterations > 10_000_000) {
            throw new GeneralSecurityException("PBKDF2 iteration count " + iterations + " out of range");
        }
        int keyLength = -1;
        String prf = "1.2.840.113549.2.7"; // hmacWithSHA1, the default
        if (kdfParams.more() && kdfParams.peek() == 0x02) {
            keyLength = kdfParams.integer();
        }
        if (kdfParams.more()) {
            prf = kdfParams.sequence().oid();
        }
        String mac = switch (prf) {
            case "1.2.840.113549.2.7" -> "PBKDF2WithHmacSHA1";
            case "1.2.840.113549.2.9" -> "PBKDF2WithHmacSHA256";
            case "1.2.840.113549.2.10" -> "PBKDF2WithHmacSHA384";
            case "1.2.840.113549.2.11" -> "PBKDF2WithHmacSHA512";
            default -> throw new GeneralSecurityException("unsupported PBKDF2 PRF " + prf);
        };
        Der scheme = params.sequence();
        String cipherOid = scheme.oid();
        int aesBytes = switch (cipherOid) {
            case "2.16.840.1.101.3.4.1.2" -> 16;
            case "2.16.840.1.101.3.4.1.22" -> 24;
            case "2.16.840.1.101.3.4.1.42", DES_EDE3 -> 32;
            default -> throw new GeneralSecurityException("unsupported cipher " + cipherOid
                    + " (AES-CBC or DES-EDE3-CBC only)");
        };
        boolean des = cipherOid.equals(DES_EDE3);
        if (des) {
            aesBytes = 24;
        }
        byte[] iv = scheme.take(0x04);
        byte[] encrypted = top.take(0x04);
        if (keyLength > 0 && keyLength != aesBytes) {
            throw new GeneralSecurityException("PBKDF2 key length " + keyLength + " does not fit the cipher's " + aesBytes);
        }
        PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, aesBytes * 8);
        byte[] k;
        try {
            k = SecretKeyFactory.getInstance(mac).generateSecret(spec).getEncoded();
        } finally {
            spec.clearPassword();
        }
        try {
            Cipher c = Cipher.getInstance(des ? "DESede/CBC/PKCS5Padding" : "AES/CBC/PKCS5Padding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, des ? "DESede" : "AES"), new IvParameterSpec(iv));
            return c.doFinal(encrypted);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    /** A DER reader over bytes [pos, end). */
    private static final class Der {
        private final byte[] b;
        private int pos;
        private final int end;

        Der(byte[] b) {
            this(b, 0, b.length);
        }

        private Der(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int peek() throws GeneralSecurityException {
            if (pos >= end) {
                throw new GeneralSecurityException("truncated DER");
            }
            return b[pos] & 0xff;
        }

        /** The contents [start, end) of the next element with {@code tag}. */
        private int[] next(int tag) throws GeneralSecurityException {
            if (peek() != tag) {
                throw new GeneralSecurityException("unexpected DER tag " + peek() + ", expected " + tag);
            }
            pos++;
            if (pos >= end) {
                throw new GeneralSecurityException("truncated DER");
            }
            int len = b[pos++] & 0xff;
            if (len > 0x80) {
                int n = len & 0x7f;
                if (n > 3 || pos + n > end) {
                    throw new GeneralSecurityException("bad DER length");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[pos++] & 0xff);
                }
            } else if (len == 0x80) {
                throw new GeneralSecurityException("indefinite DER length");
            }
            if (len > end - pos) {
                throw new GeneralSecurityException("DER length beyond the data");
            }
            int[] r = {pos, pos + len};
            pos += len;
            return r;
        }

        Der sequence() throws GeneralSecurityException {
            int[] r = next(0x30);
            return new Der(b, r[0], r[1]);
        }

        byte[] take(int tag) throws GeneralSecurityException {
            int[] r = next(tag);
            return Arrays.copyOfRange(b, r[0], r[1]);
        }

        int integer() throws GeneralSecurityException {
            byte[] v = take(0x02);
            if (v.length == 0 || v.length > 4) {
                throw new GeneralSecurityException("DER integer out of range");
            }
            int x = 0;
            for (byte y : v) {
                x = (x << 8) | (y & 0xff);
            }
            return x;
        }

        String oid() throws GeneralSecurityException {
            byte[] v = take(0x06);
            if (v.length == 0) {
                throw new GeneralSecurityException("empty OID");
            }
            StringBuilder s = new StringBuilder();
            s.append((v[0] & 0xff) / 40).append('.').append((v[0] & 0xff) % 40);
            long x = 0;
            for (int i = 1; i < v.length; i++) {
                x = (x << 7) | (v[i] & 0x7f);
                if ((v[i] & 0x80) == 0) {
                    s.append('.').append(x);
                    x = 0;
                }
            }
            return s.toString();
        }
    }
}
