package org.rawsockets.socket.mina.internal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Decision bugs found by hostile tests (issue 10, item 10), as a case table: port ranges that lifted
 * the port denials, IPv6 forms embedding denied IPv4 addresses, binds on all interfaces allowed by
 * the default loopback grants.
 */
class PolicyHolesTest {

    static final Map<String, String> HEADERS = Map.of(
            "org.example.all", PolicyEngineTest.ALL_KINDS,
            "org.example.r1", PolicyEngineTest.ALL_KINDS,
            "org.example.r0", PolicyEngineTest.ALL_KINDS,
            "org.example.plain", PolicyEngineTest.ALL_KINDS);

    static final PolicySettings SETTINGS = PolicySettings.ofGrants(true,
            "org.example.r1 tcp * 1-65535",                         // g1
            "org.example.r0 tcp * 0-65535",                         // g2
            "org.example.all tcp-listen 127.0.0.1 1-65535",         // g3
            "org.example.all tcp-listen 127.0.0.1 80-80",           // g4
            "org.example.all tcp-listen 127.0.0.1 22,443",          // g5
            "org.example.r1 udp-bound 192.168.1.0/24 1-1023",       // g6
            "org.example.all tcp ::/0 *",                           // g7
            "org.example.all tcp 64:ff9b::a9fe:a9fe 80",            // g8
            "org.example.all udp-bound 0.0.0.0 5353",               // g9
            "org.example.all tcp-listen * 8080",                    // g10
            "org.example.all tcp-listen :: 8443",                   // g11
            "org.example.all tcp 64:ff9b::/96 *",                   // g12
            "org.example.all udp-bound ::/0 *",                     // g13
            "org.example.all tcp 2002:a9fe:a9fe::/48 443",          // g14
            "org.example.r1 tcp-listen 127.0.0.1 1-1023");          // g15

    static PolicyEngine engine(PolicySettings s) {
        return new PolicyEngine(s, o -> HEADERS.get(o.symbolicName()));
    }

    @ParameterizedTest(name = "{0} {1} {2}:{3} -> {4}")
    @CsvSource(delimiter = '|', textBlock = """
            # bundle          | kind           | IP                    | port  | allowed | message contains
            # a port range never names a port: * and ranges lift neither smtp-port-25 nor privileged-port
            org.example.r1    | TCP_CONNECT    | 93.184.216.34         | 25    | false   | does not lift the built-in denial 'smtp-port-25'
            org.example.r0    | TCP_CONNECT    | 93.184.216.34         | 25    | false   | does not lift the built-in denial 'smtp-port-25'
            org.example.r1    | TCP_CONNECT    | 93.184.216.34         | 587   | true    | granted by 'g1'
            org.example.r1    | TCP_LISTEN     | 127.0.0.1             | 80    | false   | does not lift the built-in denial 'privileged-port'
            org.example.r1    | UDP_BIND       | 127.0.0.1             | 53    | false   | does not lift the built-in denial 'privileged-port'
            org.example.all   | TCP_LISTEN     | 127.0.0.1             | 81    | false   | does not lift the built-in denial 'privileged-port'
            org.example.all   | TCP_LISTEN     | 127.0.0.1             | 80    | true    | granted by 'g4'
            org.example.all   | TCP_LISTEN     | 127.0.0.1             | 443   | true    | granted by 'g5'
            org.example.all   | TCP_LISTEN     | 127.0.0.1             | 8080  | true    | granted by 'default.loopback'
            # IPv6 forms that embed a denied IPv4 address are mapped back and denied
            org.example.all   | TCP_CONNECT    | ::a9fe:a9fe           | 80    | false   | built-in denial 'cloud-metadata'
            org.example.all   | TCP_CONNECT    | ::ffff:0:a9fe:a9fe    | 80    | false   | built-in denial 'cloud-metadata'
            org.example.all   | TCP_CONNECT    | 64:ff9b::a9fe:a9fe    | 81    | false   | built-in denial 'cloud-metadata'
            org.example.all   | TCP_CONNECT    | 64:ff9b::a9fe:a9fe    | 80    | true    | granted by 'g8'
            org.example.all   | TCP_CONNECT    | 2002:a9fe:a9fe::1     | 80    | false   | built-in denial 'cloud-metadata'
            org.example.all   | TCP_CONNECT    | 2002:a9fe:a9fe::1     | 443   | true    | granted by 'g14'
            org.example.all   | TCP_CONNECT    | 2002:a9fe:101::1      | 80    | false   | built-in denial 'link-local'
            org.example.all   | TCP_CONNECT    | 64:ff9b::a9fe:101     | 80    | false   | built-in denial 'link-local'
            org.example.all   | TCP_CONNECT    | 64:ff9b::7f00:1       | 8080  | false   | built-in denial 'loopback'
            org.example.all   | TCP_CONNECT    | ::7f00:1              | 8080  | false   | built-in denial 'loopback'
            org.example.all   | TCP_CONNECT    | ::ffff:0:7f00:1       | 8080  | false   | built-in denial 'loopback'
            org.example.all   | TCP_CONNECT    | 64:ff9b::5db8:d822    | 25    | false   | built-in denial 'smtp-port-25'
            org.example.all   | TCP_CONNECT    | 64:ff9b::5db8:d822    | 80    | true    | granted by 'g12'
            org.example.all   | TCP_CONNECT    | 2002:5db8:d822::1     | 80    | true    | granted by 'g7'
            org.example.all   | TCP_CONNECT    | ::5db8:d822           | 80    | true    | granted by 'g7'
            org.example.all   | TCP_CONNECT    | ::1                   | 8080  | true    | granted by 'default.loopback6'
            org.example.all   | TCP_CONNECT    | ::                    | 8080  | false   | built-in denial 'unspecified'
            org.example.all   | UDP_SEND       | 64:ff9b::ffff:ffff    | 9     | false   | built-in denial 'broadcast'
            org.example.all   | UDP_RECEIVE    | 64:ff9b::a9fe:a9fe    | 9     | false   | built-in denial 'cloud-metadata'
            org.example.all   | UDP_RECEIVE    | 2001:db8::1           | 9     | true    | granted by 'g13'
            # binding/listening on all interfaces needs a grant naming 0.0.0.0 or :: (and the port)
            org.example.plain | UDP_BIND       | 0.0.0.0               | 5353  | false   | built-in denial 'all-interfaces'
            org.example.plain | UDP_BIND       | ::                    | 5353  | false   | built-in denial 'all-interfaces'
            org.example.plain | UDP_BIND       | 0.0.0.0               | 0     | false   | built-in denial 'all-interfaces'
            org.example.plain | UDP_BIND       | 127.0.0.1             | 5353  | true    | granted by 'default.loopback'
            org.example.plain | TCP_LISTEN     | 0.0.0.0               | 8080  | false   | no grant covers it
            org.example.all   | UDP_BIND       | 0.0.0.0               | 5353  | true    | granted by 'g9'
            org.example.all   | UDP_BIND       | 0.0.0.0               | 5354  | false   | built-in denial 'all-interfaces'
            org.example.all   | UDP_BIND       | ::                    | 5353  | false   | built-in denial 'all-interfaces'
            org.example.all   | TCP_LISTEN     | 0.0.0.0               | 8080  | false   | does not lift the built-in denial 'all-interfaces'
            org.example.all   | TCP_LISTEN     | ::                    | 8443  | true    | granted by 'g11'
            org.example.all   | UDP_SEND       | 0.0.0.0               | 5353  | false   | built-in denial 'unspecified'
            """)
    void decides(String bundle, AccessKind kind, String ip, int port, boolean allowed, String fragment) {
        PolicyEngine e = engine(SETTINGS);
        Owner owner = Owner.of(7, bundle);
        Access access = new Access(kind, ip, null, new InetSocketAddress(Addresses.literal(ip), port));
        Decision d = e.explain(owner, access);
        assertEquals(allowed, d.allowed(), d.toString());
        assertTrue(d.message().contains(fragment), "expected '" + fragment + "' in: " + d.message());
        assertEquals(allowed, e.allows(owner, access));
    }

    @ParameterizedTest(name = "{0} {1}:{2}")
    @CsvSource(delimiter = '|', textBlock = """
            UDP_BIND    | 0.0.0.0            | 5353
            UDP_BIND    | ::                 | 5353
            UDP_BIND    | 0.0.0.0            | 53
            TCP_LISTEN  | 0.0.0.0            | 8080
            TCP_CONNECT | 64:ff9b::a9fe:a9fe | 80
            TCP_CONNECT | 2002:a9fe:a9fe::1  | 80
            TCP_LISTEN  | 127.0.0.1          | 80
            """)
    void theSuggestedGrantAllowsExactlyThat(AccessKind kind, String ip, int port) {
        Owner owner = Owner.of(3, "org.example.plain");
        Access a = new Access(kind, ip, null, new InetSocketAddress(Addresses.literal(ip), port));
        Decision d = engine(PolicySettings.ofGrants(true, "org.example.plain * * *")).explain(owner, a);
        assertFalse(d.allowed(), d.toString());
        Matcher m = Pattern.compile("'grant\\.([^ ]+) = ([^']+)'").matcher(d.message());
        assertTrue(m.find(), d.message());
        Map<String, Object> config = new HashMap<>();
        config.put("grant.everything", "org.example.plain * * *");
        config.put("grant." + m.group(1), m.group(2));
        assertTrue(engine(PolicySettings.from(config)).explain(owner, a).allowed(), m.group(2) + " for " + d);
    }

    @Test
    void suggestedGrantNamesDifferForTwoHostsOnTheSamePort() {
        PolicyEngine e = engine(PolicySettings.ofGrants(true));
        Owner owner = Owner.of(3, "org.example.all");
        Access a = new Access(AccessKind.TCP_CONNECT, "a.example.org", null,
                new InetSocketAddress(Addresses.literal("93.184.216.34"), 22));
        Access b = new Access(AccessKind.TCP_CONNECT, "b.example.org", null,
                new InetSocketAddress(Addresses.literal("93.184.216.35"), 22));
        Map<String, Object> config = new HashMap<>();
        String nameA = null;
        for (Access x : new Access[] { a, b }) {
            Matcher m = Pattern.compile("'grant\\.([^ ]+) = ([^']+)'").matcher(e.explain(owner, x).message());
            assertTrue(m.find());
            if (nameA == null) {
                nameA = m.group(1);
            } else {
                assertNotEquals(nameA, m.group(1), "both suggestions use the same grant name");
            }
            config.put("grant." + m.group(1), m.group(2)); // following the second must not replace the first
        }
        PolicyEngine fixed = engine(PolicySettings.from(config));
        assertTrue(fixed.explain(owner, a).allowed());
        assertTrue(fixed.explain(owner, b).allowed());
    }
}
