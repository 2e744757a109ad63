package org.rawsockets.socket.mina.internal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.admin.AuditEntry;
import org.rawsockets.socket.admin.AuditPage;
import org.rawsockets.socket.admin.Explanation;
import org.rawsockets.socket.admin.GrantChange;
import org.rawsockets.socket.admin.PolicySnapshot;

/**
 * {@link PolicyAdminComponent} (the exported PolicyAdmin) against the real policy component and audit
 * ring, with a minimal in-memory Config Admin that delivers updates synchronously.
 */
class PolicyAdminComponentTest {

    private final Hashtable<String, Object> stored = new Hashtable<>(Map.of("defaultGrants", "false"));
    private final PolicyComponent policy = new PolicyComponent(Map.of("defaultGrants", "false"));
    private final RingAuditLog audit = new RingAuditLog(3);
    private final Bundle ssh = bundle(5, "org.example.ssh", "TCP;host=\"*\";ports=\"22\"");
    private final PolicyAdminComponent admin = new PolicyAdminComponent(context(ssh, bundle(6, "org.example.none", null)),
            policy, audit, configAdmin(), null);

    @Test
    void refusalSuggestsTheGrantThatThenAllowsTheOpen() throws NotAllowedException {
        Access access = new Access(AccessKind.TCP_CONNECT, "127.0.0.1", null,
                new InetSocketAddress(Addresses.literal("127.0.0.1"), 22));
        NotAllowedException refused = assertThrows(NotAllowedException.class, () -> policy.check(Owner.of(ssh), access));
        audit.record(new AuditLog.Entry(Instant.EPOCH, Owner.of(ssh), 0, AccessKind.TCP_CONNECT, "127.0.0.1:22",
                access.address(), AuditLog.Outcome.REFUSED, refused.getMessage(), 0, 0));

        AuditPage page = admin.audit(0, 10);
        assertEquals(1, page.lastSequence());
        AuditEntry e = page.entries().get(0);
        assertEquals("REFUSED", e.outcome());
        assertEquals("org.example.ssh [5]", e.owner());
        assertEquals("127.0.0.1:22", e.address());
        assertNotNull(e.suggestion(), e.detail());
        assertEquals("org.example.ssh tcp 127.0.0.1 22", e.suggestion().line());

        GrantChange g = admin.grant(e.suggestion().name(), e.suggestion().line());
        assertEquals("org.example.ssh tcp 127.0.0.1 22", stored.get("grant." + e.suggestion().name()));
        assertNull(g.previousLine());
        policy.check(Owner.of(ssh), access); // allowed now

        List<Explanation> ex = admin.explain("org.example.ssh", "tcp", "127.0.0.1", 22);
        assertEquals(1, ex.size());
        assertTrue(ex.get(0).allowed(), ex.get(0).message());
        assertNotNull(admin.revoke(e.suggestion().name()));
        assertNull(admin.revoke(e.suggestion().name()));
        Explanation denied = admin.explain("org.example.ssh", "tcp", "127.0.0.1", 22).get(0);
        assertFalse(denied.allowed());
        assertEquals(e.suggestion(), denied.suggestion());
    }

    @Test
    void auditSequencesLetALiveViewAskForNewEntriesOnly() {
        for (int i = 1; i <= 5; i++) {
            audit.record(new AuditLog.Entry(Instant.EPOCH, Owner.of(ssh), i, AccessKind.TCP_CONNECT, "h:22", null,
                    AuditLog.Outcome.OPENED, "", 0, 0));
        }
        AuditPage all = admin.audit(0, 100);
        assertEquals(5, all.lastSequence());
        assertEquals(List.of(3L, 4L, 5L), all.entries().stream().map(AuditEntry::sequence).toList()); // ring of 3
        assertEquals(List.of(3L, 4L, 5L), all.entries().stream().map(AuditEntry::socketId).toList());
        assertEquals(List.of(5L), admin.audit(4, 100).entries().stream().map(AuditEntry::sequence).toList());
        assertEquals(List.of(), admin.audit(5, 100).entries());
        assertEquals(List.of(4L, 5L), admin.audit(0, 2).entries().stream().map(AuditEntry::sequence).toList());
        assertEquals(Map.of("OPENED", 5L), all.counts());
        assertEquals(3, all.capacity());
    }

    @Test
    void snapshotAndBadInput() {
        PolicySnapshot s = admin.policy();
        assertFalse(s.defaultGrants());
        assertTrue(s.grants().isEmpty(), s.grants().toString());
        assertTrue(s.builtInDenials().stream().anyMatch(d -> d.id().equals("cloud-metadata")));
        assertEquals(List.of(new PolicySnapshot.BundleDeclaration(5, "org.example.ssh", "TCP;host=\"*\";ports=\"22\"",
                List.of())), s.declarations());
        assertTrue(s.defaultQuotas().startsWith("maxOpenSockets=256"), s.defaultQuotas());

        assertTrue(assertThrows(IllegalArgumentException.class, () -> admin.grant("x", "org.example.ssh tcpx * 22"))
                .getMessage().contains("grant 'x'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> admin.grant("bad name", "* tcp * 22"))
                .getMessage().contains("must use letters"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> admin.grant("default.x", "* tcp * 22"))
                .getMessage().contains("reserved"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> admin.explain("org.example.ssh", "tcpx", "127.0.0.1", 22))
                .getMessage().startsWith("unknown kind 'tcpx'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> admin.explain("org.example.ssh", "tcp", "endpoint:plc", 0))
                .getMessage().startsWith("no endpoint named 'plc'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> admin.explain("org.example.ssh", "tcp", "127.0.0.1", 70000))
                .getMessage().contains("outside 0..65535"));
        assertEquals(Map.of("defaultGrants", "false"), stored, "nothing changed");
    }

    // --- minimal fakes -----------------------------------------------------------------------

    private ConfigurationAdmin configAdmin() {
        Configuration config = (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { Configuration.class }, (p, m, a) -> switch (m.getName()) {
                    case "getProperties" -> stored.isEmpty() ? null : new Hashtable<>(stored);
                    case "update" -> {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> d = (Dictionary<String, Object>) a[0];
                        stored.clear();
                        Map<String, Object> map = new HashMap<>();
                        for (String k : Collections.list(d.keys())) {
                            stored.put(k, d.get(k));
                            map.put(k, d.get(k));
                        }
                        policy.modified(map);
                        yield null;
                    }
                    case "getPid" -> "org.rawsockets.socket.policy";
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { ConfigurationAdmin.class }, (p, m, a) -> {
                    if (m.getName().equals("getConfiguration")) {
                        return config;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    private static Bundle bundle(long id, String bsn, String header) {
        return (Bundle) Proxy.newProxyInstance(PolicyAdminComponentTest.class.getClassLoader(), new Class<?>[] { Bundle.class },
                (p, m, a) -> switch (m.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> bsn;
                    case "getLastModified" -> 1L;
                    case "getState" -> Bundle.ACTIVE;
                    case "getHeaders" -> {
                        Hashtable<String, String> h = new Hashtable<>();
                        if (header != null) {
                            h.put("RawSockets-Access", header);
                        }
                        yield h;
                    }
                    case "hashCode" -> (int) id;
                    case "equals" -> p == a[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private static BundleContext context(Bundle... bundles) {
        return (BundleContext) Proxy.newProxyInstance(PolicyAdminComponentTest.class.getClassLoader(),
                new Class<?>[] { BundleContext.class }, (p, m, a) -> {
                    if (m.getName().equals("getBundles")) {
                        return bundles;
                    }
                    if (m.getName().equals("getProperty")) {
                        return null; // no felix.cm.dir outside a framework
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }
}
