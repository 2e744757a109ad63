package org.rawsockets.dnssd.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.rawsockets.dnssd.ServiceInfo;
import org.rawsockets.dnssd.internal.codec.DnsName;

/** Service type and instance names as the API takes them (RFC 6763 §4, §7). */
final class Names {

    private Names() {
    }

    private static boolean protocol(String label) {
        String l = label.toLowerCase(Locale.ROOT);
        return l.equals("_tcp") || l.equals("_udp");
    }

    /** Index of the {@code _tcp}/{@code _udp} label, -1 when none. */
    private static int protocolIndex(List<String> labels) {
        for (int i = labels.size() - 1; i >= 1; i--) {
            if (protocol(labels.get(i)) && labels.get(i - 1).startsWith("_")) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@code _ipp._tcp} or {@code _ipp._tcp.local} (or a subtype {@code _printer._sub._http._tcp}) as
     * a full name.
     */
    static DnsName serviceType(String type) {
        DnsName n;
        try {
            n = DnsName.parse(type == null ? "" : type.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("service type '" + type + "': " + e.getMessage(), e);
        }
        List<String> l = n.labels();
        int p = protocolIndex(l);
        if (p < 0 || (p > 1 && !(p == 3 && l.get(1).equalsIgnoreCase("_sub")))) {
            throw new IllegalArgumentException("'" + type + "' is not a DNS-SD service type; write it as _service._tcp or"
                    + " _service._udp, optionally with a domain (_ipp._tcp.local)");
        }
        return p == l.size() - 1 ? append(n, "local") : n;
    }

    private static DnsName append(DnsName n, String label) {
        List<String> l = new ArrayList<>(n.labels());
        l.add(label);
        return DnsName.of(l);
    }

    /**
     * An instance name: escaped ({@code A\.B._ipp._tcp.local}) or not, the instance label being
     * everything before the service type; the domain {@code local} added when missing.
     */
    static DnsName instance(String name) {
        DnsName n;
        try {
            n = DnsName.parse(name == null ? "" : name.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("instance name '" + name + "': " + e.getMessage(), e);
        }
        List<String> l = n.labels();
        int p = protocolIndex(l);
        if (p < 2) {
            throw new IllegalArgumentException("'" + name + "' is not a DNS-SD instance name; write it as"
                    + " <instance>._service._tcp[.domain], e.g. 'Office Printer._ipp._tcp.local'");
        }
        List<String> out = new ArrayList<>();
        out.add(String.join(".", l.subList(0, p - 1)));
        out.addAll(l.subList(p - 1, l.size()));
        if (p == l.size() - 1) {
            out.add("local");
        }
        try {
            return DnsName.of(out);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("instance name '" + name + "': " + e.getMessage(), e);
        }
    }

    /** A {@link ServiceInfo} skeleton of an instance name (nothing resolved). */
    static ServiceInfo info(DnsName instance, String host, int port, java.util.Map<String, String> txt,
            List<String> addresses) {
        List<String> l = instance.labels();
        String label = l.isEmpty() ? "" : l.get(0);
        String type = l.size() >= 3 ? l.get(1) + "." + l.get(2) : "";
        String domain = l.size() > 3 ? String.join(".", l.subList(3, l.size())) : "";
        return new ServiceInfo(instance.toString(), label, type, domain, host, port, txt, addresses);
    }
}
