package org.rawsockets.socket.contract;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure the platform itself can do IPv4 multicast on {@code lo} (TTL 1) before the contract
 * tests the implementation with it, so that a platform limit is not reported as an implementation
 * bug.
 *
 * <p>Findings: Linux {@code lo} usually lacks the MULTICAST flag ({@code ip link show lo}), yet
 * joining a group on {@code lo} named explicitly and sending with IP_MULTICAST_IF = {@code lo}
 * works on the CI image (probe below). Where it does not, and the tests run as root (as CI does),
 * the probe turns the flag on with {@code ip link set lo multicast on} and probes again; otherwise
 * the test fails with what to do.
 */
final class LoopbackMulticast {

    private static Boolean available;

    private LoopbackMulticast() {
    }

    static synchronized void ensureAvailable(String group) throws IOException {
        if (Boolean.TRUE.equals(available)) {
            return;
        }
        NetworkInterface lo = NetworkInterface.getByName("lo");
        if (lo == null) {
            throw new AssertionError("no 'lo' interface: multicast on loopback cannot be tested on this platform");
        }
        if (probe(lo, group)) {
            available = true;
            return;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root && !lo.supportsMulticast()) {
            try {
                Process p = new ProcessBuilder("ip", "link", "set", "lo", "multicast", "on").redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new AssertionError("'ip link set lo multicast on' failed: " + out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (probe(NetworkInterface.getByName("lo"), group)) {
                available = true;
                return;
            }
        }
        throw new AssertionError("this platform does not deliver IPv4 multicast on 'lo' even between plain JDK sockets"
                + (root ? " (also with the MULTICAST flag on)" : "; as root run 'ip link set lo multicast on'")
                + ": multicast on loopback cannot be tested here");
    }

    /** A plain JDK member and sender on lo: does one datagram arrive within 5 s? */
    private static boolean probe(NetworkInterface lo, String group) throws IOException {
        InetAddress g = InetAddress.getByName(group);
        try (DatagramChannel member = DatagramChannel.open(StandardProtocolFamily.INET)
                .setOption(StandardSocketOptions.SO_REUSEADDR, true).bind(new InetSocketAddress("0.0.0.0", 0));
                DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET);
                Selector selector = Selector.open()) {
            member.join(g, lo);
            member.configureBlocking(false);
            member.register(selector, SelectionKey.OP_READ);
            sender.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
            sender.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1);
            int port = ((InetSocketAddress) member.getLocalAddress()).getPort();
            sender.send(ByteBuffer.wrap(new byte[] { 1 }), new InetSocketAddress(g, port));
            if (selector.select(5000) == 0) {
                return false;
            }
            return member.receive(ByteBuffer.allocate(16)) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
