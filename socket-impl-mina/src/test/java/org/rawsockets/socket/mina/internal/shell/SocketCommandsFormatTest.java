package org.rawsockets.socket.mina.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketKind;
import org.rawsockets.socket.SocketState;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TlsMode;

class SocketCommandsFormatTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    @Test
    void listAlignsColumnsAndRightAlignsNumbers() {
        List<SocketInfo> list = List.of(
                new SocketInfo(7, "org.rawsockets.modbus [31]", SocketKind.TCP, "plc.local:502",
                        new InetSocketAddress("127.0.0.1", 40000), new InetSocketAddress("127.0.0.1", 502),
                        SocketState.OPEN, 1234567, 12, NOW.minusSeconds(75)),
                new SocketInfo(12, "org.rawsockets.smtp [32]", SocketKind.UDP_BOUND, "0.0.0.0:5353",
                        new InetSocketAddress("::1", 5353), null, SocketState.OPENING, 0, 0, NOW.minusSeconds(3)));
        String out = SocketCommands.formatSockets(list, NOW);
        String[] lines = out.split("\n");
        assertEquals(4, lines.length, out);
        assertTrue(lines[0].matches("ID  OWNER +KIND +LOCAL +REMOTE +STATE +IN +OUT +AGE"), lines[0]);
        assertTrue(lines[1].startsWith(" 7  org.rawsockets.modbus [31]  tcp "), lines[1]);
        assertTrue(lines[1].contains("127.0.0.1:40000"), lines[1]);
        assertTrue(lines[1].endsWith("1234567   12  1m15s"), lines[1]);
        assertTrue(lines[2].contains("udp-bound"), lines[2]);
        assertTrue(lines[2].contains("[0:0:0:0:0:0:0:1]:5353"), lines[2]);
        assertTrue(lines[2].contains("0.0.0.0:5353"), "destination shown when there is no remote: " + lines[2]);
        // Every column starts at the same offset on every line.
        int state = lines[0].indexOf("STATE");
        assertEquals("open", lines[1].substring(state, state + 4));
        assertEquals("opening", lines[2].substring(state, state + 7));
        int age = lines[0].length();
        assertEquals(age, lines[1].length(), "right-aligned last column");
        assertEquals(age, lines[2].length(), "right-aligned last column");
        assertEquals("2 sockets", lines[3]);
    }

    @Test
    void emptyListsSayWhatToDo() {
        assertEquals("no open sockets", SocketCommands.formatSockets(List.of(), NOW));
        assertTrue(SocketCommands.formatEndpoints(List.of()).contains("org.rawsockets.socket.endpoint"));
    }

    @Test
    void endpoints() {
        String out = SocketCommands.formatEndpoints(List.of(
                new EndpointInfo("mail", "smtp.example.org", 465, TlsMode.ON, "mail.example.org", "outgoing mail"),
                new EndpointInfo("plc", "10.1.2.3", 502, TlsMode.OFF, null, "")));
        String[] lines = out.split("\n");
        assertEquals("NAME  HOST              PORT  TLS  SNI               DESCRIPTION", lines[0]);
        assertEquals("mail  smtp.example.org   465  on   mail.example.org  outgoing mail", lines[1]);
        assertEquals("plc   10.1.2.3           502  off  -                 -", lines[2]);
        assertEquals("2 endpoints", lines[3]);
    }

    @Test
    void ages() {
        assertEquals("0s", SocketCommands.age(Duration.ofMillis(10)));
        assertEquals("59s", SocketCommands.age(Duration.ofSeconds(59)));
        assertEquals("1h01m", SocketCommands.age(Duration.ofSeconds(3661)));
        assertEquals("2d03h", SocketCommands.age(Duration.ofHours(51)));
    }

    @Test
    void plainProbe() {
        String out = SocketCommands.formatProbe("127.0.0.1:7 ", 3,
                new TcpOpenInfo(new InetSocketAddress("127.0.0.1", 7), new InetSocketAddress("127.0.0.1", 50000), null), 4);
        assertTrue(out.startsWith("probe 127.0.0.1:7 : open in 4 ms (socket 3, closed again)\n"), out);
        assertTrue(out.contains("  tls      none\n"), out);
    }

    /** A self-signed test certificate (CN=probe.test), only parsed here. */
    private static final String CERT = "-----BEGIN CERTIFICATE-----" + "\n"
            + "MIIBfjCCASWgAwIBAgIUNNZH5ahyyqBPPX9nc4iOExBC+eswCgYIKoZIzj0EAwIw" + "\n"
            + "FTETMBEGA1UEAwwKcHJvYmUudGVzdDAeFw0yNjExMjYxMTQwNDNaFw0zNjExMjMx" + "\n"
            + "MTQwNDNaMBUxEzARBgNVBAMMCnByb2JlLnRlc3QwWTATBgcqhkjOPQIBBggqhkjO" + "\n"
            + "PQMBBwNCAATx6bcU1bOkac0MLOKDdgChLn2JLSDs8ykPuXC1yuHRh7aL4S0n6/JI" + "\n"
            + "6Lx2STez1dKXbAXRJKR+FEay0sZoY/HWo1MwUTAdBgNVHQ4EFgQUG9BGy0aqaQ/r" + "\n"
            + "ngdSOiqXyXp+5BEwHwYDVR0jBBgwFoAUG9BGy0aqaQ/rngdSOiqXyXp+5BEwDwYD" + "\n"
            + "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiArZE+u6mRCB4b1RUhQv40G" + "\n"
            + "oI+/RVTCBmPQ2zZ3gwHbywIgFcMy1pIHO+IOnn0YwNr/GgfBtjb/HAOXrvFwDgw1" + "\n"
            + "6I0=" + "\n"
            + "-----END CERTIFICATE-----";

    @Test
    void tlsProbeShowsProtocolCipherAlpnSniAndTheChain() throws Exception {
        java.security.cert.X509Certificate cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory
                .getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(CERT.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        org.rawsockets.socket.TlsInfo tls = new org.rawsockets.socket.TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", "h2",
                "probe.test", List.of(cert));
        String out = SocketCommands.formatProbe("probe.test:443 (tls)", 9, new TcpOpenInfo(
                new InetSocketAddress("127.0.0.1", 443), new InetSocketAddress("127.0.0.1", 50001), tls), 12);
        assertTrue(out.contains("  tls      TLSv1.3 TLS_AES_128_GCM_SHA256\n"), out);
        assertTrue(out.contains("  alpn     h2\n"), out);
        assertTrue(out.contains("  sni      probe.test\n"), out);
        assertTrue(out.contains("  peer     CN=probe.test\n"), out);
        assertTrue(out.contains("issued by CN=probe.test, valid 2026-11-26T11:40:43Z .. 2036-11-23T11:40:43Z"), out);
    }
}
