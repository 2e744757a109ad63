package org.rawsockets.socket.netfault;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;

/**
 * What a fault test may leave behind — the service's sockets, this JVM's threads and file
 * descriptors — counted before the test ({@link #baseline}) and awaited after it
 * ({@link #awaitReleased}).
 */
public final class Leaks {

    private static final long WAIT_MILLIS = 30_000;

    private final Supplier<? extends Collection<?>> openSockets;
    private final int threads;
    private final long fds;
    /** The threads at the baseline, to name the new ones when a test leaves some. */
    private final java.util.Set<Thread> before;

    private Leaks(Supplier<? extends Collection<?>> openSockets, int threads, long fds) {
        this.openSockets = openSockets;
        this.threads = threads;
        this.fds = fds;
        this.before = java.util.Set.copyOf(Thread.getAllStackTraces().keySet());
    }

    /**
     * The threads a test may leave: {@link FaultNetwork#threads()}'s, without the pool workers idle in a
     * timed wait for work ({@code ThreadPoolExecutor.getTask} polling its queue): those end by themselves
     * at their keep-alive. The socket engine's I/O pool is such a pool (keep-alive 30 s): a connect
     * starts a worker for MINA's connector when none is idle, and it lingers 30 s after the connect,
     * as long as this check waited, so a test's last connect decided whether the check passed.
     */
    static int threads() {
        int n = 0;
        for (var e : Thread.getAllStackTraces().entrySet()) {
            if (!e.getKey().getName().startsWith("process reaper") && !idlePoolWorker(e.getValue())) {
                n++;
            }
        }
        return n;
    }

    private static boolean idlePoolWorker(StackTraceElement[] stack) {
        for (int i = 0; i + 1 < stack.length; i++) {
            if (stack[i].getMethodName().equals("poll") && stack[i + 1].getMethodName().equals("getTask")
                    && stack[i + 1].getClassName().equals("java.util.concurrent.ThreadPoolExecutor")) {
                return true;
            }
        }
        return false;
    }

    /** The threads (name, state, top frames) started since the baseline and still alive. */
    private String newThreads() {
        StringBuilder b = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (!before.contains(t) && !t.getName().startsWith("process reaper") && !idlePoolWorker(stack)) {
                b.append("\n  '").append(t.getName()).append("' ").append(t.getState());
                for (int i = 0; i < Math.min(6, stack.length); i++) {
                    b.append("\n    at ").append(stack[i]);
                }
            }
        });
        return b.length() == 0 ? "" : "; new threads:" + b;
    }

    /**
     * Starts every I/O thread of the engine behind {@code sockets} (8 connections opened and closed
     * on loopback), so that a later count sees only what a test leaves.
     */
    public static void startIoThreads(SocketService sockets) throws Exception {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<TcpSocket> open = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                TcpSocket t = sockets.openTcp("127.0.0.1", s.getLocalPort());
                t.opened().toCompletableFuture().get(30, TimeUnit.SECONDS);
                open.add(t);
            }
            for (TcpSocket t : open) {
                t.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Waits (30 s at most) until no socket of an earlier test is open, then counts threads and descriptors. */
    public static Leaks baseline(Supplier<? extends Collection<?>> openSockets) throws Exception {
        await("no socket of an earlier test open", () -> openSockets.get().isEmpty(), () -> "sockets " + openSockets.get());
        return new Leaks(openSockets, threads(), FaultNetwork.fds());
    }

    /** Waits (30 s at most) until no socket is open and no thread or descriptor is left over the baseline. */
    public void awaitReleased() throws Exception {
        await("the client's sockets, threads and descriptors released",
                () -> openSockets.get().isEmpty() && threads() <= threads && FaultNetwork.fds() <= fds,
                () -> "sockets " + openSockets.get() + ", threads " + threads() + " (before " + threads
                        + "), fds " + FaultNetwork.fds() + " (before " + fds + ")" + newThreads());
    }

    private interface Check {
        boolean holds() throws IOException;
    }

    private interface State {
        String describe() throws IOException;
    }

    private static void await(String what, Check condition, State state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + WAIT_MILLIS + " ms; " + state.describe());
            }
            Thread.sleep(20);
        }
    }
}
