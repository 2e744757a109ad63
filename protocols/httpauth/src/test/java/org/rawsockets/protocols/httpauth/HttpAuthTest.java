package org.rawsockets.protocols.httpauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rawsockets.protocols.httpauth.HttpAuth.Challenge;

/** The examples of RFC 7616 section 3.9, the challenge syntax of RFC 9110 section 11, the choice of a scheme. */
class HttpAuthTest {

    private static final String RFC_CHALLENGE_REST = " realm=\"http-auth@example.org\", qop=\"auth, auth-int\","
            + " nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\","
            + " opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
    private static final byte[] MUFASA = "Circle of Life".getBytes(StandardCharsets.UTF_8);

    private static HttpAuth fixed(String user, String cnonce) {
        return new HttpAuth(user, false, () -> cnonce);
    }

    private static Map<String, String> params(String authorization) {
        return HttpAuth.parse(authorization).get(0).params();
    }

    /** RFC 7616 section 3.9.1: the server offers SHA-256 and MD5; the answer is SHA-256's, and MD5's when alone. */
    @Test
    void rfc7616Section391() {
        HttpAuth auth = fixed("Mufasa", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
        assertTrue(auth.challenge(List.of("Digest algorithm=MD5," + RFC_CHALLENGE_REST,
                "Digest algorithm=SHA-256," + RFC_CHALLENGE_REST), false));
        String a = auth.authorization("GET", "/dir/index.html", MUFASA);
        Map<String, String> p = params(a);
        assertEquals("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", p.get("response"), a);
        assertEquals("SHA-256", p.get("algorithm"));
        assertEquals("00000001", p.get("nc"));
        assertEquals("auth", p.get("qop"));
        assertEquals("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", p.get("opaque"));
        assertEquals("Digest (SHA-256)", auth.scheme());
        assertEquals("00000002", params(auth.authorization("GET", "/dir/index.html", MUFASA)).get("nc"),
                "the nonce's uses are counted");

        HttpAuth md5 = fixed("Mufasa", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
        assertTrue(md5.challenge(List.of("Digest algorithm=MD5," + RFC_CHALLENGE_REST), false));
        assertEquals("8ca523f5e9506fed4657c9700eebdbec",
                params(md5.authorization("GET", "/dir/index.html", MUFASA)).get("response"));
    }

    /**
     * RFC 7616 section 3.9.2's inputs: SHA-512-256, a user name outside ASCII, userhash. The RFC's printed
     * hashes are SHA-512 cut to 256 bits (its errata; SHA-512/256 has its own initial values, FIPS 180-4):
     * the expected values are OpenSSL's ({@code openssl dgst -sha512-256}) over the same strings. The
     * RFC's user hash, 488869477bf2..., is the first half of the SHA-512 of "Jäsøn Doe:api@example.org".
     */
    @Test
    void rfc7616Section392UserhashAndSha512256() {
        HttpAuth auth = fixed("J\u00e4s\u00f8n Doe", "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v");
        assertTrue(auth.challenge(List.of("Digest realm=\"api@example.org\", qop=\"auth\", algorithm=SHA-512-256,"
                + " nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\","
                + " opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\", charset=UTF-8, userhash=true"), false));
        Map<String, String> p = params(auth.authorization("GET", "/doe.json",
                "Secret, or not?".getBytes(StandardCharsets.UTF_8)));
        assertEquals("793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b", p.get("username"));
        assertEquals("true", p.get("userhash"));
        assertEquals("3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5", p.get("response"));
    }

    /** Without userhash a user name outside ASCII goes as username* (RFC 8187), never as raw bytes. */
    @Test
    void aNonAsciiUserNameIsSentInTheExtendedNotation() {
        HttpAuth auth = fixed("J\u00e4s\u00f8n Doe", "c");
        assertTrue(auth.challenge(List.of("Digest realm=\"r\", nonce=\"n\", qop=auth"), false));
        String a = auth.authorization("CONNECT", "broker:1883", new byte[] { 'p' });
        assertTrue(a.startsWith("Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, "), a);
    }

    /** -sess: HA1 is hashed again with the nonce and the cnonce (RFC 7616 section 3.4.2). */
    @Test
    void sessionAlgorithmsHashTheFirstValueWithBothNonces() {
        HttpAuth auth = fixed("u", "cn");
        assertTrue(auth.challenge(List.of("Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=MD5-sess"), false));
        String ha1 = HttpAuth.hash("MD5", HttpAuth.hash("MD5", "u:r:pw") + ":n:cn");
        String expected = HttpAuth.hash("MD5", ha1 + ":n:00000001:cn:auth:" + HttpAuth.hash("MD5", "CONNECT:h:1"));
        Map<String, String> p = params(auth.authorization("CONNECT", "h:1", "pw".getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, p.get("response"));
        assertEquals("MD5-sess", p.get("algorithm"));
    }

    /** RFC 2069's Digest (no qop): response = H(HA1:nonce:HA2), no nc or cnonce. */
    @Test
    void aChallengeWithoutQopGetsTheRfc2069Response() {
        HttpAuth auth = fixed("u", "cn");
        assertTrue(auth.challenge(List.of("Digest realm=\"r\", nonce=\"n\""), false));
        Map<String, String> p = params(auth.authorization("GET", "/", "pw".getBytes(StandardCharsets.UTF_8)));
        assertEquals(HttpAuth.hash("MD5", HttpAuth.hash("MD5", "u:r:pw") + ":n:" + HttpAuth.hash("MD5", "GET:/")),
                p.get("response"));
        assertNull(p.get("nc"));
        assertNull(p.get("cnonce"));
    }

    @Test
    void basicOnlyWhenNoDigestIsOfferedAndNeverWhenDigestOnly() {
        HttpAuth any = new HttpAuth("Aladdin", false);
        assertTrue(any.challenge(List.of("Basic realm=\"WallyWorld\""), false));
        assertEquals("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", // RFC 7617 section 2
                any.authorization("GET", "/", "open sesame".getBytes(StandardCharsets.UTF_8)));
        assertTrue(any.challenge(List.of("Basic realm=\"x\", Digest realm=\"x\", nonce=\"n\", qop=auth"), false));
        assertEquals("Digest (MD5)", any.scheme());

        HttpAuth digestOnly = new HttpAuth("Aladdin", true);
        assertFalse(digestOnly.challenge(List.of("Basic realm=\"WallyWorld\""), false));
        assertFalse(digestOnly.hasChallenge());
        assertEquals("Basic", HttpAuth.offered(List.of("Basic realm=\"WallyWorld\"")));
    }

    /** Not answerable: auth-int only, an unknown algorithm, no nonce, schemes this class does not do. */
    @Test
    void challengesThatCannotBeAnsweredAreNotTaken() {
        HttpAuth auth = new HttpAuth("u", false);
        assertFalse(auth.challenge(List.of("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""), false));
        assertFalse(auth.challenge(List.of("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1"), false));
        assertFalse(auth.challenge(List.of("Digest realm=\"r\""), false));
        assertFalse(auth.challenge(List.of("NTLM", "Negotiate"), false));
        assertEquals("NTLM, Negotiate", HttpAuth.offered(List.of("NTLM", "Negotiate")));
        assertEquals("none", auth.scheme());
        assertNull(auth.authorization("GET", "/", new byte[0]));
    }

    /** After the credentials were sent, another challenge means they are wrong, unless it says the nonce was stale. */
    @Test
    void aSecondChallengeIsARefusalUnlessStale() {
        HttpAuth auth = new HttpAuth("u", false);
        assertTrue(auth.challenge(List.of("Digest realm=\"r\", nonce=\"n1\", qop=auth"), false));
        assertFalse(auth.challenge(List.of("Digest realm=\"r\", nonce=\"n2\", qop=auth"), true));
        assertTrue(auth.challenge(List.of("Digest realm=\"r\", nonce=\"n3\", qop=auth, stale=true"), true));
        assertEquals("n3", params(auth.authorization("GET", "/", new byte[0])).get("nonce"));
        assertFalse(auth.challenge(List.of("Basic realm=\"r\""), true));
    }

    @Test
    void parsesTheChallengeGrammar() {
        List<Challenge> cs = HttpAuth.parse("Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\","
                + " Basic realm=\"simple\", Negotiate abc+/==, NTLM");
        assertEquals(4, cs.size(), cs.toString());
        assertEquals(new Challenge("newauth", Map.of("realm", "apps", "type", "1", "title", "Login to \"apps\""), null),
                cs.get(0));
        assertEquals(new Challenge("basic", Map.of("realm", "simple"), null), cs.get(1));
        assertEquals(new Challenge("negotiate", Map.of(), "abc+/=="), cs.get(2));
        assertEquals(new Challenge("ntlm", Map.of(), null), cs.get(3));
        assertEquals(List.of(new Challenge("digest", Map.of("qop", "auth, auth-int", "realm", "a,b"), null)),
                HttpAuth.parse("DIGEST QOP=\"auth, auth-int\" , Realm=\"a,b\""), "commas inside quotes");
        assertEquals(List.of(new Challenge("basic", Map.of("realm", "first"), null)),
                HttpAuth.parse("Basic realm=first, realm=second"), "a repeated parameter: the first counts");
        assertEquals(List.of(new Challenge("basic", Map.of("realm", "ok"), null)),
                HttpAuth.parse("Basic realm=ok, Digest realm=\"unterminated"), "what was complete before a malformed rest");
        assertEquals(List.of(), HttpAuth.parse(""));
        assertEquals(List.of(), HttpAuth.parse(" , ,"));
        assertEquals(HttpAuth.MAX_CHALLENGES, HttpAuth.parse("A, ".repeat(100)).size());
    }

    /** Any text: a list of well-formed challenges or fewer, never an exception, in time linear in its length. */
    @Test
    void arbitraryHeaderTextNeverThrows() {
        Random r = new Random(7616);
        String alphabet = "Digest Basic realm=\"nonce,\\ =qop\t\u00e4x";
        for (int n = 0; n < 20_000; n++) {
            StringBuilder b = new StringBuilder();
            for (int i = r.nextInt(80); i > 0; i--) {
                b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            List<Challenge> cs = HttpAuth.parse(b.toString());
            assertTrue(cs.size() <= HttpAuth.MAX_CHALLENGES);
            for (Challenge c : cs) {
                assertFalse(c.scheme().isEmpty(), b::toString);
            }
            new HttpAuth("u", false).challenge(List.of(b.toString()), false);
        }
    }
}
