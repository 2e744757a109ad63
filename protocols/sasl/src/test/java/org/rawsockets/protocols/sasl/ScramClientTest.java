package org.rawsockets.protocols.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rawsockets.protocols.sasl.ScramClient.Mechanism;
import org.rawsockets.protocols.sasl.ScramClient.ScramException;

/** SCRAM-SHA-256 against the test vector of RFC 7677 section 3; both mechanisms against {@link ScramServer}. */
class ScramClientTest {

    static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

    @Test
    void rfc7677TestVector() throws Exception {
        ScramClient s = new ScramClient(Mechanism.SCRAM_SHA_256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        assertEquals("n,,n=user,r=rOprNGfwEbeRWgbNEkqO", new String(s.clientFirst(), UTF_8));
        assertEquals("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", new String(s.clientFinal(SERVER_FIRST.getBytes(UTF_8)),
                        UTF_8));
        s.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".getBytes(UTF_8));
    }

    /** The RFC's server, in {@link ScramServer}, gives the RFC's messages: the test peer is right too. */
    @Test
    void theTestServerGivesTheRfcVector() throws Exception {
        ScramServer server = new ScramServer(256, "user", "pencil", false);
        assertEquals(SERVER_FIRST, server.first("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
        assertEquals("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", server.last(
                "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
    }

    @ParameterizedTest
    @EnumSource(Mechanism.class)
    void anExchangeWithAServerThatKnowsThePassword(Mechanism m) throws Exception {
        int bits = m == Mechanism.SCRAM_SHA_256 ? 256 : 512;
        ScramServer server = new ScramServer(bits, "user", "pencil", false);
        ScramClient c = new ScramClient(m, "user", "pencil");
        String serverFirst = server.first(new String(c.clientFirst(), UTF_8));
        String serverFinal = server.last(new String(c.clientFinal(serverFirst.getBytes(UTF_8)), UTF_8));
        assertTrue(serverFinal.startsWith("v="), serverFinal);
        c.verifyServerFinal(serverFinal.getBytes(UTF_8));

        ScramServer strict = new ScramServer(bits, "user", "pencil", false);
        ScramClient wrong = new ScramClient(m, "user", "pen");
        String first = strict.first(new String(wrong.clientFirst(), UTF_8));
        assertEquals("e=invalid-proof", strict.last(new String(wrong.clientFinal(first.getBytes(UTF_8)), UTF_8)));
    }

    @ParameterizedTest
    @EnumSource(Mechanism.class)
    void aServerThatDoesNotKnowThePasswordIsRefused(Mechanism m) throws Exception {
        int bits = m == Mechanism.SCRAM_SHA_256 ? 256 : 512;
        ScramServer liar = new ScramServer(bits, "user", "pencil", true);
        ScramClient c = new ScramClient(m, "user", "pencil");
        String serverFirst = liar.first(new String(c.clientFirst(), UTF_8));
        String serverFinal = liar.last(new String(c.clientFinal(serverFirst.getBytes(UTF_8)), UTF_8));
        ScramException e = assertThrows(ScramException.class, () -> c.verifyServerFinal(serverFinal.getBytes(UTF_8)));
        assertTrue(e.getMessage().contains("does not match") && e.getMessage().contains(m.saslName())
                && !e.getMessage().contains("pencil"), e.getMessage());
    }

    @Test
    void theHashesDiffer() throws Exception {
        ScramClient a = new ScramClient(Mechanism.SCRAM_SHA_256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        ScramClient b = new ScramClient(Mechanism.SCRAM_SHA_512, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        a.clientFirst();
        b.clientFirst();
        String pa = new String(a.clientFinal(SERVER_FIRST.getBytes(UTF_8)), UTF_8);
        String pb = new String(b.clientFinal(SERVER_FIRST.getBytes(UTF_8)), UTF_8);
        // A SHA-512 proof is 64 bytes: 88 base64 characters after "p=".
        assertEquals(88, pb.substring(pb.indexOf(",p=") + 3).length(), pb);
        assertEquals(44, pa.substring(pa.indexOf(",p=") + 3).length(), pa);
    }

    @Test
    void badServerFirstMessagesAreRefused() throws Exception {
        for (String[] bad : new String[][] {
                {"r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "nonce"},
                {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1", "iteration count 1"},
                {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=2000000000", "iteration count"},
                {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=many", "not a number"},
                {"r=rOprNGfwEbeRWgbNEkqOxyz,s=***,i=4096", "salt is not base64"},
                {"r=rOprNGfwEbeRWgbNEkqOxyz,i=4096", "lacks"},
                {"e=unknown-user", "unknown-user"}}) {
            ScramClient s = new ScramClient(Mechanism.SCRAM_SHA_512, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
            s.clientFirst();
            ScramException e = assertThrows(ScramException.class, () -> s.clientFinal(bad[0].getBytes(UTF_8)), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
    }

    @Test
    void aServerFinalMessageWithoutASignatureIsRefused() throws Exception {
        ScramClient s = new ScramClient(Mechanism.SCRAM_SHA_256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        s.clientFirst();
        s.clientFinal(SERVER_FIRST.getBytes(UTF_8));
        assertTrue(assertThrows(ScramException.class, () -> s.verifyServerFinal("x=1".getBytes(UTF_8))).getMessage()
                .contains("no signature"));
        assertTrue(assertThrows(ScramException.class, () -> s.verifyServerFinal("e=invalid-proof".getBytes(UTF_8)))
                .getMessage().contains("refused the SCRAM-SHA-256 proof: invalid-proof"));
    }

    /** The password is dropped once the proof is made: a second client-final has nothing to prove with. */
    @Test
    void oneProofPerExchange() throws Exception {
        ScramClient s = new ScramClient(Mechanism.SCRAM_SHA_256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        assertThrows(IllegalStateException.class, () -> s.clientFinal(SERVER_FIRST.getBytes(UTF_8)));
        s.clientFirst();
        s.clientFinal(SERVER_FIRST.getBytes(UTF_8));
        assertThrows(IllegalStateException.class, () -> s.clientFinal(SERVER_FIRST.getBytes(UTF_8)));
    }

    @Test
    void namesAreEscaped() {
        assertEquals("n,,n=a=3Db=2Cc,r=N", new String(new ScramClient(Mechanism.SCRAM_SHA_256, "a=b,c", "p", "N")
                .clientFirst(), UTF_8));
    }

    @Test
    void mechanismsByName() {
        assertEquals(Mechanism.SCRAM_SHA_512, Mechanism.bySaslName(" scram-sha-512").orElseThrow());
        assertTrue(Mechanism.bySaslName("SCRAM-SHA-1").isEmpty());
        assertEquals("SCRAM-SHA-256, SCRAM-SHA-512", Mechanism.names());
    }
}
