package org.rawsockets.irc.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** SCRAM-SHA-256 against the test vector of RFC 7677 section 3. */
class ScramSha256Test {

    static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

    @Test
    void rfc7677TestVector() throws Exception {
        ScramSha256 s = new ScramSha256("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        assertEquals("n,,n=user,r=rOprNGfwEbeRWgbNEkqO", new String(s.clientFirst(), UTF_8));
        assertEquals("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", new String(s.clientFinal(SERVER_FIRST.getBytes(UTF_8)),
                        UTF_8));
        s.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".getBytes(UTF_8));
    }

    @Test
    void aServerThatDoesNotKnowThePasswordIsRefused() throws Exception {
        ScramSha256 s = new ScramSha256("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        s.clientFirst();
        s.clientFinal(SERVER_FIRST.getBytes(UTF_8));
        ScramSha256.ScramException e = assertThrows(ScramSha256.ScramException.class, () -> s.verifyServerFinal(
                "v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".getBytes(UTF_8)));
        assertTrue(e.getMessage().contains("does not match") && !e.getMessage().contains("pencil"), e.getMessage());
    }

    @Test
    void badServerFirstMessagesAreRefused() throws Exception {
        for (String[] bad : new String[][] {
                {"r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "nonce"},
                {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1", "iteration count 1"},
                {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=2000000000", "iteration count"},
                {"r=rOprNGfwEbeRWgbNEkqOxyz,i=4096", "lacks"},
                {"e=unknown-user", "unknown-user"}}) {
            ScramSha256 s = new ScramSha256("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
            s.clientFirst();
            ScramSha256.ScramException e = assertThrows(ScramSha256.ScramException.class,
                    () -> s.clientFinal(bad[0].getBytes(UTF_8)), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
    }

    @Test
    void namesAreEscaped() {
        assertEquals("n,,n=a=3Db=2Cc,r=N", new String(new ScramSha256("a=b,c", "p", "N").clientFirst(), UTF_8));
    }
}
