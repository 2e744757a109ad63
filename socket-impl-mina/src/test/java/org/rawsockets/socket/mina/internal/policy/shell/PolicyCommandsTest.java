package org.rawsockets.socket.mina.internal.policy.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.rawsockets.socket.mina.internal.policy.AccessKind;
import org.rawsockets.socket.mina.internal.policy.Addresses;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyComponent;
import org.rawsockets.socket.mina.internal.policy.RingAuditLog;

/**
 * The policy:* commands against the real policy component, with a minimal in-memory Config Admin
 * (delivering updates synchronously, as {@code @Modified} would) and two fake bundles.
 */
class PolicyCommandsTest {

    private final Hashtable<String, Object> stored = new Hashtable<>();
    private final PolicyComponent policy = new PolicyComponent(Map.of());
    private final RingAuditLog audit = new RingAuditLog(10);
    private final PolicyCommands commands = new PolicyCommands(context(
            bundle(5, "org.example.ssh", "TCP;host=\"*\";ports=\"22\""), bundle(6, "org.example.none", null)),
            policy, audit, configAdmin(), null, null);

    @Test
    void explainGrantRevoke() throws Exception {
        String before = commands.explain("org.example.ssh", "tcp", "10.1.2.3", 22);
        assertTrue(before.startsWith("DENIED  bundle org.example.ssh [5] may not tcp connect 10.1.2.3:22: no grant covers it"),
                before);
        assertTrue(before.contains("policy:grant ssh-tcp-10.1.2.3-22 org.example.ssh tcp 10.1.2.3 22"), before);

        String granted = commands.grant("ssh-tcp-22", "org.example.ssh", "tcp", "10.0.0.0/8", "22");
        assertEquals("granted grant.ssh-tcp-22 = org.example.ssh tcp 10.0.0.0/8 22\nin force now and kept in the"
                + " gateway's configuration store, not in etc/; a file etc/org.rawsockets.socket.policy.cfg would replace"
                + " it at the next start", granted);
        assertEquals("org.example.ssh tcp 10.0.0.0/8 22", stored.get("grant.ssh-tcp-22"));
        String after = commands.explain("org.example.ssh", "tcp", "10.1.2.3", 22);
        assertTrue(after.startsWith("ALLOWED bundle org.example.ssh [5] may tcp connect 10.1.2.3:22: declared"), after);
        assertTrue(after.contains("granted by 'ssh-tcp-22'"), after);

        // Same grant for a bundle that declares nothing: still denied, and why.
        commands.grant("none", "org.example.none", "tcp", "10.0.0.0/8", "22");
        assertTrue(commands.explain("org.example.none", "tcp", "10.1.2.3", 22).contains("declares no socket access"));

        String show = commands.show();
        assertTrue(show.contains("grant.ssh-tcp-22".substring(6) + " = org.example.ssh tcp 10.0.0.0/8 22"), show);
        assertTrue(show.contains("org.example.ssh [5]: TCP;host=\"*\";ports=\"22\""), show);
        assertTrue(show.contains("cloud-metadata"), show);

        assertTrue(commands.revoke("ssh-tcp-22").startsWith("revoked grant.ssh-tcp-22 = org.example.ssh tcp 10.0.0.0/8 22"
                + " (sockets already open stay open; policy:audit shows them)\nin force now and kept in the gateway's"
                + " configuration store"));
        // A policy that came from a file: the shell says the file wins at the next start.
        stored.put("felix.fileinstall.filename", "file:/gw/etc/org.rawsockets.socket.policy.cfg");
        assertTrue(commands.grant("x", "org.example.ssh", "tcp", "10.0.0.0/8", "22").endsWith(
                "but this policy comes from /gw/etc/org.rawsockets.socket.policy.cfg, which replaces it at the next start"
                        + " (the file is never rewritten): edit the file to keep it"));
        commands.revoke("x");
        stored.remove("felix.fileinstall.filename");
        assertTrue(commands.explain("org.example.ssh", "tcp", "10.1.2.3", 22).startsWith("DENIED"));
        assertEquals("no grant named 'ssh-tcp-22'; configured grants: none", commands.revoke("ssh-tcp-22"));
    }

    @Test
    void anyStandsForStarSoNothingNeedsQuotingInTheShell() throws Exception {
        String granted = commands.grant("all-ssh", "any", "tcp", "any", "22");
        assertTrue(granted.startsWith("granted grant.all-ssh = * tcp * 22"), granted);
        assertEquals("* tcp * 22", stored.get("grant.all-ssh"));
        String allowed = commands.explain("org.example.ssh", "tcp", "93.184.216.34", 22);
        assertTrue(allowed.startsWith("ALLOWED"), allowed);
        assertTrue(allowed.contains("granted by 'all-ssh'"), allowed);
        assertTrue(commands.grant("every", "org.example.ssh", "ANY", "example.org", "any").startsWith(
                "granted grant.every = org.example.ssh * example.org *"));
        commands.revoke("all-ssh");
        commands.revoke("every");
        // A suggested shell command is copy-pasteable: '*' is spelt 'any'.
        String denied = commands.explain("org.example.none", "udp-bind", "0.0.0.0", 0);
        assertTrue(denied.contains("policy:grant "), denied);
        String suggested = denied.substring(denied.indexOf("policy:grant "));
        assertTrue(!suggested.substring(0, suggested.indexOf(')')).contains("*"), denied);
        assertTrue(suggested.contains(" any"), denied);
    }

    @Test
    void rejectsBadInputWithoutTouchingTheConfiguration() throws Exception {
        assertTrue(commands.grant("x", "org.example.ssh", "tcpx", "*", "22").startsWith("not granted: grant 'x'"));
        assertTrue(commands.grant("x", "org.example.ssh", "tcp", "10.0.0.1/8", "22").contains("did you mean 10.0.0.0/8?"));
        assertTrue(commands.grant("bad name", "org.example.ssh", "tcp", "*", "22").contains("must use letters"));
        assertTrue(commands.grant("default.x", "org.example.ssh", "tcp", "*", "22").contains("reserved"));
        assertTrue(commands.revoke("default.loopback").contains("defaultGrants=false"));
        assertTrue(commands.explain("org.example.ssh", "tcpx", "127.0.0.1", 22).startsWith("unknown kind 'tcpx'"));
        assertTrue(commands.explain("org.example.ssh", "tcp", "endpoint:plc", 0).startsWith("no endpoint named 'plc'"));
        assertTrue(stored.isEmpty(), stored.toString());
    }

    @Test
    void auditShowsRecentEntries() {
        assertTrue(commands.audit().contains("(no entries)"));
        for (int i = 1; i <= 3; i++) {
            audit.record(new AuditLog.Entry(Instant.EPOCH, Owner.of(5, "org.example.ssh"), i, AccessKind.TCP_CONNECT,
                    "h:22", new InetSocketAddress(Addresses.literal("10.1.2.3"), 22),
                    i == 2 ? AuditLog.Outcome.REFUSED : AuditLog.Outcome.OPENED, i == 2 ? "no grant" : "", 0, 0));
        }
        String out = commands.audit(2);
        assertTrue(out.startsWith("Audit: {OPENED=2, REFUSED=1} since start; ring keeps 10, 0 overwritten"), out);
        assertTrue(out.contains("; 0 not written to that log because it could not keep up"), out);
        assertTrue(!out.contains("#1 ") && out.contains("REFUSED org.example.ssh [5] #2") && out.contains("#3 "), out);
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
        return (Bundle) Proxy.newProxyInstance(PolicyCommandsTest.class.getClassLoader(), new Class<?>[] { Bundle.class },
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
        return (BundleContext) Proxy.newProxyInstance(PolicyCommandsTest.class.getClassLoader(),
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
