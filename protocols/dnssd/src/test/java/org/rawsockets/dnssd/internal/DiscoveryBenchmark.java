package org.rawsockets.dnssd.internal;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Benchmark (not a test; run by hand, see README): time to discover N services published by Avahi
 * (static service files) in a private namespace, this client (a fresh client each round, from
 * {@code browse()} to the N-th FOUND, in a JVM already running) against {@code avahi-browse -t -p}
 * (process start to exit: it asks the daemon over D-Bus and ends when the daemon reports "all for
 * now"). Rounds alternate. Usage: {@code DiscoveryBenchmark [services] [rounds]}.
 */
public final class DiscoveryBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (AvahiNamespace ns = new AvahiNamespace()) {
            for (int i = 0; i < n; i++) {
                Files.writeString(ns.dir.resolve("services").resolve("bench-" + i + ".service"),
                        "<?xml version=\"1.0\" standalone='no'?>\n<!DOCTYPE service-group SYSTEM \"avahi-service.dtd\">\n"
                                + "<service-group><name>Bench Service " + i + "</name><service><type>_bench._tcp</type>"
                                + "<port>" + (10000 + i) + "</port><txt-record>n=" + i + "</txt-record></service>"
                                + "</service-group>\n");
            }
            String pid = AvahiNamespace.run("ip", "netns", "pids", ns.name).lines()
                    .filter(p -> {
                        try {
                            return Files.readString(java.nio.file.Path.of("/proc", p.strip(), "comm")).strip().equals("avahi-daemon");
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    }).findFirst().orElseThrow();
            AvahiNamespace.run("kill", "-HUP", pid.strip());
            ns.waitForLog("services loaded", null, "avahi", l -> l.contains("Bench Service " + (n - 1))
                    && l.contains("successfully established"));
            AvahiNamespace.Probe probe = ns.probe("bench");
            probe.await("ready", 0, Duration.ofSeconds(60), l -> l.equals("READY"));
            List<Double> ours = new ArrayList<>();
            List<Double> avahi = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                int mark = probe.mark();
                probe.send("bench-browse _bench._tcp " + n);
                String line = probe.await("bench round", mark, Duration.ofSeconds(90), l -> l.startsWith("BENCH "));
                String[] f = line.split(" ");
                if (Integer.parseInt(f[1]) != n) {
                    throw new IllegalStateException("found " + f[1] + " of " + n + ": " + line);
                }
                ours.add(Long.parseLong(f[2]) / 1000.0);
                long t0 = System.nanoTime();
                String out = ns.ns("avahi-browse", "-t", "-p", "_bench._tcp");
                double ms = (System.nanoTime() - t0) / 1e6;
                long found = out.lines().filter(l -> l.startsWith("+;")).count();
                if (found != n) {
                    throw new IllegalStateException("avahi-browse found " + found + " of " + n + ":\n" + out);
                }
                avahi.add(ms);
                System.out.printf("round %d: rawsockets %.1f ms, avahi-browse -t %.1f ms%n", r + 1, ours.get(r), ms);
            }
            System.out.printf("median: rawsockets %.1f ms, avahi-browse -t %.1f ms, ratio %.2f%n", median(ours), median(avahi),
                    median(ours) / median(avahi));
            probe.send("quit");
        }
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
