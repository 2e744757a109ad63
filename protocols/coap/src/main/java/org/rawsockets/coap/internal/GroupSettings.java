package org.rawsockets.coap.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The settings of multicast discovery, checked (from the configuration or a test).
 *
 * @param group the multicast group, an IP literal (224.0.1.187, ff02::fd, ...)
 * @param port the group's UDP port
 * @param multicastInterface interface name ({@code eth0}, {@code lo}), empty for the system's default
 * @param multicastTimeToLive IP TTL / hop limit of the request (1..255; 1: the local link only)
 * @param localAddress the address the socket binds (port 0: ephemeral), an IP literal of the group's
 *            family; {@code 0.0.0.0} / {@code ::} receive answers on every interface
 * @param windowMillis default time answers are collected
 * @param maxResponses default number of servers after which a discovery ends early
 * @param connectTimeoutMillis deadline of opening the UDP socket (policy check, bind)
 * @param maxRunning discoveries running at once at most
 * @param blockSize block size asked for in the multicast request (16..1024, a power of two; below
 *            1024 the request carries Block2 with that size, RFC 7959 section 2.4) and used by the
 *            unicast follow-up of a server whose answer has more blocks
 */
record GroupSettings(String group, int port, String multicastInterface, int multicastTimeToLive, String localAddress,
        long windowMillis, int maxResponses, long connectTimeoutMillis, int maxRunning, int blockSize) {

    /** IPv4 "All CoAP Nodes" (RFC 7252 section 12.8). */
    static final String ALL_COAP_NODES_V4 = "224.0.1.187";
    /** IPv6 link-local "All CoAP Nodes" (RFC 7252 section 12.8). */
    static final String ALL_COAP_NODES_V6 = "ff02::fd";
    static final long MIN_WINDOW_MILLIS = 100;
    static final long MAX_WINDOW_MILLIS = 600_000;
    static final int MAX_RESPONSES = 1024;

    GroupSettings {
        InetAddress g = literal("group", group);
        if (!g.isMulticastAddress()) {
            throw new IllegalArgumentException("coap discovery: group " + group + " is not a multicast address"
                    + " (224.0.0.0/4 or ff00::/8; CoAP's are 224.0.1.187 and ff0X::fd)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("coap discovery: port must be 1..65535, was " + port);
        }
        if (multicastInterface == null || !multicastInterface.matches("[A-Za-z0-9._:@-]{0,15}")) {
            throw new IllegalArgumentException("coap discovery: multicastInterface '" + multicastInterface
                    + "' is not an interface name (such as eth0 or lo, up to 15 characters), or empty for the default");
        }
        if (multicastTimeToLive < 1 || multicastTimeToLive > 255) {
            throw new IllegalArgumentException("coap discovery: multicastTimeToLive must be 1..255, was "
                    + multicastTimeToLive);
        }
        if (localAddress == null || localAddress.isEmpty()) {
            localAddress = g.getAddress().length == 4 ? "0.0.0.0" : "::";
        }
        InetAddress l = literal("localAddress", localAddress);
        if (l.getAddress().length != g.getAddress().length) {
            throw new IllegalArgumentException("coap discovery: localAddress " + localAddress + " is not of the group's"
                    + " address family (group " + group + ")");
        }
        checkWindow(windowMillis);
        checkMaxResponses(maxResponses);
        if (connectTimeoutMillis < 100) {
            throw new IllegalArgumentException("coap discovery: connectTimeoutMillis must be >= 100, was "
                    + connectTimeoutMillis);
        }
        if (maxRunning < 1 || maxRunning > 256) {
            throw new IllegalArgumentException("coap discovery: maxRunning must be 1..256, was " + maxRunning);
        }
        if (blockSize < 16 || blockSize > 1024 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("coap discovery: blockSize must be a power of two in 16..1024, was "
                    + blockSize);
        }
    }

    /** IPv4 All-CoAP-Nodes on port 5683, the default interface, TTL 1, a 6 s window, 64 servers. */
    static GroupSettings defaults() {
        return new GroupSettings(ALL_COAP_NODES_V4, 5683, "", 1, "", 6000, 64, 10_000, 16, 1024);
    }

    GroupSettings withGroup(String g, int p) {
        return new GroupSettings(g, p, multicastInterface, multicastTimeToLive,
                localAddress.equals("0.0.0.0") || localAddress.equals("::") ? "" : localAddress, windowMillis,
                maxResponses, connectTimeoutMillis, maxRunning, blockSize);
    }

    GroupSettings withInterface(String name, String local) {
        return new GroupSettings(group, port, name, multicastTimeToLive, local, windowMillis, maxResponses,
                connectTimeoutMillis, maxRunning, blockSize);
    }

    GroupSettings withTimeToLive(int ttl) {
        return new GroupSettings(group, port, multicastInterface, ttl, localAddress, windowMillis, maxResponses,
                connectTimeoutMillis, maxRunning, blockSize);
    }

    GroupSettings withBlockSize(int size) {
        return new GroupSettings(group, port, multicastInterface, multicastTimeToLive, localAddress, windowMillis,
                maxResponses, connectTimeoutMillis, maxRunning, size);
    }

    static void checkWindow(long millis) {
        if (millis < MIN_WINDOW_MILLIS || millis > MAX_WINDOW_MILLIS) {
            throw new IllegalArgumentException("coap discovery: the window must be " + MIN_WINDOW_MILLIS + ".."
                    + MAX_WINDOW_MILLIS + " ms, was " + millis + " ms");
        }
    }

    static void checkMaxResponses(int n) {
        if (n < 1 || n > MAX_RESPONSES) {
            throw new IllegalArgumentException("coap discovery: maxResponses must be 1.." + MAX_RESPONSES + ", was " + n);
        }
    }

    /** {@code 224.0.1.187:5683 on lo} / {@code [ff02::fd]:5683 on the default interface}. */
    String target() {
        return (group.indexOf(':') >= 0 ? "[" + group + "]" : group) + ":" + port + " on "
                + (multicastInterface.isEmpty() ? "the default interface" : multicastInterface);
    }

    /** An IP literal (never a DNS lookup). */
    private static InetAddress literal(String what, String s) {
        if (s == null || !(s.matches("[0-9.]+") || s.matches("[0-9A-Fa-f:.]+") && s.indexOf(':') >= 0)) {
            throw new IllegalArgumentException("coap discovery: " + what + " must be an IP address literal, was '" + s
                    + "'");
        }
        if (s.indexOf(':') < 0) {
            String[] parts = s.split("\\.", -1);
            boolean ok = parts.length == 4;
            for (int i = 0; ok && i < 4; i++) {
                ok = !parts[i].isEmpty() && parts[i].length() <= 3 && Integer.parseInt(parts[i]) <= 255;
            }
            if (!ok) {
                throw new IllegalArgumentException("coap discovery: " + what + " '" + s + "' is not an IPv4 address");
            }
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("coap discovery: " + what + " '" + s + "' is not an IP address", e);
        }
    }
}
