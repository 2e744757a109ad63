package org.rawsockets.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.testing.ProcessSample;
import org.rawsockets.ssh.SshConnector;

/**
 * Mixed soak (issue 21): the protocol clients of the bundles (Modbus, MQTT, SMTP, IRC, CoAP, SSH) and raw
 * TCP and connected UDP sockets at the same time, all through ONE socket engine (a service per
 * protocol bundle, as the gateway gives each bundle its own), against their real peers on loopback
 * ({@link Peers}). The connections are shared equally between the eight kinds, SSH with half a share
 * ({@link #share}: OpenSSH forks per connection and per command); each does its
 * natural operation {@code soak.rate} times a second ({@link Loops}), every answer checked. Every
 * interval it prints, per kind, operations per second and p50/p99 round trip, then heap after a
 * full GC, RSS, threads and file descriptors; at the end the heap's slope. It fails on any error or
 * wrong answer (UDP datagrams lost on loopback are counted, not failed), when the SMTP server did not
 * receive every mail sent, when a socket stays open after the clients closed, or when threads or
 * descriptors do not come back to what they were before the clients.
 *
 * <p>The normal build runs 70 connections for 12 s. The soak (1,000 connections, 1 h, a line per
 * minute): {@code ./mvnw -B -Psoak -pl soak -am verify -Dtest=MixedSoakTest
 * -Dsurefire.failIfNoSpecifiedTests=false -DskipITs} (README "Tests").
 */
@Timeout(value = 3, unit = TimeUnit.HOURS)
class MixedSoakTest {

    static final String[] KINDS = {"tcp", "udp", "modbus", "mqtt", "smtp", "irc", "coap", "ssh"};

    @TempDir
    Path dir;

    @Test
    void protocolsAndRawSocketsAtOnceThroughOneEngine() throws Exception {
        int connections = Integer.getInteger("soak.connections", 70);
        long seconds = Long.getLong("soak.seconds", 12);
        long interval = Long.getLong("soak.interval", 3);
        int perSecond = Integer.getInteger("soak.rate", 2);
        Files.createDirectories(Metrics.REPORT.toAbsolutePath().getParent());
        Files.deleteIfExists(Metrics.REPORT);
        Map<String, Integer> share = share(connections);
        Map<String, Metrics.Kind> kinds = new LinkedHashMap<>();
        for (String k : KINDS) {
            kinds.put(k, new Metrics.Kind(k));
        }
        ScheduledExecutorService pace = Executors.newScheduledThreadPool(2);
        List<Loops.Loop> loops = new ArrayList<>();
        long begin = System.nanoTime();
        SshConnector ssh = null;
        try (Peers peers = new Peers(dir).start(share.get("modbus"));
                MinaSocketEngine engine = MinaSocketEngine.standalone()) {
            Map<String, MinaSocketEngine.OwnedSocketService> services = new LinkedHashMap<>();
            long bundle = 1;
            for (String k : KINDS) {
                services.put(k, engine.serviceFor(Owner.of(bundle++, "org.rawsockets.soak." + k)));
            }
            // one SSH client for all SSH connections, as the SSH bundle has one
            ssh = SshConnector.start(services.get("ssh"));
            double peersSeconds = (System.nanoTime() - begin) / 1e9;
            ProcessSample before = ProcessSample.take();
            AtomicReference<String> stop = new AtomicReference<>();
            long period = 1_000_000 / perSecond;
            long start = System.nanoTime();
            // the end is set once every connection is open (see below); no loop runs before
            AtomicReference<String> coapIndex = new AtomicReference<>();
            List<Loops.Loop> pending = new ArrayList<>();
            Loops.Run run = new Loops.Run(pace, period, stop);
            // interleaved (a connection of each kind in turn) and opened 16 at a time, 2 per peer: ngIRCd
            // listens with a backlog of 10, and a burst of connects beyond it ends in resets
            int most = share.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            for (int i = 0; i < most; i++) {
                for (String k : KINDS) {
                    if (i < share.get(k)) {
                        pending.add(create(k, i, kinds.get(k), run, services.get(k), peers, coapIndex, ssh));
                    }
                }
            }
            int batchSize = 2 * KINDS.length;
            for (int i = 0; i < pending.size(); i += batchSize) {
                List<CompletableFuture<?>> batch = new ArrayList<>();
                for (Loops.Loop l : pending.subList(i, Math.min(pending.size(), i + batchSize))) {
                    loops.add(l);
                    batch.add(l.open().toCompletableFuture());
                }
                try {
                    CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
                } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                    throw new AssertionError("connections " + i + ".." + (i + batchSize - 1) + " failed to open or did not"
                            + " within 120 s: " + e + "\npeers: " + peers + "\n" + peers.logs(), e);
                }
            }
            ProcessSample opened = ProcessSample.take();
            Metrics.report("mixed soak: %d connections %s, %d operations/s each, %d s, interval %d s; peers started in %.1f s,"
                    + " connections opened in %.1f s%n  before the clients: %s%n  all open: %s%n", connections, share, perSecond, seconds,
                    interval, peersSeconds, (System.nanoTime() - start) / 1e9, before, opened);
            Metrics.report("  threads by name: %s%n", threadNames());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            run.endAt(end);
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (Loops.Loop l : loops) {
                running.add(l.start(7919));
            }
            StringBuilder head = new StringBuilder("  t(s)");
            for (String k : KINDS) {
                head.append(String.format(" %21s", k + " ops/s p50/p99ms"));
            }
            Metrics.report("%s  heapGC(MiB) RSS(MiB) threads  fds  errors%n", head);
            List<double[]> heap = new ArrayList<>();
            long t0 = System.nanoTime();
            double lastLine = 0;
            while (System.nanoTime() < end && stop.get() == null) {
                long wait = Math.min(TimeUnit.SECONDS.toNanos(interval), end - System.nanoTime());
                TimeUnit.NANOSECONDS.sleep(Math.max(0, wait)); // pacing of the report, not a wait for a condition
                double elapsed = (System.nanoTime() - t0) / 1e9;
                StringBuilder line = new StringBuilder(String.format("%6.0f", elapsed));
                long errors = 0;
                for (Metrics.Kind k : kinds.values()) {
                    long now = k.ops.sum();
                    int[] rt = k.window.drain();
                    // per second of this line's own span (the last one may be shorter than the interval)
                    line.append(String.format(" %7.0f %6.1f/%6.1f", (now - k.lastOps) / (elapsed - lastLine),
                            Metrics.pct(rt, 0.50) / 1000.0, Metrics.pct(rt, 0.99) / 1000.0));
                    k.lastOps = now;
                    errors += k.errorCount();
                }
                lastLine = elapsed;
                ProcessSample s = ProcessSample.take();
                heap.add(new double[] {elapsed, s.heapMiB()});
                Metrics.report("%s  %10.1f %8.1f %7d %5d  %d%n", line, s.heapMiB(), s.rssMiB(), s.threads(), s.fds(),
                        errors);
                if (errors > 1000) {
                    stop.set("more than 1,000 errors");
                }
            }
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);
            long closing = System.nanoTime();
            for (Loops.Loop l : loops) {
                l.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            ssh.close();
            pace.shutdownNow();
            assertTrue(pace.awaitTermination(30, TimeUnit.SECONDS), "the soak's pacing threads did not end");
            double closed = (System.nanoTime() - closing) / 1e9;
            Map<String, Long> justClosed = threadNames();
            boolean socketsClosed = Peers.within(Duration.ofSeconds(60), () -> engine.admin().sockets().isEmpty());
            double socketsGone = (System.nanoTime() - closing) / 1e9;
            // threads and descriptors back to what they were before the clients, give or take the shared
            // threads made on first use (the engine's 2 I/O processors, I/O pool and timer, whose idle
            // threads end after 30 s; the JDK's CompletableFutureDelayScheduler): at most 5 more threads,
            // 2 more descriptors. A thread or descriptor per connection would show.
            boolean back = Peers.within(Duration.ofSeconds(90), () -> {
                try {
                    ProcessSample a = ProcessSample.take();
                    return a.threads() <= before.threads() + 5 && a.fds() <= before.fds() + 2;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            Metrics.report("closing: clients closed in %.1f s (threads then: %s), sockets gone at %.1f s, threads/fds"
                    + " back at %.1f s%n", closed, justClosed, socketsGone, (System.nanoTime() - closing) / 1e9);
            if (!back) {
                Metrics.report("  threads left: %s%n", threadNames());
            }
            ProcessSample after = ProcessSample.take();
            double closeSeconds = (System.nanoTime() - closing) / 1e9;
            long sent = kinds.get("smtp").ops.sum();
            boolean mailsArrived = Peers.within(Duration.ofSeconds(30), () -> peers.smtpAccepted.get() >= sent);
            // a heap slope without the first interval (class loading, JIT, the clients' first buffers)
            double slope = 60 * ProcessSample.slope(heap.size() > 2 ? heap.subList(1, heap.size()) : heap);
            Metrics.report("totals:%n");
            long errors = 0;
            StringBuilder examples = new StringBuilder();
            for (Metrics.Kind k : kinds.values()) {
                Metrics.report("  %-6s %,12d operations, errors: %s%s%n", k.name, k.ops.sum(), k.errorsText(),
                        k.name.equals("udp") ? ", datagrams lost: " + k.lost.sum() : "");
                errors += k.errorCount();
                k.examples.forEach(x -> examples.append("\n  ").append(x));
            }
            Metrics.report("  SMTP server accepted %,d mails (%,d sent); heap slope %.3f MiB/min; after close (%.1f s) %s%s%n",
                    peers.smtpAccepted.get(), sent, slope, closeSeconds, after,
                    stop.get() != null ? "; stopped: " + stop.get() : "");
            assertEquals(0, errors, "errors during the soak:" + examples + "\n" + peers.logs());
            for (Metrics.Kind k : kinds.values()) {
                assertTrue(k.ops.sum() > 0, k.name + ": no operation completed");
            }
            assertTrue(mailsArrived, "the SMTP server accepted " + peers.smtpAccepted.get() + " mails, " + sent
                    + " were sent");
            assertTrue(socketsClosed, "sockets left open after closing every client: " + engine.admin().sockets());
            assertTrue(back, "threads/descriptors not back after closing every client: before " + before + ", after "
                    + after);
            if (seconds >= 600) {
                assertTrue(slope < 0.5, "the heap grows: " + slope + " MiB/min over " + seconds + " s");
            }
        } finally {
            pace.shutdownNow();
            for (Loops.Loop l : loops) {
                try {
                    l.close();
                } catch (RuntimeException e) {
                    // already closed
                }
            }
            if (ssh != null) {
                ssh.close();
            }
        }
    }

    /**
     * The connections per kind: SSH gets half a share (sshd forks a process per connection and a shell per
     * command), the other kinds share the rest equally.
     */
    static Map<String, Integer> share(int connections) {
        int others = KINDS.length - 1;
        int ssh = Math.max(1, connections / (2 * KINDS.length));
        int rest = connections - ssh;
        Map<String, Integer> share = new LinkedHashMap<>();
        for (int i = 0; i < others; i++) {
            share.put(KINDS[i], rest / others + (i < rest % others ? 1 : 0));
        }
        share.put("ssh", ssh);
        return share;
    }

    /** The live threads' names with their digits dropped, counted (what holds threads). */
    static Map<String, Long> threadNames() {
        Map<String, Long> names = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            names.merge(t.getName().replaceAll("[0-9]+", "#"), 1L, Long::sum);
        }
        return names;
    }

    private static Loops.Loop create(String kind, int i, Metrics.Kind k, Loops.Run run,
            MinaSocketEngine.OwnedSocketService s, Peers p, AtomicReference<String> coapIndex, SshConnector ssh) {
        return switch (kind) {
            case "tcp" -> new Loops.Tcp(i, k, run, s, p.echoTcp);
            case "udp" -> new Loops.Udp(i, k, run, s, p.echoUdp);
            case "modbus" -> new Loops.Modbus(i, k, run, s, p.modbus);
            case "mqtt" -> new Loops.Mqtt(i, k, run, s, p.mqtt);
            case "smtp" -> new Loops.Smtp(i, k, run, s, p.smtp);
            case "irc" -> new Loops.Irc(i, k, run, s, p.irc);
            case "coap" -> new Loops.Coap(i, k, run, s, p.coap, coapIndex);
            case "ssh" -> new SshLoop(i, k, run, ssh, p);
            default -> throw new IllegalArgumentException(kind);
        };
    }
}
