package org.rawsockets.socket.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.rawsockets.socket.netfault.FaultNetwork;

/**
 * This JVM's figures at one moment, for the soaks (socket-impl-mina's {@code SocketSoakTest}, the soak
 * module's {@code MixedSoakTest}): the heap used after a full GC, the resident set size, the live
 * threads and the open file descriptors (sockets included). A series of samples over a run, fed to
 * {@link #slope}, tells whether the heap grows. Linux only (reads {@code /proc/self}).
 *
 * @param heapMiB heap used right after {@link System#gc()}, in MiB
 * @param rssMiB  resident set size ({@code VmRSS} of {@code /proc/self/status}), in MiB
 * @param threads live threads (the thread MXBean's count)
 * @param fds     open file descriptors ({@code /proc/self/fd})
 */
public record ProcessSample(double heapMiB, double rssMiB, int threads, int fds) {

    /** Takes a sample: a full GC first, so that the heap figure is what is still referenced. */
    public static ProcessSample take() throws IOException {
        System.gc();
        double heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
        double rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return new ProcessSample(heap, rss, ManagementFactory.getThreadMXBean().getThreadCount(),
                (int) FaultNetwork.fds());
    }

    /**
     * The least-squares slope of y over x of the points {@code {x, y}} (for example the heap in MiB
     * over seconds: MiB per second); 0 for fewer than two points or when every x is the same.
     */
    public static double slope(List<double[]> xy) {
        int n = xy.size();
        if (n < 2) {
            return 0;
        }
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (double[] p : xy) {
            sx += p[0];
            sy += p[1];
            sxx += p[0] * p[0];
            sxy += p[0] * p[1];
        }
        double d = n * sxx - sx * sx;
        return d == 0 ? 0 : (n * sxy - sx * sy) / d;
    }

    @Override
    public String toString() {
        return String.format("heap after GC %.1f MiB, RSS %.1f MiB, %d threads, %d fds", heapMiB, rssMiB, threads, fds);
    }
}
