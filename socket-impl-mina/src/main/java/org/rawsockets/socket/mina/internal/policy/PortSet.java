package org.rawsockets.socket.mina.internal.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * A set of ports: {@code *}, or a comma-separated list of ports and inclusive ranges
 * ({@code 22}, {@code 8000-8100}, {@code 25,465,587}). Port 0 stands for "any ephemeral port" in
 * listen/bind accesses and is only covered by {@code *} or an explicit {@code 0}.
 */
public final class PortSet {

    public static final PortSet ANY = new PortSet(true, new int[0], "*");

    private final boolean any;
    /** Pairs lo, hi. */
    private final int[] ranges;
    private final String text;

    private PortSet(boolean any, int[] ranges, String text) {
        this.any = any;
        this.ranges = ranges;
        this.text = text;
    }

    /** @throws IllegalArgumentException saying what is wrong and what is expected */
    public static PortSet parse(String text) {
        String t = text.trim();
        if (t.equals("*")) {
            return ANY;
        }
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty port list: use *, a port (22), a range (8000-8100) or a list (25,587)");
        }
        List<Integer> out = new ArrayList<>();
        StringBuilder canonical = new StringBuilder();
        for (String part : t.split(",")) {
            String p = part.trim();
            int dash = p.indexOf('-');
            int lo;
            int hi;
            if (dash < 0) {
                lo = hi = port(p, t);
            } else {
                lo = port(p.substring(0, dash), t);
                hi = port(p.substring(dash + 1), t);
                if (lo > hi) {
                    throw new IllegalArgumentException("port range '" + p + "' in '" + t + "' runs backwards: write " + hi + "-" + lo);
                }
            }
            out.add(lo);
            out.add(hi);
            if (canonical.length() > 0) {
                canonical.append(',');
            }
            canonical.append(lo == hi ? Integer.toString(lo) : lo + "-" + hi);
        }
        return new PortSet(false, out.stream().mapToInt(Integer::intValue).toArray(), canonical.toString());
    }

    private static int port(String s, String whole) {
        String p = s.trim();
        if (p.equals("*")) {
            throw new IllegalArgumentException("'*' cannot be combined with other ports in '" + whole + "'");
        }
        try {
            int v = Integer.parseInt(p);
            if (v < 0 || v > 65535) {
                throw new IllegalArgumentException("port " + v + " in '" + whole + "' is outside 0..65535");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + p + "' in '" + whole + "' is not a port: use *, 22, 8000-8100 or 25,587", e);
        }
    }

    public static PortSet single(int port) {
        return parse(Integer.toString(port));
    }

    public boolean isAny() {
        return any;
    }

    public boolean contains(int port) {
        if (any) {
            return true;
        }
        for (int i = 0; i < ranges.length; i += 2) {
            if (port >= ranges[i] && port <= ranges[i + 1]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the port is named on its own: a list entry that is exactly this port ({@code 25},
     * {@code 25,465,587}, or the degenerate range {@code 25-25}). Neither {@code *} nor a range
     * around the port ({@code 1-65535}, {@code 20-30}) names it. This is what lifts the port denials
     * (outbound 25, privileged listen/bind ports): an operator must have written the port itself.
     */
    public boolean namesExplicitly(int port) {
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] == port && ranges[i + 1] == port) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortSet p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
