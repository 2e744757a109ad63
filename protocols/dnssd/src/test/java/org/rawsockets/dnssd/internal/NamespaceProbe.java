package org.rawsockets.dnssd.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.rawsockets.dnssd.ServiceBrowse;
import org.rawsockets.dnssd.ServiceEvent;
import org.rawsockets.dnssd.ServiceInfo;
import org.rawsockets.dnssd.internal.codec.DnsDecoder;
import org.rawsockets.dnssd.internal.codec.DnsEncoder;
import org.rawsockets.dnssd.internal.codec.DnsMessage;
import org.rawsockets.dnssd.internal.codec.DnsName;
import org.rawsockets.dnssd.internal.codec.DnsRecord;
import org.rawsockets.dnssd.internal.codec.RecordType;
import org.rawsockets.dnssd.internal.codec.TxtAttributes;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * The Java side of the namespace tests, run as a child JVM inside the test's network namespace
 * ({@code ip netns exec NS java ... NamespaceProbe lo}). It reads commands from stdin, one per line,
 * and prints results as lines the test waits for:
 * <pre>
 * browse TYPE              -> EVENT TYPE KIND INSTANCE|HOST|PORT|TXT|ADDRESSES (continuously)
 * resolve INSTANCE         -> RESOLVED INSTANCE|HOST|PORT|TXT|ADDRESSES  or  ERROR resolve CLASS: MESSAGE
 * query NAME TYPE          -> ANSWER NAME TYPE DATA ... (one line per record), then ANSWERED n
 * capture                  -> QUERY QUESTIONS|KNOWN-ANSWERS for each query seen on the link
 * announce INSTANCE PORT TTL  a response with PTR/SRV/TXT/A for INSTANCE, TTL seconds (our own packet, from 5353)
 * announce-wrong-port ...  the same from an ephemeral port (to be ignored, RFC 6762 §6)
 * garbage                  a packet with a compression-pointer loop
 * status                   -> STATUS ...
 * </pre>
 */
public final class NamespaceProbe {

    private static final Object OUT = new Object();

    static void say(String line) {
        synchronized (OUT) {
            System.out.println(line);
            System.out.flush();
        }
    }

    static String describe(ServiceInfo s) {
        return s.instanceName() + "|" + s.host() + "|" + s.port() + "|" + s.txt() + "|" + s.addresses();
    }

    public static void main(String[] args) throws Exception {
        String iface = args.length > 0 ? args[0] : "lo";
        // "policy": the real policy with this bundle's declarations and the grants the README documents
        // "policy-nosend": the same without the grant to send to the group
        MinaSocketEngine engine = args.length > 1 && args[1].equals("policy") ? PolicyEngines.withGrants(PolicyEngines.MDNS_GRANTS)
                : args.length > 1 && args[1].equals("policy-nosend")
                        ? PolicyEngines.withGrants(java.util.Arrays.copyOf(PolicyEngines.MDNS_GRANTS, 2))
                        : MinaSocketEngine.standalone();
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.dnssd"));
        MdnsSettings settings = MdnsSettings.defaults().withInterface(iface).withTimeToLive(1)
                .withIpv6(java.util.Arrays.asList(args).contains("ipv6"));
        List<Thread> threads = new ArrayList<>();
        boolean policyNoSend = args.length > 1 && args[1].equals("policy-nosend");
        UdpSocket capture = null;
        try (MdnsClient client = args.length > 1 && args[1].equals("bench") ? null : new MdnsClient(sockets, settings)) {
            say("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.split(" ", 2);
                String arg = w.length > 1 ? w[1] : "";
                try {
                    switch (w[0]) {
                        case "browse" -> {
                            ServiceBrowse b = client.browse(arg);
                            Thread t = new Thread(() -> events(b), "probe-browse");
                            t.setDaemon(true);
                            t.start();
                            threads.add(t);
                        }
                        case "resolve" -> client.resolve(arg, Duration.ofSeconds(arg.startsWith("missing") || policyNoSend ? 3 : 30))
                                .whenComplete((s, t) -> say(t == null ? "RESOLVED " + describe(s)
                                        : "ERROR resolve " + cause(t).getClass().getSimpleName() + ": " + cause(t).getMessage()));
                        case "query" -> {
                            String[] q = arg.split(" ");
                            client.query(q[0], q[1], Duration.ofSeconds(30)).whenComplete((rs, t) -> {
                                if (t != null) {
                                    say("ERROR query " + cause(t).getClass().getSimpleName() + ": " + cause(t).getMessage());
                                    return;
                                }
                                rs.forEach(r -> say("ANSWER " + r));
                                say("ANSWERED " + rs.size());
                            });
                        }
                        case "capture" -> {
                            capture = sockets.openUdp(UdpSocketOptions.builder().local("0.0.0.0", 5353)
                                    .multicastAllowAddressSharing(true).multicastInterface(iface).multicastTimeToLive(1).build());
                            capture.opened().toCompletableFuture().get();
                            capture.multicast().joinGroup("224.0.0.251").toCompletableFuture().get();
                            capture(capture);
                            say("CAPTURING");
                        }
                        case "announce", "announce-wrong-port" -> {
                            String[] a = arg.split(" ");
                            String instance = arg.substring(0, arg.length() - a[a.length - 1].length() - a[a.length - 2].length() - 2);
                            announce(sockets, iface, instance, Integer.parseInt(a[a.length - 2]), Long.parseLong(a[a.length - 1]),
                                    w[0].equals("announce") ? 5353 : 0);
                        }
                        case "garbage" -> send(sockets, iface, 5353, new byte[] { 0, 0, (byte) 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0,
                                (byte) 0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 120, 0, 2, (byte) 0xc0, 12 });
                        case "status" -> say("STATUS " + client.status());
                        case "bench-browse" -> {
                            // a fresh client (empty cache): time from browse() to N distinct instances found
                            String[] a = arg.split(" ");
                            int n = Integer.parseInt(a[1]);
                            try (MdnsClient fresh = new MdnsClient(sockets, settings)) {
                                long t0 = System.nanoTime();
                                java.util.Set<String> seen = new java.util.HashSet<>();
                                try (ServiceBrowse b = fresh.browse(a[0])) {
                                    long until = t0 + 60_000_000_000L;
                                    while (seen.size() < n && System.nanoTime() < until) {
                                        b.next(Duration.ofMillis(200)).filter(e -> e.kind() == ServiceEvent.Kind.FOUND)
                                                .ifPresent(e -> seen.add(e.service().instanceName()));
                                    }
                                }
                                say("BENCH " + seen.size() + " " + (System.nanoTime() - t0) / 1_000 + " us");
                            }
                        }
                        case "shell-browse", "shell-resolve" -> {
                            // the Gogo commands on the real client; printed events and the result, prefixed
                            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
                            java.io.PrintStream ps = new java.io.PrintStream(buf, true, StandardCharsets.UTF_8);
                            org.rawsockets.dnssd.internal.shell.DnsSdCommands c = shell(client, ps);
                            String result;
                            if (w[0].equals("shell-browse")) {
                                int sp = arg.lastIndexOf(' ');
                                result = c.browse(arg.substring(0, sp), Integer.parseInt(arg.substring(sp + 1)));
                            } else {
                                result = c.resolve(arg);
                            }
                            (buf.toString(StandardCharsets.UTF_8) + result).lines().forEach(l -> say("SHELL " + l));
                            say("SHELL-END");
                        }
                        case "quit" -> {
                            say("BYE");
                            return;
                        }
                        default -> say("ERROR unknown command " + line);
                    }
                } catch (Exception e) {
                    say("ERROR " + w[0] + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
        } finally {
            if (capture != null) {
                capture.close();
            }
            sockets.close();
            engine.close();
        }
    }

    static org.rawsockets.dnssd.internal.shell.DnsSdCommands shell(MdnsClient client, java.io.PrintStream out) {
        return org.rawsockets.dnssd.internal.shell.ShellAccess.commands(client, out);
    }

    private static Throwable cause(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static void events(ServiceBrowse b) {
        try {
            while (true) {
                Optional<ServiceEvent> e = b.next(Duration.ofSeconds(1));
                e.ifPresent(ev -> say("EVENT " + b.serviceType() + " " + ev.kind() + " " + describe(ev.service())));
            }
        } catch (Exception e) {
            say("ERROR browse " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static void capture(UdpSocket s) {
        s.readable().read().whenComplete((r, t) -> {
            if (t != null || r.done()) {
                return;
            }
            try {
                DnsMessage m = DnsDecoder.decode(r.value().data());
                if (!m.isResponse()) {
                    StringBuilder b = new StringBuilder("QUERY ");
                    m.questions().forEach(q -> b.append(q.name()).append(' ').append(RecordType.name(q.type()))
                            .append(q.unicastResponse() ? " QU" : " QM").append(';'));
                    b.append('|');
                    m.answers().forEach(a -> b.append(a.data()).append(';'));
                    say(b.toString());
                }
            } catch (Exception e) {
                say("CAPTURED-MALFORMED " + e.getMessage());
            }
            capture(s);
        });
    }

    private static void announce(MinaSocketEngine.OwnedSocketService sockets, String iface, String instance, int port,
            long ttl, int fromPort) throws Exception {
        DnsName inst = Names.instance(instance);
        DnsName type = inst.suffix(1);
        DnsName host = DnsName.parse("probe-host.local");
        Map<String, String> txt = new LinkedHashMap<>();
        txt.put("probe", "yes");
        DnsMessage m = DnsMessage.response(List.of(DnsRecord.of(type, ttl, new DnsRecord.Ptr(inst))),
                List.of(new DnsRecord(inst, RecordType.SRV, 1, true, ttl, new DnsRecord.Srv(0, 0, port, host)),
                        new DnsRecord(inst, RecordType.TXT, 1, true, ttl, TxtAttributes.encode(txt)),
                        new DnsRecord(host, RecordType.A, 1, true, ttl,
                                new DnsRecord.A((Inet4Address) InetAddress.getByName("127.0.0.1")))));
        send(sockets, iface, fromPort, DnsEncoder.encode(m));
    }

    /** Sends a packet to the group from {@code fromPort} (5353: as a responder does; 0: an ephemeral port). */
    private static void send(MinaSocketEngine.OwnedSocketService sockets, String iface, int fromPort, byte[] packet)
            throws Exception {
        UdpSocket s = sockets.openUdp(UdpSocketOptions.builder().local(fromPort == 0 ? "127.0.0.1" : "0.0.0.0", fromPort)
                .multicastAllowAddressSharing(true).multicastInterface(iface).multicastTimeToLive(1).build());
        try {
            s.opened().toCompletableFuture().get();
            s.writable().write(UdpMessage.to("224.0.0.251", 5353, packet)).toCompletableFuture().get();
            say("SENT " + packet.length);
        } finally {
            s.close();
        }
    }
}
