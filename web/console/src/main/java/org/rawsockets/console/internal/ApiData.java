package org.rawsockets.console.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.rawsockets.socket.QuotaUse;
import org.rawsockets.socket.SocketAdmin;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.admin.AuditEntry;
import org.rawsockets.socket.admin.AuditPage;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.admin.DeviceStatusProvider;
import org.rawsockets.socket.admin.Explanation;
import org.rawsockets.socket.admin.GrantSuggestion;
import org.rawsockets.socket.admin.PolicyAdmin;
import org.rawsockets.socket.admin.PolicySnapshot;

/** What the JSON API returns, built from the gateway's services (maps and lists for {@link Json}). */
public final class ApiData {

    private final SocketAdmin sockets;
    private final PolicyAdmin policy;
    private final BundleContext context;
    private final Supplier<List<DeviceStatusProvider>> devices;
    private final Rates rates = new Rates();

    public ApiData(SocketAdmin sockets, PolicyAdmin policy, BundleContext context, Supplier<List<DeviceStatusProvider>> devices) {
        this.sockets = sockets;
        this.policy = policy;
        this.context = context;
        this.devices = devices;
    }

    public List<Map<String, Object>> sockets(Instant now) {
        List<Map<String, Object>> out = new ArrayList<>();
        Set<Long> live = new HashSet<>();
        for (SocketInfo s : sockets.sockets()) {
            live.add(s.id());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("owner", s.owner());
            m.put("kind", s.kind().name());
            m.put("destination", s.destination());
            m.put("local", address(s.localAddress()));
            m.put("remote", address(s.remoteAddress()));
            m.put("state", s.state().name());
            m.put("tls", sockets.tls(s.id()).map(ApiData::tls).orElse(null));
            m.put("bytesIn", s.bytesIn());
            m.put("bytesOut", s.bytesOut());
            Rates.Rate r = rates.sample(s.id(), now, s.bytesIn(), s.bytesOut());
            m.put("rateIn", r == null ? null : r.in());
            m.put("rateOut", r == null ? null : r.out());
            m.put("created", s.createdAt().toString());
            m.put("ageMillis", Math.max(0, Duration.between(s.createdAt(), now).toMillis()));
            out.add(m);
        }
        rates.retain(live);
        return out;
    }

    private static Map<String, Object> tls(TlsInfo t) {
        Map<String, Object> m = new LinkedHashMap<>(); // a stable order for readers of the JSON
        m.put("protocol", t.protocol());
        m.put("cipherSuite", t.cipherSuite());
        return m;
    }

    static String address(InetSocketAddress a) {
        if (a == null) {
            return null;
        }
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Closes socket {@code id}: whether one had that id. */
    public boolean closeSocket(long id) {
        return sockets.close(id).isPresent();
    }

    public List<Map<String, Object>> bundles(java.util.function.Predicate<Bundle> changeable) {
        List<SocketInfo> open = sockets.sockets();
        Map<String, QuotaUse> use = new java.util.HashMap<>();
        for (QuotaUse q : sockets.quotaUse()) {
            use.put(q.owner(), q);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", b.getBundleId());
            m.put("symbolicName", b.getSymbolicName());
            m.put("version", b.getVersion().toString());
            m.put("state", state(b.getState()));
            m.put("access", b.getHeaders("").get("RawSockets-Access"));
            String owner = b.getSymbolicName() + " [" + b.getBundleId() + "]";
            m.put("openSockets", open.stream().filter(s -> s.owner().equals(owner)).count());
            m.put("quota", quota(use.get(owner)));
            m.put("changeable", changeable.test(b));
            out.add(m);
        }
        return out;
    }

    /** Quota use of a bundle that holds its socket service (null otherwise); null for an unlimited quota. */
    private static Map<String, Object> quota(QuotaUse q) {
        if (q == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("openSockets", q.openSockets());
        m.put("maxOpenSockets", q.maxOpenSockets() == Integer.MAX_VALUE ? null : q.maxOpenSockets());
        m.put("pendingOpens", q.pendingOpens());
        m.put("maxPendingOpens", q.maxPendingOpens() == Integer.MAX_VALUE ? null : q.maxPendingOpens());
        m.put("bufferedBytes", q.bufferedBytes());
        m.put("maxBufferedBytes", q.maxBufferedBytes() == Long.MAX_VALUE ? null : q.maxBufferedBytes());
        return m;
    }

    static String state(int s) {
        return switch (s) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> "UNINSTALLED";
        };
    }

    public Optional<Bundle> bundle(long id) {
        return Optional.ofNullable(context.getBundle(id));
    }

    public Map<String, Object> policy() {
        PolicySnapshot p = policy.policy();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("defaultGrants", p.defaultGrants());
        List<Map<String, Object>> grants = new ArrayList<>();
        for (PolicySnapshot.Grant g : p.grants()) {
            grants.add(Map.of("name", g.name(), "line", g.line()));
        }
        m.put("grants", grants);
        List<Map<String, Object>> denials = new ArrayList<>();
        for (PolicySnapshot.Denial d : p.builtInDenials()) {
            denials.add(Map.of("id", d.id(), "description", d.description(), "blocks", d.blocks()));
        }
        m.put("builtInDenials", denials);
        m.put("defaultQuotas", p.defaultQuotas());
        m.put("quotaOverrides", p.quotaOverrides());
        m.put("errors", p.errors());
        List<Map<String, Object>> decl = new ArrayList<>();
        for (PolicySnapshot.BundleDeclaration d : p.declarations()) {
            decl.add(Map.of("bundleId", d.bundleId(), "symbolicName", d.symbolicName(), "header", d.header(),
                    "errors", d.errors()));
        }
        m.put("declarations", decl);
        m.put("refusals", p.refusals());
        return m;
    }

    public List<Map<String, Object>> explain(String bundle, String kind, String host, int port) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Explanation e : policy.explain(bundle, kind, host, port)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("allowed", e.allowed());
            m.put("message", e.message());
            m.put("suggestion", suggestion(e.suggestion()));
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> suggestion(GrantSuggestion s) {
        return s == null ? null : Map.of("name", s.name(), "line", s.line());
    }

    /**
     * The audit entries after sequence {@code after} that match {@code filter}, the most recent
     * {@code max} of them (the filter is applied to everything the ring still holds, then limited).
     */
    public Map<String, Object> audit(long after, int max, AuditFilter filter) {
        AuditPage page = policy.audit(after, filter.equals(AuditFilter.ALL) ? max : Integer.MAX_VALUE);
        List<AuditEntry> matching = page.entries().stream().filter(filter::matches).toList();
        List<Map<String, Object>> entries = new ArrayList<>();
        for (AuditEntry e : matching.subList(Math.max(0, matching.size() - Math.max(0, max)), matching.size())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sequence", e.sequence());
            m.put("time", e.time().toString());
            m.put("owner", e.owner());
            m.put("socketId", e.socketId());
            m.put("kind", e.kind());
            m.put("destination", e.destination());
            m.put("address", e.address());
            m.put("outcome", e.outcome());
            m.put("detail", e.detail());
            m.put("bytesIn", e.bytesIn());
            m.put("bytesOut", e.bytesOut());
            m.put("suggestion", suggestion(e.suggestion()));
            entries.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entries", entries);
        m.put("lastSequence", page.lastSequence());
        m.put("counts", page.counts());
        m.put("capacity", page.capacity());
        return m;
    }

    public List<Map<String, Object>> devices() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (DeviceStatusProvider p : devices.get()) {
            List<DeviceStatus> list;
            try {
                list = p.devices();
            } catch (RuntimeException e) {
                continue; // a failing provider hides its devices, not the page
            }
            for (DeviceStatus d : list) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", d.name());
                m.put("kind", d.kind());
                m.put("endpoint", d.endpoint());
                m.put("state", d.state());
                m.put("lastError", d.lastError());
                m.put("lastChange", d.lastChange() == null ? null : d.lastChange().toString());
                out.add(m);
            }
        }
        return out;
    }

    public PolicyAdmin policyAdmin() {
        return policy;
    }
}
