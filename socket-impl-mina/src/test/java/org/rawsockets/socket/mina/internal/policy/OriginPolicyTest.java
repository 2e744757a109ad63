package org.rawsockets.socket.mina.internal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NotAllowedException;

/** Web origins as policy principals: {@code origin:} grants and quotas, and what they never lift. */
class OriginPolicyTest {

    static final String BRIDGE = "org.rawsockets.webbridge";
    static final Owner BRIDGE_OWNER = Owner.of(7, BRIDGE);
    static final Owner HMI = BRIDGE_OWNER.forOrigin("https://hmi.example.com");
    static final Owner OTHER = BRIDGE_OWNER.forOrigin("https://evil.example.net");

    static PolicyEngine engine(Map<String, Object> props) {
        return new PolicyEngine(PolicySettings.from(props), o -> PolicyEngineTest.ALL_KINDS);
    }

    static Access tcp(String host, String ip, int port) throws Exception {
        return new Access(AccessKind.TCP_CONNECT, host, null, new InetSocketAddress(InetAddress.getByName(ip), port));
    }

    @Test
    void anOriginGrantAppliesToThatOriginOnly() throws Exception {
        PolicyEngine p = engine(Map.of("grant.app", "origin:https://hmi.example.com tcp plc1.local 502"));
        Access plc = tcp("plc1.local", "10.1.2.3", 502);
        assertTrue(p.decide(HMI, plc).allowed());
        assertFalse(p.decide(OTHER, plc).allowed());
        assertFalse(p.decide(BRIDGE_OWNER, plc).allowed(), "an origin's grant is not the bridge bundle's own");
        assertFalse(p.decide(HMI, tcp("plc1.local", "10.1.2.3", 503)).allowed());
        assertEquals("org.rawsockets.webbridge [7] for origin https://hmi.example.com", HMI.toString());
    }

    @Test
    void bundleAndWildcardGrantsIncludingTheDefaultLoopbackGrantsNeverCoverAnOrigin() throws Exception {
        PolicyEngine p = engine(Map.of("grant.bridge", BRIDGE + " tcp * *", "grant.all", "* tcp * *"));
        assertTrue(p.decide(BRIDGE_OWNER, tcp("127.0.0.1", "127.0.0.1", 8080)).allowed());
        assertTrue(p.decide(BRIDGE_OWNER, tcp("plc1.local", "10.1.2.3", 502)).allowed());
        assertFalse(p.decide(HMI, tcp("127.0.0.1", "127.0.0.1", 8080)).allowed());
        assertFalse(p.decide(HMI, tcp("plc1.local", "10.1.2.3", 502)).allowed());
    }

    @Test
    void originGlobsMatchSchemeHostAndPort() throws Exception {
        PolicyEngine p = engine(Map.of("grant.sites", "origin:https://*.example.com tcp 10.0.0.0/8 502",
                "grant.dev", "origin:http://127.0.0.1:* tcp 127.0.0.1 7"));
        assertTrue(p.decide(HMI, tcp("10.1.2.3", "10.1.2.3", 502)).allowed());
        assertFalse(p.decide(BRIDGE_OWNER.forOrigin("http://hmi.example.com"), tcp("10.1.2.3", "10.1.2.3", 502)).allowed());
        assertTrue(p.decide(BRIDGE_OWNER.forOrigin("http://127.0.0.1:41234"), tcp("127.0.0.1", "127.0.0.1", 7)).allowed());
        assertFalse(p.decide(BRIDGE_OWNER.forOrigin("http://localhost:41234"), tcp("127.0.0.1", "127.0.0.1", 7)).allowed());
    }

    @Test
    void anOriginsEndpointGrantCoversThatEndpointOnlyAndLiftsNoDenial() throws Exception {
        PolicyEngine p = engine(Map.of("grant.plc1", "origin:https://hmi.example.com tcp endpoint:plc1 *"));
        Access plc1 = new Access(AccessKind.TCP_CONNECT, "10.0.0.17", "plc1", new InetSocketAddress(InetAddress.getByName("10.0.0.17"), 502));
        assertTrue(p.decide(HMI, plc1).allowed(), "the bridge page opens the operator's endpoint by name");
        assertFalse(p.decide(OTHER, plc1).allowed());
        assertFalse(p.decide(HMI, tcp("10.0.0.17", "10.0.0.17", 502)).allowed(), "the same address without the endpoint");
        assertFalse(p.decide(HMI, new Access(AccessKind.TCP_CONNECT, "10.0.0.17", "plc2",
                new InetSocketAddress(InetAddress.getByName("10.0.0.17"), 502))).allowed(), "another endpoint");
        Access loop = new Access(AccessKind.TCP_CONNECT, "127.0.0.1", "plc1", new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 502));
        assertEquals(Verdict.BUILT_IN_DENIAL, p.decide(HMI, loop), "an endpoint grant lifts no built-in denial");
    }

    @Test
    void builtInDenialsHoldForOrigins() throws Exception {
        PolicyEngine p = engine(Map.of("grant.any", "origin:https://hmi.example.com * * *"));
        assertTrue(p.decide(HMI, tcp("plc1.local", "10.1.2.3", 502)).allowed());
        assertEquals(Verdict.BUILT_IN_DENIAL, p.decide(HMI, tcp("169.254.169.254", "169.254.169.254", 80)));
        assertEquals(Verdict.BUILT_IN_DENIAL, p.decide(HMI, tcp("localhost", "127.0.0.1", 8080)));
        assertEquals(Verdict.BUILT_IN_DENIAL, p.decide(HMI, tcp("mx.example.org", "192.0.2.25", 25)));
    }

    @Test
    void onlyTheConfiguredBundlesMayActForOrigins() throws Exception {
        Map<String, Object> grant = Map.of("grant.app", "origin:https://hmi.example.com tcp * 502");
        Owner rogue = Owner.of(9, "org.example.rogue").forOrigin("https://hmi.example.com");
        PolicyEngine p = engine(grant);
        Access plc = tcp("plc1.local", "10.1.2.3", 502);
        assertFalse(p.decide(rogue, plc).allowed());
        NotAllowedException e = assertThrows(NotAllowedException.class, () -> p.check(rogue, plc));
        assertTrue(e.getMessage().contains("may not open sockets for web origins") && e.getMessage().contains("originBundles"),
                e.getMessage());
        PolicyEngine widened = engine(Map.of("grant.app", "origin:https://hmi.example.com tcp * 502",
                "originBundles", new String[] {BRIDGE, "org.example.rogue"}));
        assertTrue(widened.decide(rogue, plc).allowed());
    }

    @Test
    void aRefusalForAnOriginSuggestsTheOriginGrant() throws Exception {
        PolicyEngine p = engine(Map.of());
        NotAllowedException e = assertThrows(NotAllowedException.class,
                () -> p.check(HMI, tcp("plc1.local", "10.1.2.3", 502)));
        assertTrue(e.getMessage().contains("for origin https://hmi.example.com"), e.getMessage());
        assertTrue(e.getMessage().contains("= origin:https://hmi.example.com tcp plc1.local 502'"), e.getMessage());
        assertTrue(e.getMessage().contains("grant.origin-hmi.example.com-tcp-plc1.local-502"), e.getMessage());
    }

    @Test
    void quotasPerOrigin() {
        PolicySettings s = PolicySettings.from(Map.of("maxOpenSockets", 100,
                "quota.hmi", "origin:https://hmi.example.com maxOpenSockets=3",
                "quota.bridge", BRIDGE + " maxOpenSockets=50"));
        assertEquals(3, s.quotasFor(HMI).maxOpenSockets());
        assertEquals(100, s.quotasFor(OTHER).maxOpenSockets(), "an origin does not inherit its bridge's quota");
        assertEquals(50, s.quotasFor(BRIDGE_OWNER).maxOpenSockets());
        assertTrue(s.errors().isEmpty(), s.errors().toString());
    }

    @Test
    void malformedOriginsInGrantsAndQuotasAreConfigurationErrors() {
        PolicySettings s = PolicySettings.from(Map.of(
                "grant.path", "origin:https://hmi.example.com/app tcp * 502",
                "grant.upper", "origin:HTTPS://HMI.example.com tcp * 502",
                "quota.bad", "origin:hmi.example.com maxOpenSockets=3"));
        assertEquals(3, s.errors().size(), s.errors().toString());
        assertTrue(s.errors().stream().allMatch(m -> m.contains("is not a web origin")), s.errors().toString());
        assertTrue(s.grants().stream().noneMatch(g -> g.name().equals("path") || g.name().equals("upper")));
    }
}
