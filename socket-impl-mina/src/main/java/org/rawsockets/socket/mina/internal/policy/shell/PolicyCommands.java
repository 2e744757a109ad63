package org.rawsockets.socket.mina.internal.policy.shell;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.SocketAdmin;
import org.rawsockets.socket.mina.internal.policy.Access;
import org.rawsockets.socket.mina.internal.policy.AccessKind;
import org.rawsockets.socket.mina.internal.policy.Addresses;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.BuiltInDenial;
import org.rawsockets.socket.mina.internal.policy.Decision;
import org.rawsockets.socket.mina.internal.policy.Declarations;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyInspector;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;
import org.rawsockets.socket.mina.internal.policy.RingAuditLog;
import org.rawsockets.socket.mina.internal.policy.Rule;

/**
 * Gogo commands of scope {@code policy}: {@code show}, {@code grant}, {@code revoke},
 * {@code explain}, {@code audit}. Grants and revocations update the Config Admin configuration of
 * PID {@code org.rawsockets.socket.policy}: kept in the gateway's configuration store, never written
 * to {@code etc/}; a file {@code etc/org.rawsockets.socket.policy.cfg} replaces it at the next start
 * (README, "Configuration: etc/ files and the shell"). What they print says so.
 */
@Component(service = PolicyCommands.class, property = { "osgi.command.scope=policy", "osgi.command.function=show",
        "osgi.command.function=grant", "osgi.command.function=revoke", "osgi.command.function=explain",
        "osgi.command.function=audit" })
public final class PolicyCommands {

    private final BundleContext context;
    private final PolicyInspector policy;
    private final AuditLog audit;
    private final ConfigurationAdmin configAdmin;
    private final SocketAdmin socketAdmin;
    private final ScanCommands scan;

    @Activate
    public PolicyCommands(BundleContext context, @Reference PolicyInspector policy, @Reference AuditLog audit,
            @Reference ConfigurationAdmin configAdmin,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            SocketAdmin socketAdmin,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            ScanCommands scan) {
        this.context = context;
        this.policy = policy;
        this.audit = audit;
        this.configAdmin = configAdmin;
        this.socketAdmin = socketAdmin;
        this.scan = scan;
    }

    /** {@code policy:show}: grants, quotas, built-in denials, configuration errors, bundle declarations. */
    public String show() {
        PolicySettings s = policy.settings();
        StringBuilder sb = new StringBuilder();
        sb.append("Socket policy (PID ").append(PolicySettings.PID).append("): an open is allowed when the bundle"
                + " declares it AND a grant covers it.\n");
        sb.append("Grants").append(s.defaultGrants() ? " (default loopback grants on; defaultGrants=false turns them off)" : "")
                .append(":\n");
        if (s.grants().isEmpty()) {
            sb.append("  (none: every open is refused)\n");
        }
        for (Rule r : s.grants()) {
            sb.append("  ").append(r).append('\n');
        }
        sb.append("Built-in denials (lifted only by a grant naming the IP/block, the all-interfaces address, or the port itself, not * or a range):\n");
        for (BuiltInDenial d : BuiltInDenial.values()) {
            sb.append("  ").append(d.id()).append(": ").append(d.description())
                    .append(d.blocks().isEmpty() ? "" : " " + d.blocks()).append('\n');
        }
        sb.append("Quotas: default ").append(s.defaultQuotas()).append('\n');
        for (PolicySettings.QuotaRule q : s.quotaOverrides()) {
            sb.append("  quota.").append(q.name()).append(" = ").append(q.bundle()).append(' ').append(q.quotas()).append('\n');
        }
        sb.append("Bundles that may act for web origins (originBundles; origin:<origin> grants and quotas): ")
                .append(String.join(", ", s.originBundles())).append('\n');
        if (!s.errors().isEmpty()) {
            sb.append("Configuration errors (these lines allow nothing):\n");
            for (String e : s.errors()) {
                sb.append("  ").append(e).append('\n');
            }
        }
        sb.append("Declarations (").append(Declarations.HEADER).append("):\n");
        boolean any = false;
        for (Bundle b : context.getBundles()) {
            Declarations d = policy.declarations(owner(b));
            if (d.header() != null) {
                any = true;
                sb.append("  ").append(b.getSymbolicName()).append(" [").append(b.getBundleId()).append("]: ")
                        .append(d.header()).append('\n');
                for (String e : d.errors()) {
                    sb.append("    error: ").append(e).append('\n');
                }
            }
        }
        if (!any) {
            sb.append("  (no bundle declares socket access)\n");
        }
        sb.append("Refusals since start: ").append(policy.refusals()).append('\n');
        if (scan != null) {
            sb.append(ScanCommands.WHAT).append(", policy:scan for the places:\n");
            try {
                List<String> found = scan.summary();
                if (found.isEmpty()) {
                    sb.append("  (none)\n");
                }
                for (String f : found) {
                    sb.append("  ").append(f).append('\n');
                }
            } catch (UnsupportedOperationException e) {
                sb.append("  cannot scan: ").append(e.getMessage()).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * {@code policy:grant <name> <bundle> <kind> <destination> <ports>}; {@value #ANY} stands for
     * {@code *} in every field (Gogo expands an unquoted {@code *} into file names).
     */
    @Descriptor("grant a bundle socket access (kept in Config Admin): policy:grant <name> <bundle> <kind> <destination> <ports>;"
            + " 'any' (no quoting needed; '*' must be quoted in the shell) matches every bundle, kind, destination or port."
            + " Example: policy:grant web org.example.web tcp any 443")
    public String grant(@Descriptor("grant name: letters, digits, '.', '_', '-'") String name,
            @Descriptor("bundle symbolic name or glob (org.example.*), or any") String bundle,
            @Descriptor("tcp, tcp-listen, tcp-bind, udp-connected, udp-bound, multicast, or any") String kind,
            @Descriptor("host, IP, CIDR block, *.domain, endpoint:<name>, or any") String destination,
            @Descriptor("port, ranges and lists (22,8000-8100), or any") String ports) throws IOException {
        return grant(name, bundle, kind, destination, ports, null);
    }

    /** {@code policy:grant <name> <bundle> multicast <group> <ports> interface=<name>}: a join on that interface only. */
    @Descriptor("grant a bundle to join a multicast group on one network interface only: policy:grant <name> <bundle>"
            + " multicast <group> <ports> interface=<name>. Example: policy:grant mdns org.rawsockets.dnssd multicast"
            + " 224.0.0.251 5353 interface=eth0")
    public String grant(@Descriptor("grant name: letters, digits, '.', '_', '-'") String name,
            @Descriptor("bundle symbolic name or glob (org.example.*), or any") String bundle,
            @Descriptor("multicast") String kind,
            @Descriptor("the group address") String destination,
            @Descriptor("port, ranges and lists, or any") String ports,
            @Descriptor("interface=<name>, e.g. interface=eth0") String networkInterface) throws IOException {
        bundle = anyToStar(bundle);
        kind = anyToStar(kind);
        destination = anyToStar(destination);
        ports = anyToStar(ports);
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            return "grant name '" + name + "' must use letters, digits, '.', '_' or '-'";
        }
        if (name.startsWith("default.")) {
            return "names starting with 'default.' are reserved for the default grants";
        }
        String line = bundle + " " + kind + " " + destination + " " + ports
                + (networkInterface == null ? "" : " " + networkInterface);
        Rule rule;
        try {
            rule = Rule.parseGrant(name, line);
        } catch (IllegalArgumentException e) {
            return "not granted: " + e.getMessage();
        }
        Configuration c = configAdmin.getConfiguration(PolicySettings.PID, "?");
        Dictionary<String, Object> props = c.getProperties();
        if (props == null) {
            props = new Hashtable<>();
        }
        Object previous = props.get(PolicySettings.GRANT_PREFIX + name);
        props.put(PolicySettings.GRANT_PREFIX + name, rule.line());
        c.update(props);
        return (previous == null ? "granted " : "replaced " + previous + " by ") + PolicySettings.GRANT_PREFIX + name + " = "
                + rule.line() + "\n" + whereItLives(props);
    }

    /** The shell spelling of {@code *}: needs no quoting in Gogo. */
    public static final String ANY = "any";

    private static String anyToStar(String field) {
        return ANY.equalsIgnoreCase(field) ? "*" : field;
    }

    /** {@code policy:revoke <name>}. */
    public String revoke(String name) throws IOException {
        if (name.startsWith("default.")) {
            return "'" + name + "' is a default grant: set defaultGrants=false in etc/" + PolicySettings.PID
                    + ".cfg to turn the default grants off";
        }
        Configuration c = configAdmin.getConfiguration(PolicySettings.PID, "?");
        Dictionary<String, Object> props = c.getProperties();
        String key = PolicySettings.GRANT_PREFIX + name;
        if (props == null || props.get(key) == null) {
            List<String> names = new ArrayList<>();
            if (props != null) {
                for (String k : Collections.list(props.keys())) {
                    if (k.startsWith(PolicySettings.GRANT_PREFIX)) {
                        names.add(k.substring(PolicySettings.GRANT_PREFIX.length()));
                    }
                }
            }
            Collections.sort(names);
            return "no grant named '" + name + "'; configured grants: " + (names.isEmpty() ? "(none)" : String.join(", ", names));
        }
        Object line = props.remove(key);
        c.update(props);
        return "revoked " + key + " = " + line + " (sockets already open stay open; policy:audit shows them)\n"
                + whereItLives(props);
    }

    /** Where a change made in the shell is kept, and what replaces it at the next start. */
    private String whereItLives(Dictionary<String, Object> props) {
        String cmDir = context.getProperty("felix.cm.dir");
        String store = "kept in the gateway's configuration store" + (cmDir == null ? "" : " (" + cmDir + ")");
        Object from = props.get("felix.fileinstall.filename");
        if (from != null) {
            String file = from.toString();
            try {
                file = java.nio.file.Path.of(java.net.URI.create(file)).toString();
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                // keep the text
            }
            return "in force now and " + store + ", but this policy comes from " + file
                    + ", which replaces it at the next start (the file is never rewritten): edit the file to keep it";
        }
        return "in force now and " + store + ", not in etc/; a file etc/" + PolicySettings.PID
                + ".cfg would replace it at the next start";
    }

    /**
     * {@code policy:explain <bundle> <kind> <host> <port>}: whether an open would be allowed, per
     * resolved address, and why. kind: tcp, tcp-listen, tcp-bind, udp-connected, udp-bound (a send), udp-bind,
     * multicast. host: a name, an IP, or {@code endpoint:<name>}.
     */
    public String explain(String bundle, String kind, String host, int port) {
        AccessKind ak;
        try {
            ak = accessKind(kind);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        Owner owner = null;
        for (Bundle b : context.getBundles()) {
            if (bundle.equals(b.getSymbolicName())) {
                owner = owner(b);
                break;
            }
        }
        StringBuilder sb = new StringBuilder();
        if (owner == null) {
            owner = Owner.of(-1, bundle);
            sb.append("(no installed bundle is named ").append(bundle).append(": explaining without declarations)\n");
        }
        String endpoint = null;
        String name = host;
        if (host.startsWith("endpoint:")) {
            endpoint = host.substring("endpoint:".length());
            EndpointInfo info = null;
            List<EndpointInfo> eps = socketAdmin == null ? List.of() : socketAdmin.endpoints();
            for (EndpointInfo e : eps) {
                if (e.name().equals(endpoint)) {
                    info = e;
                }
            }
            if (info == null) {
                return "no endpoint named '" + endpoint + "' is configured (factory PID org.rawsockets.socket.endpoint);"
                        + " configured: " + eps.stream().map(EndpointInfo::name).toList();
            }
            name = info.host();
            if (port <= 0) {
                port = info.port();
            }
        }
        List<InetAddress> addresses = new ArrayList<>();
        InetAddress literal = Addresses.literal(name);
        if (literal != null) {
            addresses.add(literal);
        } else {
            try {
                for (InetAddress a : InetAddress.getAllByName(name)) {
                    addresses.add(Addresses.normalize(a));
                }
            } catch (UnknownHostException e) {
                return "cannot resolve " + name + ": " + e.getMessage() + " (an open would fail with a NetworkException)";
            }
        }
        for (InetAddress a : addresses) {
            Decision d = policy.explain(owner, new Access(ak, name, endpoint, new InetSocketAddress(a, port)));
            sb.append(d.allowed() ? "ALLOWED " : "DENIED  ").append(d.message()).append('\n');
        }
        return sb.toString();
    }

    /** {@code policy:audit}: the last 20 audit entries. */
    public String audit() {
        return audit(20);
    }

    /** {@code policy:audit <n>}: the last {@code n} audit entries, oldest first. */
    public String audit(int n) {
        List<AuditLog.Entry> entries = audit.recent(Math.max(0, n));
        StringBuilder sb = new StringBuilder();
        if (audit instanceof RingAuditLog ring) {
            Map<AuditLog.Outcome, Long> counts = new TreeMap<>(ring.counts());
            sb.append("Audit: ").append(counts).append(" since start; ring keeps ").append(ring.capacity())
                    .append(", ").append(ring.overwritten()).append(" overwritten (they are in log ")
                    .append(RingAuditLog.LOGGER).append("); ").append(ring.logDropped())
                    .append(" not written to that log because it could not keep up\n");
        }
        if (entries.isEmpty()) {
            sb.append("(no entries)\n");
        }
        for (AuditLog.Entry e : entries) {
            sb.append(RingAuditLog.format(e)).append('\n');
        }
        return sb.toString();
    }

    static AccessKind accessKind(String kind) {
        return org.rawsockets.socket.mina.internal.policy.PolicyKinds.accessKind(kind);
    }

    private static Owner owner(Bundle b) {
        return Owner.of(b);
    }
}
