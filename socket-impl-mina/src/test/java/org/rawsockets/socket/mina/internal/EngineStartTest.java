package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.apache.mina.core.RuntimeIoException;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/** A socket engine that cannot start keeps nothing: every selector, descriptor and thread is released. */
class EngineStartTest {

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Live threads not in {@code before} (engines closed by earlier tests may still be winding down). */
    static List<String> newThreads(java.util.Set<Thread> before) {
        List<String> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && !before.contains(t) && !t.getName().startsWith("pool-")) {
                out.add(t.getName());
            }
        }
        return out;
    }

    static List<String> fdTargets() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    out.add(p.getFileName() + "->" + Files.readSymbolicLink(p));
                } catch (IOException gone) {
                    // closed meanwhile (the listing's own descriptor)
                }
            }
        }
        return out;
    }

    static void awaitFds(long atMost, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (openFds() > atMost) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": " + openFds() + " file descriptors open, at most " + atMost
                        + " expected: " + fdTargets());
            }
            Thread.sleep(20);
        }
    }

    /** Starts and stops one engine, so that the classes and jars it needs are loaded before counting. */
    static void warmUp() {
        new MinaSocketEngine(new EngineConfig(1, Duration.ofSeconds(5), 64 * 1024, 16 * 1024, 65507, 16, 4),
                SocketPolicy.ALLOW_ALL, AuditLog.NONE, HostResolver.JDK).close();
    }

    /** The 4th of {@code maxIoThreads} processors cannot be made (as when descriptors run out). */
    @Test
    void aFailedEngineStartReleasesEveryDescriptorItTook() throws Exception {
        int n = EngineConfig.maxIoThreads();
        assertTrue(n >= 4, "maxIoThreads " + n);
        EngineConfig config = new EngineConfig(n, Duration.ofSeconds(5), 64 * 1024, 16 * 1024, 65507, 16, 4);
        ExecutorService processorThreads = Executors.newCachedThreadPool();
        try {
            warmUp();
            List<String> fdsBefore = fdTargets();
            long before = openFds();
            java.util.Set<Thread> threadsBefore = new java.util.HashSet<>(Thread.getAllStackTraces().keySet());
            AtomicInteger made = new AtomicInteger();
            RuntimeIoException e = assertThrows(RuntimeIoException.class,
                    () -> new MinaSocketEngine(config, SocketPolicy.ALLOW_ALL, AuditLog.NONE, HostResolver.JDK, i -> {
                        if (i == 3) {
                            throw new RuntimeIoException("simulated: Too many open files");
                        }
                        made.incrementAndGet();
                        return new NioProcessor(processorThreads);
                    }));
            assertEquals("simulated: Too many open files", e.getMessage());
            assertEquals(3, made.get());
            awaitFds(before, "after the failed start (before: " + fdsBefore + ")");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!newThreads(threadsBefore).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(List.of(), newThreads(threadsBefore), "threads left by the failed start");

            // the same configuration starts and stops cleanly
            try (MinaSocketEngine ok = new MinaSocketEngine(config, SocketPolicy.ALLOW_ALL, AuditLog.NONE,
                    HostResolver.JDK)) {
                assertTrue(openFds() >= before + n, "one selector per I/O processor at least");
            }
            awaitFds(before, "after close");
        } finally {
            processorThreads.shutdownNow();
        }
    }

    /** The processors are all made or none is kept (MINA's own pool skips the ones it cannot make). */
    @Test
    void theProcessorPoolHasNoHoles() throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            warmUp();
            long before = openFds();
            assertThrows(IllegalStateException.class, () -> new ProcessorPool(6, i -> {
                if (i == 5) {
                    throw new IllegalStateException("no more");
                }
                return new NioProcessor(threads);
            }));
            awaitFds(before, "after the failed pool");
        } finally {
            threads.shutdownNow();
        }
    }
}
