package org.rawsockets.dnssd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.netfault.FaultNetwork;
import org.rawsockets.socket.netfault.NfqDelay;

/**
 * The mDNS client through network faults (issue 21), against avahi-daemon and avahi-publish in the
 * test's own network namespace ({@link AvahiNamespace}: only {@code lo}, multicast TTL 1, nothing
 * leaves it); the client runs in a child JVM inside it ({@link FaultProbe}), a fresh client (empty
 * cache) per test. Faults are iptables rules inside that namespace, the kinds {@link FaultNetwork}
 * uses for a peer behind a veth pair:
 * <ul>
 * <li>Which packets are Avahi's: on {@code lo} the client and Avahi are both bound to port 5353, both
 * run as root (the namespace starts avahi-daemon with {@code --no-drop-root}, so {@code -m owner}
 * cannot tell them apart) and share the one interface, so neither the source port, the owner nor the
 * interface separates them. What does is the message: the probe only asks (queries) and Avahi, the
 * only responder here, only answers, so "UDP from port 5353 whose DNS header has the QR bit set"
 * ({@code -m u32 --u32 "0>>22&0x3C@8>>15&1=1"}: the IP header's length, then the first word of the
 * UDP payload, bit 15 = QR) is exactly what Avahi sends, multicast and unicast alike. On {@code lo}
 * every packet passes OUTPUT once, so the rules sit there.</li>
 * <li>Loss: every second response dropped ({@code statistic --mode nth --every 2}, 50 %):
 * deterministic, so the rule counts half the responses exactly, and the test can neither pass
 * without a drop nor fail by a run of bad luck (random 30-50 % over the few packets of a resolve
 * would do both now and then); Avahi answers each query with one packet, so of two resolves in a row
 * one loses its first answer and the client's query retransmission (RFC 6762 §5.2: 1 s, 2 s, 4 s …
 * after the first) has to repair it.</li>
 * <li>Duplication: in the namespace's IPv6 form ({@code AvahiNamespace(true)}: Avahi on {@code rsa},
 * the client on {@code rsc}, the ends of a veth pair), where Avahi's packets are the ones leaving
 * {@code rsa} from its address; each is cloned by the TEE target (see the test for why not on
 * {@code lo}).</li>
 * <li>Delay: all mDNS packets (queries and answers: both go to port 5353) through NFQUEUE to
 * {@code nfq-delay.py} of socket-api's test jar ({@link NfqDelay}), 200 ms ± 50 ms each.</li>
 * <li>Blackhole: all UDP to or from port 5353 dropped; a frozen avahi-daemon (SIGSTOP, SIGCONT).</li>
 * </ul>
 * After each test the client is closed and the probe JVM must be back to its count of sockets,
 * threads and file descriptors ({@code Leaks}, as in the other fault suites). {@code -Dfaults.full=true}
 * (profile {@code faults}): 8 services instead of 3, and the loss and duplication rounds twice.
 */
class NetworkFaultsTest {

    static final boolean FULL = Boolean.getBoolean("faults.full");
    static final int SERVICES = FULL ? 8 : 3;
    static final String TYPE = "_rsfault._tcp";
    static final Duration LIMIT = Duration.ofSeconds(60);
    static final int QUEUE = 7;
    /** UDP from port 5353 with the DNS header's QR bit set: the responses, which only Avahi sends here. */
    static final List<String> RESPONSES = List.of("-p", "udp", "--sport", "5353", "-m", "u32", "--u32",
            "0>>22&0x3C@8>>15&1=1");

    static AvahiNamespace ns;
    static AvahiNamespace.Probe probe;
    NfqDelay delay;

    @BeforeAll
    static void start() throws Exception {
        ns = new AvahiNamespace();
        publishAll();
        probe = ns.jvm(FaultProbe.class.getName(), "lo");
        probe.await("fault probe ready", 0, LIMIT, l -> l.equals("READY"));
        String comm = ns.ns("cat", "/proc/" + ns.avahi().pid() + "/comm").strip();
        assertEquals("avahi-daemon", comm, "the process the frozen-daemon test stops");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (probe != null && probe.process.isAlive()) {
                probe.send("quit");
                probe.await("probe ended", 0, LIMIT, l -> l.equals("BYE"));
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    /** Lifts the faults, closes the client and waits until the probe JVM holds no more than before. */
    @AfterEach
    void clearAndCheckLeaks() throws Exception {
        try {
            iptables("-F");
            iptables("-t", "mangle", "-F");
            FaultNetwork.thaw(ns.avahi());
            if (delay != null) {
                delay.kill();
            }
        } finally {
            int mark = probe.mark();
            probe.send("close");
            probe.await("client closed", mark, LIMIT, l -> l.equals("CLOSED") || l.startsWith("ERROR close"));
            probe.send("leaks");
            String leaks = probe.await("leak check", mark, LIMIT, l -> l.startsWith("LEAKS") || l.startsWith("ERROR leaks"));
            System.out.println("after close: " + leaks);
            assertTrue(leaks.startsWith("LEAKS sockets=0 "), leaks);
        }
    }

    static String name(int i) {
        return "Fault Printer " + i;
    }

    static String instance(int i) {
        return name(i) + "." + TYPE + ".local";
    }

    static String iptables(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("iptables"));
        cmd.addAll(List.of(args));
        return ns.ns(cmd.toArray(String[]::new));
    }

    /** Appends a rule to OUTPUT of {@code table}: the responses, then {@code rest}. */
    static void onResponses(String table, String... rest) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("-t", table, "-A", "OUTPUT"));
        cmd.addAll(RESPONSES);
        cmd.addAll(List.of(rest));
        iptables(cmd.toArray(String[]::new));
    }

    /** The packets each rule of OUTPUT in {@code table} matched so far, in rule order. */
    static List<Long> counted(String table) throws Exception {
        return counts(iptables("-t", table, "-L", "OUTPUT", "-v", "-n", "-x"));
    }

    /** The packet counts of the rules in a listing ({@code -L CHAIN -v -n -x}). */
    static List<Long> counts(String listing) {
        List<Long> out = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length > 2 && w[0].matches("[0-9]+")) {
                out.add(Long.parseLong(w[0]));
            }
        }
        return out;
    }

    void open(long resolveMillis) throws Exception {
        open(resolveMillis, "");
    }

    void open(long resolveMillis, String ipv6) throws Exception {
        int mark = probe.mark();
        probe.send("open " + resolveMillis + ipv6);
        probe.await("client open", mark, LIMIT, l -> l.equals("OPEN") || l.startsWith("ERROR open"));
        assertEquals("OPEN", probe.transcript().lines().skip(mark).filter(l -> l.startsWith("OPEN") || l.startsWith("ERROR"))
                .findFirst().orElseThrow());
    }

    /** Sends the resolves at once; returns each one's result line (RESOLVED or ERROR), in order. */
    List<String> resolve(List<Integer> which) throws Exception {
        int mark = probe.mark();
        for (int i : which) {
            probe.send("resolve " + instance(i));
        }
        List<String> out = new ArrayList<>();
        for (int i : which) {
            String inst = instance(i);
            out.add(probe.await("resolve of " + instance(i), mark, LIMIT,
                    l -> l.startsWith("RESOLVED ") && l.contains(" " + inst + "|")
                            || l.startsWith("ERROR ") && l.contains(instance(i))));
        }
        return out;
    }

    static long millis(String resultLine) {
        return Long.parseLong(resultLine.split(" ")[1]);
    }

    static void assertResolved(int i, String line) {
        assertTrue(line.startsWith("RESOLVED "), line);
        String[] f = line.substring(line.indexOf(' ', "RESOLVED ".length()) + 1).split("\\|");
        assertEquals(String.valueOf(9000 + i), f[2], line);
        assertEquals("{n=" + i + "}", f[3], line);
        // Avahi publishes 127.0.0.1 and ::1 for its host on lo; a resolve completes with the first
        // address known, so ::1 is there only when it came in the same answer
        assertTrue(f[4].equals("[127.0.0.1]") || f[4].equals("[127.0.0.1, ::1]"), line);
    }

    /** Starts a browse of the test's type and waits until every service was reported; returns the ms. */
    long browseFindsAll() throws Exception {
        int mark = probe.mark();
        long t0 = System.nanoTime();
        probe.send("browse " + TYPE);
        for (int i = 1; i <= SERVICES; i++) {
            String inst = instance(i);
            probe.await("FOUND " + instance(i), mark, LIMIT, l -> l.startsWith("EVENT FOUND " + inst + "|"));
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** FOUND/UPDATED/GONE events per instance in the transcript since {@code mark}. */
    Map<String, Integer> events(int mark, String kind) {
        Map<String, Integer> n = new TreeMap<>();
        probe.transcript().lines().skip(mark).filter(l -> l.startsWith("EVENT " + kind + " "))
                .forEach(l -> n.merge(l.substring(("EVENT " + kind + " ").length(), l.indexOf('|')), 1, Integer::sum));
        return n;
    }

    String command(String command, String answer) throws Exception {
        int mark = probe.mark();
        probe.send(command);
        return probe.await(command, mark, LIMIT, l -> l.startsWith(answer + " ") || l.startsWith("ERROR " + command));
    }

    @Test
    void lossOfHalfTheAnswersIsRepairedByQueryRetransmission() throws Exception {
        for (int round = 1; round <= (FULL ? 2 : 1); round++) {
            open(20_000);
            onResponses("filter"); // counts every response
            onResponses("filter", "-m", "statistic", "--mode", "nth", "--every", "2", "--packet", "1", "-j", "DROP");
            // resolves one after another, each of a name not in the cache yet
            List<Long> times = new ArrayList<>();
            for (int i = 1; i <= SERVICES; i++) {
                String r = resolve(List.of(i)).get(0);
                assertResolved(i, r);
                times.add(millis(r));
            }
            // then a browse: its PTR answers go through the same loss
            long browse = browseFindsAll();
            List<Long> c = counted("filter");
            long responses = c.get(0);
            long dropped = c.get(1);
            String status = command("status", "STATUS");
            System.out.println("loss 50 % of Avahi's answers (round " + round + "): " + SERVICES + " resolves in " + times
                    + " ms, a browse found all in " + browse + " ms; " + dropped + " of " + responses
                    + " answers dropped; " + status);
            assertTrue(dropped >= 1 && Math.abs(responses - 2 * dropped) <= 1, "every second answer dropped: " + c);
            // one answer per query, every second one dropped: of two resolves in a row one lost its first
            // answer and got it from the retransmission 1 s later
            assertTrue(times.stream().anyMatch(t -> t >= 900), "a resolve repaired by a retransmission: " + times);
            iptables("-F");
            if (round < (FULL ? 2 : 1)) {
                clearAndCheckLeaks();
            }
        }
    }

    @Test
    void duplicatedAnswersReportEachServiceOnceAndCacheEachRecordOnce() throws Exception {
        // On lo a TEE clone of a multicast packet is no second multicast packet (measured: with the rule
        // a socket in the group still got each packet once; the clone travels with the unicast route to
        // its gateway, 127.0.0.1, and is not delivered to the group's members). So this test uses the namespace's IPv6 form, Avahi on rsa and the client on rsc, the two ends
        // of a veth pair: each packet Avahi sends out rsa is cloned (TEE in POSTROUTING, as
        // FaultNetwork.duplicate does) to a gateway fe80::dead that a permanent neighbour entry maps to
        // rsc's MAC address, so the clone arrives on rsc as a second copy of the same multicast packet
        // (a gateway that is a local address would send it through lo). Avahi also loops its multicast
        // back on rsa, and that copy is cloned as well: the client's [::]:5353 socket gets each answer
        // four times (the kernel delivers a group's packets to every socket of the port that joined the
        // group, whatever the interface).
        AvahiNamespace lo = ns;
        AvahiNamespace.Probe loProbe = probe;
        try (AvahiNamespace six = new AvahiNamespace(true)) {
            ns = six;
            publishAll();
            probe = six.jvm(FaultProbe.class.getName(), "rsc");
            probe.await("IPv6 fault probe ready", 0, LIMIT, l -> l.equals("READY"));
            String avahi = linkLocal("rsa");
            String mac = ns.ns("cat", "/sys/class/net/rsc/address").strip();
            ns.ns("ip", "-6", "neigh", "add", "fe80::dead", "dev", "rsa", "lladdr", mac, "nud", "permanent");
            for (int round = 1; round <= (FULL ? 2 : 1); round++) {
                open(10_000, " ipv6");
                // counters: what Avahi sends (the clones are the untracked ones: TEE leaves them out of
                // connection tracking), and what comes in on the client's end
                ip6tables("-A", "OUTPUT", "-o", "rsa", "-s", avahi, "-p", "udp", "--sport", "5353", "-m", "conntrack",
                        "!", "--ctstate", "UNTRACKED");
                ip6tables("-A", "OUTPUT", "-o", "rsa", "-s", avahi, "-p", "udp", "--sport", "5353", "-m", "conntrack",
                        "--ctstate", "UNTRACKED");
                ip6tables("-A", "INPUT", "-i", "rsc", "-s", avahi, "-p", "udp", "--sport", "5353");
                ip6tables("-t", "mangle", "-A", "POSTROUTING", "-o", "rsa", "-s", avahi, "-p", "udp", "--sport", "5353",
                        "-j", "TEE", "--gateway", "fe80::dead", "--oif", "rsa");
                int mark = probe.mark();
                long ms = browseFindsAll();
                // every copy in, and handled by the client, before its events are counted
                long until = System.nanoTime() + LIMIT.toNanos();
                List<Long> out;
                long in;
                String status;
                do {
                    in = counted6("INPUT").get(0);
                    out = counted6("OUTPUT");
                    status = command("status", "STATUS");
                } while (!(in >= 2 * out.get(0) && received(status) >= in) && System.nanoTime() < until);
                long originals = out.get(0);
                long clones = out.get(1);
                assertTrue(originals >= 1 && clones >= originals, "every answer of Avahi cloned: " + out);
                assertTrue(in >= 2 * originals, "every answer came in on rsc at least twice: " + in + " of " + originals
                        + " answers and " + clones + " clones");
                assertTrue(received(status) >= in, "the client received them all: " + status + ", " + in + " came in");
                Map<String, Integer> found = events(mark, "FOUND");
                assertEquals(SERVICES, found.size(), probe.transcript());
                found.forEach((k, v) -> assertEquals(1, v, "FOUND events of " + k + ": " + probe.transcript()));
                assertEquals(Map.of(), events(mark, "GONE"), probe.transcript());
                String services = command("services", "SERVICES");
                StringBuilder expected = new StringBuilder("SERVICES " + SERVICES + " ");
                for (int i = 1; i <= SERVICES; i++) {
                    expected.append(instance(i)).append('|').append(9000 + i).append(';');
                }
                assertEquals(expected.toString(), services);
                // one PTR, SRV and TXT per service and at most the host's one address (Avahi on rsa: IPv6 only;
                // the browse's answer may leave it out, and a browse does not ask for it)
                String cache = command("cache " + TYPE, "CACHE");
                System.out.println("duplication of every answer (round " + round + "): all " + SERVICES + " found in " + ms
                        + " ms, each FOUND once, " + events(mark, "UPDATED").size() + " UPDATED; Avahi sent " + originals
                        + " packets, " + clones + " clones, " + in + " came in on rsc; " + cache + "; " + status);
                assertTrue(cache.matches("CACHE ptr=" + SERVICES + " srv=" + SERVICES + " txt=" + SERVICES + " a=0 aaaa=[01]"),
                        cache + "\n" + probe.transcript());
                ip6tables("-F");
                ip6tables("-t", "mangle", "-F");
                clearAndCheckLeaks();
            }
            probe.send("quit");
            probe.await("IPv6 probe ended", 0, LIMIT, l -> l.equals("BYE"));
        } finally {
            ns = lo;
            probe = loProbe;
        }
    }

    static String ip6tables(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip6tables"));
        cmd.addAll(List.of(args));
        return ns.ns(cmd.toArray(String[]::new));
    }

    /** The packets each rule of {@code chain} in ip6tables' filter table matched so far, in rule order. */
    static List<Long> counted6(String chain) throws Exception {
        return counts(ip6tables("-L", chain, "-v", "-n", "-x"));
    }

    static String linkLocal(String dev) throws Exception {
        String out = ns.ns("ip", "-6", "addr", "show", "dev", dev, "scope", "link");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("inet6 (fe80:[0-9a-f:]+)/").matcher(out);
        if (!m.find()) {
            throw new AssertionError("no link-local address on " + dev + ": " + out);
        }
        return m.group(1);
    }

    static void publishAll() throws Exception {
        for (int i = 1; i <= SERVICES; i++) {
            Process p = ns.start("publish-" + i, List.of("avahi-publish", "-s", name(i), TYPE, String.valueOf(9000 + i),
                    "n=" + i));
            ns.waitForLog("avahi-publish of " + name(i) + " established", p, "publish-" + i,
                    l -> l.contains("Established under name"));
        }
    }

    static long received(String status) {
        return field(status, "datagramsReceived");
    }

    static long sent(String status) {
        return field(status, "queriesSent");
    }

    static long field(String status, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b" + name + "=(\\d+)").matcher(status);
        if (!m.find()) {
            throw new AssertionError("no " + name + " in " + status);
        }
        return Long.parseLong(m.group(1));
    }

    @Test
    void delayWithJitterReordersYetResolvesAndBrowseSucceed() throws Exception {
        open(10_000);
        // seed 7: the first two delays drawn are 182 ms and 165 ms, so the first two queries, sent at
        // once, leave the delay in the other order
        delay = NfqDelay.start(ns.name, ns.dir, QUEUE, 200, 50, 7);
        iptables("-A", "OUTPUT", "-p", "udp", "--dport", "5353", "-j", "NFQUEUE", "--queue-num", String.valueOf(QUEUE));
        long t0 = System.nanoTime();
        List<Integer> all = new ArrayList<>();
        for (int i = 1; i <= SERVICES; i++) {
            all.add(i);
        }
        // every resolve at once: their queries (and Avahi's answers) leave the delay in another order
        List<String> results = resolve(all);
        long browse = browseFindsAll();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long queued = counted("filter").get(0);
        iptables("-F");
        String report = delay.stop();
        delay = null;
        List<Long> times = new ArrayList<>();
        for (int i = 1; i <= SERVICES; i++) {
            assertResolved(i, results.get(i - 1));
            times.add(millis(results.get(i - 1)));
        }
        System.out.println("delay 200 +- 50 ms: " + SERVICES + " resolves at once in " + times + " ms, a browse found all in "
                + browse + " ms (" + ms + " ms in all); " + queued + " packets through the delay (" + report + ")");
        for (long t : times) {
            assertTrue(t >= 300, "a query and its answer wait at least 150 ms each: " + times);
        }
        NfqDelay.checkReordered(report, queued);
    }

    @Test
    void aBlackholeEndsInATypedTimeoutThenTheSameResolveSucceeds() throws Exception {
        open(3_000);
        iptables("-A", "OUTPUT", "-p", "udp", "--dport", "5353", "-j", "DROP");
        iptables("-A", "OUTPUT", "-p", "udp", "--sport", "5353", "-j", "DROP");
        String e = resolve(List.of(1)).get(0);
        long dropped = counted("filter").stream().mapToLong(Long::longValue).sum();
        System.out.println("blackhole: " + e + "; " + dropped + " packets dropped");
        assertTimeout(e, 1);
        assertTrue(dropped >= 1, "the blackhole took effect");
        iptables("-F");
        String r = resolve(List.of(1)).get(0);
        assertResolved(1, r);
        System.out.println("blackhole lifted: resolved in " + millis(r) + " ms");
    }

    @Test
    void aFrozenAvahiEndsInATypedTimeoutThenAnswersAfterSigcont() throws Exception {
        open(3_000);
        String e;
        FaultNetwork.freeze(ns.avahi());
        try {
            e = resolve(List.of(2)).get(0);
        } finally {
            FaultNetwork.thaw(ns.avahi());
        }
        System.out.println("frozen avahi-daemon: " + e);
        assertTimeout(e, 2);
        String r = resolve(List.of(2)).get(0);
        assertResolved(2, r);
        System.out.println("after SIGCONT: resolved in " + millis(r) + " ms");
    }

    /** A resolve limited to 3 s ended with the typed timeout, in time, saying what, where and why. */
    static void assertTimeout(String line, int i) {
        assertTrue(line.startsWith("ERROR "), line);
        long ms = millis(line);
        String error = line.substring(line.indexOf(' ', "ERROR ".length()) + 1);
        assertTrue(error.startsWith("DnsSdTimeoutException: resolve " + instance(i)
                + " on interface lo: no SRV record answered within 3000 ms ("), error);
        assertTrue(error.contains(" queries sent)"), error);
        // the limit is checked by the client's 200 ms tick
        assertTrue(ms >= 3_000 && ms < 3_000 + 1_000, "ended after " + ms + " ms");
    }
}
