package org.rawsockets.socket.mina.internal.policy;

import java.net.IDN;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Address and host-name helpers of the policy; never does a DNS lookup. */
public final class Addresses {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern V6 = Pattern.compile("[0-9a-fA-F:.]+(%[\\w.-]+)?");

    private Addresses() {
    }

    /**
     * Parses an IP literal (IPv4 dotted quad, IPv6 with or without brackets) without any lookup.
     *
     * @return the address, or {@code null} when {@code text} is not an IP literal
     */
    public static InetAddress literal(String text) {
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (IPV4.matcher(t).matches()) {
            String[] parts = t.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    return null;
                }
                b[i] = (byte) v;
            }
            try {
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        if (t.indexOf(':') < 0 || !V6.matcher(t).matches()) {
            return null;
        }
        try {
            // Brackets make the JDK parse an IPv6 literal and never fall back to a lookup.
            return normalize(InetAddress.getByName("[" + t + "]"));
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    /** IPv4-mapped ({@code ::ffff:a.b.c.d}) addresses become IPv4 addresses. */
    public static InetAddress normalize(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean zero10 = true;
            for (int i = 0; i < 10; i++) {
                zero10 &= b[i] == 0;
            }
            boolean mapped = zero10 && b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            if (mapped) {
                try {
                    return InetAddress.getByAddress(new byte[] { b[12], b[13], b[14], b[15] });
                } catch (UnknownHostException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return a;
    }

    /** Host names compared in lower-case ASCII (IDN.toASCII), without a trailing dot. */
    public static String normalizeName(String host) {
        String h = host.trim();
        while (h.endsWith(".") && h.length() > 1) {
            h = h.substring(0, h.length() - 1);
        }
        try {
            h = IDN.toASCII(h, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            // Not a valid IDN: compare it as it is (it will simply match nothing specific).
        }
        return h.toLowerCase(Locale.ROOT);
    }

    /** The textual IP form used in messages and suggested rules ({@code 127.0.0.1}, {@code ::1}). */
    public static String text(InetAddress a) {
        String s = a.getHostAddress();
        int pct = s.indexOf('%');
        s = pct < 0 ? s : s.substring(0, pct);
        if (a instanceof Inet6Address) {
            s = compress(s);
        }
        return s;
    }

    private static String compress(String full) {
        // Java prints 0:0:0:0:0:0:0:1; operators write ::1.
        String[] parts = full.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < parts.length;) {
            if (parts[i].equals("0")) {
                int j = i;
                while (j < parts.length && parts[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestLen < 2) {
            return full;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bestStart; i++) {
            sb.append(i > 0 ? ":" : "").append(parts[i]);
        }
        sb.append("::");
        for (int i = bestStart + bestLen; i < parts.length; i++) {
            sb.append(parts[i]).append(i < parts.length - 1 ? ":" : "");
        }
        return sb.toString();
    }

    public static boolean isV4(InetAddress a) {
        return a instanceof Inet4Address;
    }
}
