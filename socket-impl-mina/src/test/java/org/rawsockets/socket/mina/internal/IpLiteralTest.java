package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link TlsSupport#isIpLiteral} answers as the regular expression it replaced ({@code [0-9.]+} or a colon). */
class IpLiteralTest {

    @Test
    void sameAnswersAsTheRegularExpression() {
        for (String h : new String[] {"127.0.0.1", "10.0.0.255", "::1", "fe80::1%lo", "[::1]", "1.2.3", "1", ".", "",
                "example.org", "localhost", "1.2.3.4a", "a1.2.3.4", "1-2.3.4", "xn--bcher-kva.example"}) {
            boolean regex = h.indexOf(':') >= 0 || h.matches("[0-9.]+");
            assertEquals(regex, TlsSupport.isIpLiteral(h), h);
        }
    }
}
