package org.rawsockets.socket.mina.internal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The README's example {@code etc/org.rawsockets.socket.policy.cfg}, read as FileInstall reads a
 * {@code .cfg} file (java.util.Properties, string values): valid, and meaning what the README says.
 */
class PolicyExampleConfigTest {

    static PolicySettings example() throws IOException {
        Properties p = new Properties();
        try (InputStream in = PolicyExampleConfigTest.class.getResourceAsStream("org.rawsockets.socket.policy.cfg")) {
            assertNotNull(in, "example file on the test class path");
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        Map<String, Object> map = new HashMap<>();
        p.forEach((k, v) -> map.put((String) k, v));
        return PolicySettings.from(map);
    }

    @ParameterizedTest(name = "{0} {1} {2} ({3}):{4} -> {5}")
    @CsvSource(delimiter = '|', textBlock = """
            org.rawsockets.smtp   | TCP_CONNECT    | mail.example.org | 93.184.216.34   | 587  | true
            org.rawsockets.smtp   | TCP_CONNECT    | mx.example.net   | 93.184.216.34   | 25   | true
            org.rawsockets.smtp   | TCP_CONNECT    | mx.example.net   | 93.184.216.34   | 587  | false
            org.rawsockets.smtp   | TCP_CONNECT    | localhost        | 127.0.0.1       | 2525 | true
            org.rawsockets.modbus | TCP_CONNECT    | 10.20.3.4        | 10.20.3.4       | 502  | true
            org.rawsockets.modbus | TCP_CONNECT    | 10.21.3.4        | 10.21.3.4       | 502  | false
            org.example.discovery | MULTICAST_JOIN | 224.0.0.251      | 224.0.0.251     | 5353 | true
            org.example.syslog    | UDP_RECEIVE    | 192.168.1.20     | 192.168.1.20    | 514  | true
            org.example.syslog    | UDP_RECEIVE    | 192.168.2.20     | 192.168.2.20    | 514  | false
            org.example.discovery | UDP_BIND       | 0.0.0.0          | 0.0.0.0         | 5353 | true
            org.example.discovery | UDP_BIND       | 0.0.0.0          | 0.0.0.0         | 5354 | false
            org.example.syslog    | UDP_BIND       | 0.0.0.0          | 0.0.0.0         | 514  | true
            org.example.syslog    | UDP_BIND       | 0.0.0.0          | 0.0.0.0         | 515  | false
            org.example.syslog    | UDP_SEND       | 0.0.0.0          | 0.0.0.0         | 514  | false
            org.example.web       | TCP_LISTEN     | 0.0.0.0          | 0.0.0.0         | 8080 | true
            org.example.web       | TCP_LISTEN     | 0.0.0.0          | 0.0.0.0         | 8081 | false
            org.example.cloud     | TCP_CONNECT    | 169.254.169.254  | 169.254.169.254 | 80   | true
            org.example.web       | TCP_CONNECT    | 169.254.169.254  | 169.254.169.254 | 80   | false
            """)
    void meansWhatTheReadmeSays(String bundle, AccessKind kind, String host, String ip, int port, boolean allowed)
            throws IOException {
        String all = PolicyEngineTest.ALL_KINDS;
        PolicyEngine e = new PolicyEngine(example(), o -> all);
        Access a = new Access(kind, host, null, new InetSocketAddress(Addresses.literal(ip), port));
        Decision d = e.explain(Owner.of(1, bundle), a);
        assertEquals(allowed, d.allowed(), d.toString());
    }

    @org.junit.jupiter.api.Test
    void isValidAndSetsQuotasAndAudit() throws IOException {
        PolicySettings s = example();
        assertTrue(s.errors().isEmpty(), s.errors().toString());
        assertEquals(13, s.grants().size(), s.grants().toString()); // 11 + 2 default loopback grants
        assertEquals(new Quotas(32, 64, 4194304), s.quotasFor("org.rawsockets.modbus"));
        Owner hmi = Owner.of(1, "org.rawsockets.webbridge").forOrigin("https://hmi.example.com");
        assertEquals(new Quotas(8, 64, 67108864), s.quotasFor(hmi));
        assertEquals(java.util.List.of("org.rawsockets.webbridge"), s.originBundles());
        assertEquals(new Quotas(256, 64, 67108864), s.quotasFor("org.rawsockets.smtp"));
    }
}
