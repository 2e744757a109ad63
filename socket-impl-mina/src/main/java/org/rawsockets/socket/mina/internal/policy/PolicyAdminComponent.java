package org.rawsockets.socket.mina.internal.policy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
import org.rawsockets.socket.admin.AuditEntry;
import org.rawsockets.socket.admin.AuditPage;
import org.rawsockets.socket.admin.Explanation;
import org.rawsockets.socket.admin.GrantChange;
import org.rawsockets.socket.admin.GrantSuggestion;
import org.rawsockets.socket.admin.PolicyAdmin;
import org.rawsockets.socket.admin.PolicySnapshot;

/**
 * {@link PolicyAdmin}: the policy engine, the audit ring and the policy's Config Admin configuration
 * as data for operator tools (the web console). The same operations as the {@code policy:*} commands.
 */
@Component(service = PolicyAdmin.class)
public final class PolicyAdminComponent implements PolicyAdmin {

    /** The grant a refusal message suggests: {@code ... the line 'grant.<name> = <line>' ...}. */
    private static final Pattern SUGGESTED = Pattern.compile("the line 'grant\\.([A-Za-z0-9_.-]+) = ([^']+)'");

    private final BundleContext context;
    private final PolicyInspector policy;
    private final AuditLog audit;
    private final ConfigurationAdmin configAdmin;
    private final SocketAdmin socketAdmin;

    @Activate
    public PolicyAdminComponent(BundleContext context, @Reference PolicyInspector policy, @Reference AuditLog audit,
            @Reference ConfigurationAdmin configAdmin,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            SocketAdmin socketAdmin) {
        this.context = context;
        this.policy = policy;
        this.audit = audit;
        this.configAdmin = configAdmin;
        this.socketAdmin = socketAdmin;
    }

    @Override
    public PolicySnapshot policy() {
        PolicySettings s = policy.settings();
        List<PolicySnapshot.Grant> grants = new ArrayList<>();
        for (Rule r : s.grants()) {
            grants.add(new PolicySnapshot.Grant(r.name(), r.line()));
        }
        List<PolicySnapshot.Denial> denials = new ArrayList<>();
        for (BuiltInDenial d : BuiltInDenial.values()) {
            denials.add(new PolicySnapshot.Denial(d.id(), d.description(), d.blocks().stream().map(Cidr::toString).toList()));
        }
        List<String> quotas = new ArrayList<>();
        for (PolicySettings.QuotaRule q : s.quotaOverrides()) {
            quotas.add(PolicySettings.QUOTA_PREFIX + q.name() + " = " + q.bundle() + " " + quotas(q.quotas()));
        }
        List<PolicySnapshot.BundleDeclaration> declarations = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            Declarations d = policy.declarations(Owner.of(b));
            if (d.header() != null) {
                declarations.add(new PolicySnapshot.BundleDeclaration(b.getBundleId(), b.getSymbolicName(), d.header(),
                        d.errors()));
            }
        }
        return new PolicySnapshot(s.defaultGrants(), grants, denials, quotas(s.defaultQuotas()), quotas, s.errors(),
                declarations, policy.refusals());
    }

    private static String quotas(Quotas q) {
        return "maxOpenSockets=" + q.maxOpenSockets() + " maxPendingOpens=" + q.maxPendingOpens() + " maxBufferedBytes="
                + q.maxBufferedBytes();
    }

    @Override
    public List<Explanation> explain(String bundle, String kind, String host, int port) {
        AccessKind ak = PolicyKinds.accessKind(kind);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
        Owner owner = Owner.of(-1, bundle);
        for (Bundle b : context.getBundles()) {
            if (bundle.equals(b.getSymbolicName())) {
                owner = Owner.of(b);
                break;
            }
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
                throw new IllegalArgumentException("no endpoint named '" + endpoint + "' is configured; configured: "
                        + eps.stream().map(EndpointInfo::name).toList());
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
                throw new IllegalArgumentException("cannot resolve " + name + ": " + e.getMessage());
            }
        }
        List<Explanation> out = new ArrayList<>();
        for (InetAddress a : addresses) {
            Decision d = policy.explain(owner, new Access(ak, name, endpoint, new InetSocketAddress(a, port)));
            out.add(new Explanation(d.allowed(), d.message(), d.allowed() ? null : suggestion(String.join(" ", d.fixes()))));
        }
        return out;
    }

    /** The grant suggested in a refusal's message, or {@code null}. */
    static GrantSuggestion suggestion(String message) {
        if (message == null) {
            return null;
        }
        Matcher m = SUGGESTED.matcher(message);
        return m.find() ? new GrantSuggestion(m.group(1), m.group(2)) : null;
    }

    @Override
    public GrantChange grant(String name, String line) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("grant name '" + name + "' must use letters, digits, '.', '_' or '-'");
        }
        if (name.startsWith("default.")) {
            throw new IllegalArgumentException("names starting with 'default.' are reserved for the default grants");
        }
        Rule rule = Rule.parseGrant(name, line == null ? "" : line); // IllegalArgumentException: the line's error
        try {
            Configuration c = configAdmin.getConfiguration(PolicySettings.PID, "?");
            Dictionary<String, Object> props = c.getProperties();
            if (props == null) {
                props = new Hashtable<>();
            }
            Object previous = props.get(PolicySettings.GRANT_PREFIX + name);
            props.put(PolicySettings.GRANT_PREFIX + name, rule.line());
            c.update(props);
            return new GrantChange(name, rule.line(), previous == null ? null : previous.toString(), whereItLives(props));
        } catch (IOException e) {
            throw new IllegalStateException("cannot store grant." + name + " in Config Admin (PID " + PolicySettings.PID
                    + "): " + e.getMessage(), e);
        }
    }

    @Override
    public GrantChange revoke(String name) {
        try {
            Configuration c = configAdmin.getConfiguration(PolicySettings.PID, "?");
            Dictionary<String, Object> props = c.getProperties();
            String key = PolicySettings.GRANT_PREFIX + name;
            if (props == null || props.get(key) == null) {
                return null;
            }
            Object line = props.remove(key);
            c.update(props);
            return new GrantChange(name, line.toString(), null, whereItLives(props));
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove grant." + name + " from Config Admin (PID " + PolicySettings.PID
                    + "): " + e.getMessage(), e);
        }
    }

    private static String whereItLives(Dictionary<String, Object> props) {
        Object from = props.get("felix.fileinstall.filename");
        return from != null ? "in force now; this policy comes from " + from + ", which replaces it at the next start: edit"
                + " the file to keep it" : "in force now and kept in the gateway's configuration store (not in etc/)";
    }

    @Override
    public AuditPage audit(long afterSequence, int max) {
        List<AuditEntry> entries = new ArrayList<>();
        Map<String, Long> counts = new TreeMap<>();
        long last;
        int capacity;
        if (audit instanceof RingAuditLog ring) {
            for (RingAuditLog.Numbered n : ring.since(afterSequence, max)) {
                entries.add(entry(n.sequence(), n.entry()));
            }
            ring.counts().forEach((k, v) -> counts.put(k.name(), v));
            last = ring.recorded();
            capacity = ring.capacity();
        } else {
            List<AuditLog.Entry> recent = audit.recent(max);
            for (int i = 0; i < recent.size(); i++) {
                entries.add(entry(i + 1, recent.get(i)));
            }
            last = recent.size();
            capacity = recent.size();
        }
        return new AuditPage(entries, last, counts, capacity);
    }

    private static AuditEntry entry(long sequence, AuditLog.Entry e) {
        String address = e.address() == null ? null
                : (e.address().getAddress() == null ? e.address().getHostString() : Addresses.text(e.address().getAddress()))
                        + ":" + e.address().getPort();
        GrantSuggestion suggestion = e.outcome() == AuditLog.Outcome.REFUSED ? suggestion(e.detail()) : null;
        return new AuditEntry(sequence, e.time(), e.owner().toString(), e.socketId(), e.kind().label(), e.destination(),
                address, e.outcome().name(), e.detail() == null ? "" : e.detail(), e.bytesIn(), e.bytesOut(), suggestion);
    }
}
