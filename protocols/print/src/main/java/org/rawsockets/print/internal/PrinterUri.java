package org.rawsockets.print.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A printer's address: {@code ipp://host[:631]/path}, {@code ipps://host[:631]/path},
 * {@code lpd://host[:515]/queue}, {@code socket://host[:9100]}. IPv6 literals in brackets. Or
 * {@code dnssd:<instance name>} ({@code dnssd:Office._ipp._tcp.local}): resolved by DNS-SD at use, the
 * instance name in {@code host}.
 */
public record PrinterUri(String scheme, String host, int port, String path) {

    /** The scheme of a printer configured by DNS-SD instance name, resolved at use: {@code dnssd:<instance>}. */
    public static final String DNSSD = "dnssd";

    public static PrinterUri parse(String text) {
        String t = text.strip();
        if (t.regionMatches(true, 0, DNSSD + ":", 0, DNSSD.length() + 1)) {
            String instance = t.substring(DNSSD.length() + 1);
            instance = instance.startsWith("//") ? instance.substring(2) : instance;
            if (!instance.matches("(?s).+\\._[^.]+\\._tcp(\\..+)?")) {
                throw new IllegalArgumentException("'" + text + "' needs a DNS-SD instance name: dnssd:<instance>._ipp._tcp.local"
                        + " (or _ipps._tcp, _printer._tcp, _pdl-datastream._tcp)");
            }
            return new PrinterUri(DNSSD, instance, 0, "");
        }
        URI u;
        try {
            u = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URI: " + e.getMessage());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (u.getHost() == null) {
            throw new IllegalArgumentException("'" + text + "' has no host (expected ipp://host/path, ipps://host/path,"
                    + " lpd://host/queue or socket://host:9100)");
        }
        if (u.getUserInfo() != null) {
            throw new IllegalArgumentException("'" + text + "' holds credentials: put the user in 'user' and the password"
                    + " in '.password' (secret:NAME)");
        }
        String host = u.getHost().startsWith("[") ? u.getHost().substring(1, u.getHost().length() - 1) : u.getHost();
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        return switch (scheme) {
            case "ipp", "ipps" -> new PrinterUri(scheme, host, u.getPort() < 0 ? 631 : u.getPort(),
                    path.isEmpty() ? "/ipp/print" : path);
            case "lpd" -> {
                String q = path.startsWith("/") ? path.substring(1) : path;
                if (q.isEmpty() || q.contains("/") || !q.chars().allMatch(c -> c > 32 && c < 127)) {
                    throw new IllegalArgumentException("'" + text + "' needs one queue name of printable ASCII:"
                            + " lpd://host/queue");
                }
                yield new PrinterUri(scheme, host, u.getPort() < 0 ? 515 : u.getPort(), q);
            }
            case "socket" -> {
                if (!path.isEmpty() && !path.equals("/")) {
                    throw new IllegalArgumentException("'" + text + "': a socket:// URI has no path");
                }
                yield new PrinterUri(scheme, host, u.getPort() < 0 ? 9100 : u.getPort(), "");
            }
            default -> throw new IllegalArgumentException("'" + text + "': unsupported scheme '" + scheme
                    + "' (ipp, ipps, lpd, socket)");
        };
    }

    /** The URI back as text (as IPP's printer-uri). */
    public String text() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return switch (scheme) {
            case DNSSD -> DNSSD + ":" + host;
            case "socket" -> "socket://" + h + ":" + port;
            case "lpd" -> "lpd://" + h + ":" + port + "/" + path;
            default -> scheme + "://" + h + ":" + port + path;
        };
    }
}
