package org.rawsockets.socket.mina.internal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rawsockets.socket.NotAllowedException;

/** The rule engine as case tables: declarations x grants x built-in denials. */
class PolicyEngineTest {

    static final String ALL_KINDS = "TCP;host=\"*\";ports=\"*\",TCP_LISTEN;host=\"*\";ports=\"*\","
            + "UDP_CONNECTED;host=\"*\";ports=\"*\",UDP_BOUND;host=\"*\";ports=\"*\",MULTICAST;host=\"*\";ports=\"*\"";

    static final Map<String, String> HEADERS = Map.of(
            "org.example.ssh", "TCP;host=\"*\";ports=22",
            "org.example.all", ALL_KINDS,
            "org.example.mail", "tcp;host=\"*\";ports=\"*\"",
            "org.example.narrow", "TCP;host=\"*.example.org\";ports=\"443\",udp-connected;host=\"10.0.0.0/8\";ports=\"53\"");

    static final PolicySettings SETTINGS = PolicySettings.ofGrants(true,
            "org.example.* tcp *.example.org 22",
            "org.example.all tcp 10.0.0.0/8 8000-8100",
            "org.example.all tcp 2a00:1450::/32 443",
            "org.example.all tcp bücher.example 80",
            "org.example.all tcp 169.254.169.254 80",
            "org.example.all tcp-listen 127.0.0.1 443",
            "org.example.all tcp * 25",
            "org.example.all udp-bound 192.168.1.0/24 *",
            "org.example.all tcp 0.0.0.0/0 9000",
            "org.example.all multicast 239.1.2.3 5000",
            "org.example.all udp-connected 0.0.0.0/0 7",
            "org.example.all udp-connected ::/0 7",
            "org.example.all udp-bound * 53",
            "org.example.mail tcp * *",
            "org.example.narrow * * *",
            "org.example.all tcp endpoint:plc1 *",
            "org.example.all tcp fe80::/10 9100");

    static PolicyEngine engine(PolicySettings s) {
        return new PolicyEngine(s, o -> HEADERS.get(o.symbolicName()));
    }

    static Access access(AccessKind kind, String host, String ip, int port) {
        InetAddress a = Addresses.literal(ip.isEmpty() ? host : ip);
        assertNotNull(a, "test data: not an IP literal: " + ip);
        return new Access(kind, host, null, new InetSocketAddress(a, port));
    }

    @ParameterizedTest(name = "{0} {1} {2} ({3}):{4} -> {5}")
    @CsvSource(delimiter = '|', textBlock = """
            # bundle         | kind           | requested host        | resolved IP              | port | allowed | message contains
            org.example.ssh  | TCP_CONNECT    | a.example.org         | 93.184.216.34            | 22   | true    | granted by 'g1'
            org.example.ssh  | TCP_CONNECT    | a.b.example.org       | 93.184.216.34            | 22   | true    | granted by 'g1'
            org.example.ssh  | TCP_CONNECT    | A.Example.ORG.        | 93.184.216.34            | 22   | true    | granted by 'g1'
            org.example.ssh  | TCP_CONNECT    | example.org           | 93.184.216.34            | 22   | false   | no grant covers it
            org.example.ssh  | TCP_CONNECT    | evil-example.org      | 93.184.216.34            | 22   | false   | no grant covers it
            org.example.ssh  | TCP_CONNECT    | a.example.org         | 93.184.216.34            | 23   | false   | does not declare it
            org.example.ssh  | TCP_CONNECT    | a.example.org         | 169.254.169.254          | 22   | false   | built-in denial 'cloud-metadata'
            org.example.ssh  | TCP_CONNECT    | a.example.org         | 127.0.0.1                | 22   | true    | granted by 'default.loopback'
            org.example.ssh  | TCP_CONNECT    | a.example.org         | ::1                      | 22   | true    | granted by 'default.loopback6'
            org.example.ssh  | TCP_CONNECT    | a.example.org         | 0.0.0.0                  | 22   | false   | built-in denial 'unspecified'
            org.example.all  | TCP_CONNECT    | 10.0.0.0              |                          | 8000 | true    | granted by 'g2'
            org.example.all  | TCP_CONNECT    | 10.255.255.255        |                          | 8100 | true    | granted by 'g2'
            org.example.all  | TCP_CONNECT    | 11.0.0.0              |                          | 8000 | false   | no grant covers it
            org.example.all  | TCP_CONNECT    | 9.255.255.255         |                          | 8000 | false   | no grant covers it
            org.example.all  | TCP_CONNECT    | 10.0.0.1              |                          | 7999 | false   | no grant covers it
            org.example.all  | TCP_CONNECT    | 10.0.0.1              |                          | 8101 | false   | no grant covers it
            org.example.all  | TCP_CONNECT    | host.in.ten           | 10.1.2.3                 | 8050 | true    | granted by 'g2'
            org.example.all  | TCP_CONNECT    | 2a00:1450::1          |                          | 443  | true    | granted by 'g3'
            org.example.all  | TCP_CONNECT    | [2a00:1450::1]        | 2a00:1450::1             | 443  | true    | granted by 'g3'
            org.example.all  | TCP_CONNECT    | 2a00:1450:ffff:ffff:ffff:ffff:ffff:ffff |        | 443  | true    | granted by 'g3'
            org.example.all  | TCP_CONNECT    | 2a00:1451::                         |          | 443  | false   | no grant covers it
            org.example.all  | TCP_CONNECT    | 2a00:144f:ffff:ffff:ffff:ffff:ffff:ffff |        | 443  | false   | no grant covers it
            org.example.all  | TCP_CONNECT    | bücher.example        | 93.184.216.34            | 80   | true    | granted by 'g4'
            org.example.all  | TCP_CONNECT    | BÜCHER.example        | 93.184.216.34            | 80   | true    | granted by 'g4'
            org.example.all  | TCP_CONNECT    | xn--bcher-kva.example | 93.184.216.34            | 80   | true    | granted by 'g4'
            org.example.all  | TCP_CONNECT    | buecher.example       | 93.184.216.34            | 80   | false   | no grant covers it
            org.example.all  | TCP_CONNECT    | 169.254.169.254       |                          | 80   | true    | lifts the built-in denial
            org.example.all  | TCP_CONNECT    | ::ffff:169.254.169.254 |                         | 80   | true    | granted by 'g5'
            org.example.all  | TCP_CONNECT    | 169.254.169.254       |                          | 9000 | false   | does not lift the built-in denial 'link-local'
            org.example.all  | TCP_CONNECT    | ::ffff:169.254.169.254 |                         | 9000 | false   | does not lift the built-in denial 'cloud-metadata'
            org.example.all  | TCP_CONNECT    | 169.254.1.1           |                          | 9000 | false   | does not lift the built-in denial 'link-local'
            org.example.all  | TCP_CONNECT    | fe80::1               |                          | 9000 | false   | built-in denial 'link-local'
            org.example.all  | TCP_CONNECT    | fe80::1               |                          | 9100 | true    | granted by 'g17'
            org.example.all  | TCP_CONNECT    | febf:ffff::1          |                          | 9100 | true    | granted by 'g17'
            org.example.all  | TCP_CONNECT    | fec0::1               |                          | 9100 | false   | no grant covers it
            org.example.all  | TCP_CONNECT    | fd00:ec2::254         |                          | 9000 | false   | built-in denial 'cloud-metadata'
            org.example.all  | TCP_CONNECT    | 168.63.129.16         |                          | 9000 | false   | built-in denial 'cloud-metadata'
            org.example.all  | TCP_CONNECT    | 93.184.216.34         |                          | 9000 | true    | granted by 'g9'
            org.example.all  | TCP_LISTEN     | 127.0.0.1             |                          | 443  | true    | granted by 'g6'
            org.example.all  | TCP_LISTEN     | 127.0.0.1             |                          | 80   | false   | built-in denial 'privileged-port'
            org.example.all  | TCP_LISTEN     | 127.0.0.1             |                          | 1023 | false   | built-in denial 'privileged-port'
            org.example.all  | TCP_LISTEN     | 127.0.0.1             |                          | 1024 | true    | granted by 'default.loopback'
            org.example.all  | TCP_LISTEN     | 127.0.0.1             |                          | 0    | true    | granted by 'default.loopback'
            org.example.all  | TCP_LISTEN     | 0.0.0.0               |                          | 8080 | false   | no grant covers it
            org.example.all  | TCP_LISTEN     | ::                    |                          | 8080 | false   | no grant covers it
            org.example.all  | TCP_CONNECT    | mx.example.net        | 93.184.216.34            | 25   | true    | granted by 'g7'
            org.example.mail | TCP_CONNECT    | mx.example.net        | 93.184.216.34            | 25   | false   | built-in denial 'smtp-port-25'
            org.example.mail | TCP_CONNECT    | mx.example.net        | 93.184.216.34            | 587  | true    | granted by 'g14'
            org.example.mail | TCP_CONNECT    | localhost             | 127.0.0.1                | 25   | true    | granted by 'default.loopback'
            org.example.all  | UDP_SEND       | 192.168.1.7           |                          | 5000 | true    | granted by 'g8'
            org.example.all  | UDP_SEND       | 192.168.1.255         |                          | 5000 | true    | granted by 'g8'
            org.example.all  | UDP_SEND       | 192.168.2.7           |                          | 5000 | false   | no grant covers it
            org.example.all  | UDP_RECEIVE    | 192.168.1.9           |                          | 4000 | true    | granted by 'g8'
            org.example.all  | UDP_RECEIVE    | 8.8.8.8               |                          | 4000 | false   | no grant covers it
            org.example.all  | UDP_SEND       | 255.255.255.255       |                          | 53   | false   | built-in denial 'broadcast'
            org.example.all  | UDP_BIND       | 0.0.0.0               |                          | 5000 | false   | built-in denial 'all-interfaces'
            org.example.all  | UDP_BIND       | 127.0.0.1             |                          | 5000 | true    | granted by 'default.loopback'
            org.example.all  | UDP_BIND       | 0.0.0.0               |                          | 53   | false   | built-in denial 'all-interfaces'
            org.example.all  | UDP_BIND       | 127.0.0.1             |                          | 53   | true    | granted by 'g13'
            org.example.all  | UDP_BIND       | 0.0.0.0               |                          | 54   | false   | built-in denial 'privileged-port'
            org.example.all  | MULTICAST_JOIN | 239.1.2.3             |                          | 5000 | true    | granted by 'g10'
            org.example.all  | MULTICAST_JOIN | 239.1.2.4             |                          | 5000 | false   | no grant covers it
            org.example.all  | UDP_CONNECTED  | 8.8.8.8               |                          | 7    | true    | granted by 'g11'
            org.example.all  | UDP_CONNECTED  | 0.0.0.0               |                          | 7    | false   | does not lift the built-in denial 'unspecified'
            org.example.all  | UDP_CONNECTED  | 2a00::1               |                          | 7    | true    | granted by 'g12'
            org.example.all  | UDP_CONNECTED  | ::                    |                          | 7    | false   | built-in denial 'unspecified'
            org.example.all  | UDP_CONNECTED  | 8.8.8.8               |                          | 8    | false   | no grant covers it
            org.example.none | TCP_CONNECT    | 127.0.0.1             |                          | 8080 | false   | declares no socket access
            org.example.narrow | TCP_CONNECT  | www.example.org       | 93.184.216.34            | 443  | true    | granted by 'g15'
            org.example.narrow | TCP_CONNECT  | www.example.com       | 93.184.216.34            | 443  | false   | does not declare it
            org.example.narrow | TCP_CONNECT  | www.example.org       | 93.184.216.34            | 80   | false   | does not declare it
            org.example.narrow | UDP_CONNECTED | 10.9.9.9             |                          | 53   | true    | granted by 'g15'
            org.example.narrow | UDP_CONNECTED | 11.9.9.9             |                          | 53   | false   | does not declare it
            org.example.narrow | UDP_SEND     | 10.9.9.9              |                          | 53   | false   | does not declare it
            """)
    void decides(String bundle, AccessKind kind, String host, String ip, int port, boolean allowed, String fragment)
            throws NotAllowedException {
        PolicyEngine e = engine(SETTINGS);
        Owner owner = Owner.of(7, bundle);
        Access access = access(kind, host, ip == null ? "" : ip, port);
        Decision d = e.explain(owner, access);
        assertEquals(allowed, d.allowed(), d.toString());
        assertTrue(d.message().contains(fragment), "expected '" + fragment + "' in: " + d.message());
        assertEquals(allowed, e.allows(owner, access));
        if (allowed) {
            e.check(owner, access);
        } else {
            NotAllowedException x = assertThrows(NotAllowedException.class, () -> e.check(owner, access));
            assertEquals(d.message(), x.getMessage());
        }
    }

    @Test
    void endpointGrantMatchesTheNamedEndpointOnly() {
        PolicyEngine e = engine(SETTINGS);
        Owner owner = Owner.of(7, "org.example.all");
        InetSocketAddress plc = new InetSocketAddress(Addresses.literal("192.168.7.7"), 502);
        assertTrue(e.explain(owner, new Access(AccessKind.TCP_CONNECT, "plc.lan", "plc1", plc)).allowed());
        Decision other = e.explain(owner, new Access(AccessKind.TCP_CONNECT, "plc.lan", "plc2", plc));
        assertFalse(other.allowed());
        assertTrue(other.message().contains("grant.all-tcp-endpoint_plc2-502 = org.example.all tcp endpoint:plc2 502"), other.message());
        assertFalse(e.explain(owner, new Access(AccessKind.TCP_CONNECT, "plc.lan", null, plc)).allowed());
    }

    @Test
    void refusalNamesBundleDestinationResolvedAddressPortAndTheExactConfigLine() {
        PolicyEngine e = engine(PolicySettings.ofGrants(true));
        Owner owner = Owner.of(12, "org.example.ssh");
        Access a = access(AccessKind.TCP_CONNECT, "git.example.org", "93.184.216.34", 22);
        NotAllowedException x = assertThrows(NotAllowedException.class, () -> e.check(owner, a));
        String m = x.getMessage();
        assertTrue(m.startsWith("bundle org.example.ssh [12] may not tcp connect git.example.org (93.184.216.34):22: no grant covers it"), m);
        assertTrue(m.contains("add to etc/org.rawsockets.socket.policy.cfg the line"
                + " 'grant.ssh-tcp-git.example.org-22 = org.example.ssh tcp git.example.org 22'"), m);
        assertTrue(m.contains("policy:grant ssh-tcp-git.example.org-22 org.example.ssh tcp git.example.org 22"), m);
        assertEquals(1, e.refusals());

        // The suggested line, once configured, allows exactly that.
        PolicyEngine fixed = engine(PolicySettings.from(Map.of("grant.ssh-tcp-git.example.org-22", "org.example.ssh tcp git.example.org 22")));
        assertTrue(fixed.explain(owner, a).allowed());
    }

    @Test
    void suggestedLineForADeniedAddressNamesTheIpSoThatItLiftsTheDenial() {
        PolicyEngine e = engine(PolicySettings.ofGrants(true, "org.example.all tcp * *"));
        Owner owner = Owner.of(3, "org.example.all");
        Access a = access(AccessKind.TCP_CONNECT, "metadata.internal", "169.254.169.254", 80);
        Decision d = e.explain(owner, a);
        assertFalse(d.allowed());
        assertTrue(d.message().contains("'grant.all-tcp-169.254.169.254-80 = org.example.all tcp 169.254.169.254 80'"), d.message());
        PolicyEngine fixed = engine(PolicySettings.from(Map.of("grant.x", "org.example.all tcp 169.254.169.254 80")));
        assertTrue(fixed.explain(owner, a).allowed());
        // A host-name grant never lifts an address denial, whatever the name resolves to.
        PolicyEngine byName = engine(PolicySettings.from(Map.of("grant.x", "org.example.all tcp metadata.internal 80")));
        assertFalse(byName.explain(owner, a).allowed());
    }

    @Test
    void undeclaredAccessSuggestsTheAnnotation() {
        PolicyEngine e = engine(PolicySettings.ofGrants(true, "org.example.ssh tcp * 80"));
        Decision d = e.explain(Owner.of(1, "org.example.ssh"), access(AccessKind.TCP_CONNECT, "93.184.216.34", "", 80));
        assertFalse(d.allowed());
        assertTrue(d.message().contains("@RequireSocket(kind = RequireSocket.Kind.TCP, host = \"93.184.216.34\", ports = \"80\")"),
                d.message());
        assertTrue(d.message().contains("configuration cannot grant what a bundle does not declare"), d.message());
    }

    @ParameterizedTest(name = "default policy: {0} {1}:{2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            TCP_CONNECT    | 127.0.0.1     | 8080 | true
            TCP_CONNECT    | 127.1.2.3     | 8080 | true
            TCP_CONNECT    | ::1           | 8080 | true
            TCP_CONNECT    | 127.0.0.1     | 25   | true
            TCP_CONNECT    | 93.184.216.34 | 443  | false
            TCP_CONNECT    | 192.168.1.1   | 502  | false
            TCP_CONNECT    | 169.254.169.254 | 80 | false
            TCP_LISTEN     | 127.0.0.1     | 8080 | true
            TCP_LISTEN     | 127.0.0.1     | 0    | true
            TCP_LISTEN     | 127.0.0.1     | 80   | false
            TCP_LISTEN     | 0.0.0.0       | 8080 | false
            UDP_CONNECTED  | 127.0.0.1     | 5353 | true
            UDP_BIND       | 127.0.0.1     | 0    | true
            UDP_SEND       | 127.0.0.1     | 9    | true
            UDP_SEND       | 8.8.8.8       | 53   | false
            MULTICAST_JOIN | 239.255.0.1   | 5000 | false
            """)
    void defaultPolicyAllowsDeclaredLoopbackOnly(AccessKind kind, String ip, int port, boolean allowed) {
        PolicyEngine e = engine(PolicySettings.defaults());
        Decision d = e.explain(Owner.of(5, "org.example.all"), access(kind, ip, "", port));
        assertEquals(allowed, d.allowed(), d.toString());
        // Without the default grants nothing at all is allowed.
        PolicyEngine none = engine(PolicySettings.from(Map.of("defaultGrants", "false")));
        assertFalse(none.explain(Owner.of(5, "org.example.all"), access(kind, ip, "", port)).allowed());
    }

    @Test
    void localhostNameGrantLiftsTheLoopbackDenialButAWildcardDoesNot() {
        Owner o = Owner.of(5, "org.example.all");
        Access a = access(AccessKind.TCP_CONNECT, "localhost", "127.0.0.1", 8080);
        assertTrue(engine(PolicySettings.ofGrants(false, "org.example.all tcp localhost 8080")).explain(o, a).allowed());
        Decision d = engine(PolicySettings.ofGrants(false, "org.example.all tcp * 8080")).explain(o, a);
        assertFalse(d.allowed());
        assertTrue(d.message().contains("built-in denial 'loopback'"), d.message());
        Access rebound = access(AccessKind.TCP_CONNECT, "www.example.org", "127.0.0.1", 8080);
        assertFalse(engine(PolicySettings.ofGrants(false, "org.example.all tcp *.example.org 8080")).explain(o, rebound).allowed());
    }

    @Test
    void quotasDefaultAndPerBundleOverrides() {
        PolicySettings s = PolicySettings.from(Map.of("maxOpenSockets", "10", "maxPendingOpens", 3,
                "quota.mail", "org.example.mail maxOpenSockets=2", "quota.examples", "org.example.* maxBufferedBytes=1024",
                "quota.bad", "org.example.x maxOpenSockets=many"));
        PolicyEngine e = engine(s);
        assertEquals(new Quotas(2, 3, PolicySettings.DEFAULT_QUOTAS.maxBufferedBytes()), e.quotas(Owner.of(1, "org.example.mail")));
        assertEquals(new Quotas(10, 3, 1024), e.quotas(Owner.of(2, "org.example.ssh")));
        assertEquals(new Quotas(10, 3, PolicySettings.DEFAULT_QUOTAS.maxBufferedBytes()), e.quotas(Owner.of(3, "com.other")));
        assertEquals(1, s.errors().size(), s.errors().toString());
        assertTrue(s.errors().get(0).contains("quota 'bad'"), s.errors().toString());
    }

    @Test
    void invalidGrantLinesAreReportedAndAllowNothing() {
        PolicySettings s = PolicySettings.from(Map.of("defaultGrants", false, "grant.a", "org.example.all tcp 10.0.0.1/8 *",
                "grant.b", "org.example.all tcpx * *", "grant.c", "org.example.all tcp * 70000", "grant.d", "too few",
                "grants", new String[] { "org.example.all tcp 10.0.0.0/33 1", "org.example.all udp-bound * 9000-8000" }));
        assertEquals(0, s.grants().size());
        assertEquals(6, s.errors().size(), s.errors().toString());
        String all = String.join("\n", s.errors());
        assertTrue(all.contains("did you mean 10.0.0.0/8?"), all);
        assertTrue(all.contains("unknown kind 'tcpx'"), all);
        assertTrue(all.contains("outside 0..65535"), all);
        assertTrue(all.contains("must have 4 fields"), all);
        assertTrue(all.contains("prefix length must be in 0..32"), all);
        assertTrue(all.contains("runs backwards"), all);
    }

    @Test
    void grantsListAndNamedKeysAreEquivalent() {
        Owner o = Owner.of(5, "org.example.all");
        Access a = access(AccessKind.TCP_CONNECT, "10.1.1.1", "", 8000);
        assertTrue(engine(PolicySettings.from(Map.of("grants", new String[] { "org.example.all tcp 10.0.0.0/8 8000" })))
                .explain(o, a).allowed());
        assertTrue(engine(PolicySettings.from(Map.of("grants", java.util.List.of("org.example.all tcp 10.0.0.0/8 8000"))))
                .explain(o, a).allowed());
        assertTrue(engine(PolicySettings.from(Map.of("grant.plc", "org.example.all tcp 10.0.0.0/8 8000"))).explain(o, a).allowed());
    }

    @Test
    void bundleGlobs() {
        assertTrue(Rule.glob("*", "anything"));
        assertTrue(Rule.glob("org.example.*", "org.example.a.b"));
        assertFalse(Rule.glob("org.example.*", "org.example"));
        assertFalse(Rule.glob("org.example.*", "org.exampleX.a"));
        assertTrue(Rule.glob("org.example.ssh", "org.example.ssh"));
        assertFalse(Rule.glob("org.example.ssh", "org.example.sshd"));
    }

    @Test
    void malformedDeclarationClausesAllowNothingAndAreReported() {
        Declarations d = Declarations.parse("b", "tcp;host=\"*\";ports=\"22,80\",bogus;host=\"*\",tcp;port=\"1\"");
        assertEquals(1, d.rules().size());
        assertEquals(2, d.errors().size(), d.errors().toString());
        assertTrue(d.rules().get(0).ports().contains(80));
    }

    @ParameterizedTest(name = "{0} {1} ({2}):{3} -> {4}")
    @CsvSource(delimiter = '|', textBlock = """
            TCP_CONNECT | example.org            | 93.184.216.34   | 443 | tcp connect example.org (93.184.216.34):443
            TCP_CONNECT | 93.184.216.34          | 93.184.216.34   | 443 | tcp connect 93.184.216.34:443
            TCP_CONNECT | fe80::1                | fe80::1         | 22  | tcp connect [fe80::1]:22
            TCP_CONNECT | [::1]                  | ::1             | 22  | tcp connect [::1]:22
            TCP_CONNECT | ::ffff:169.254.169.254 | 169.254.169.254 | 80  | tcp connect 169.254.169.254:80
            UDP_SEND    | v6.example.org         | 2a00:1450::1    | 53  | udp send v6.example.org (2a00:1450::1):53
            """)
    void describesTheAccessForMessages(AccessKind kind, String host, String ip, int port, String expected) {
        assertEquals(expected, new Access(kind, host, null, new InetSocketAddress(Addresses.literal(ip), port)).describe());
    }
}
