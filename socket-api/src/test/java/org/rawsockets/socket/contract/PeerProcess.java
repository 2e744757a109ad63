package org.rawsockets.socket.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent peer run as an external process (socat, openssl). Its stderr (and, unless the
 * test consumes stdout as data, its stdout) is collected into a log that readiness checks search.
 * Always closed by the test's {@code @AfterEach} (via {@link ContractSupport#peer}).
 */
public final class PeerProcess implements AutoCloseable {

    private final List<String> command;
    private final Process process;
    private final StringBuffer log = new StringBuffer();
    private final Object logChanged = new Object();

    private PeerProcess(List<String> command, Process process, boolean captureStdout) {
        this.command = command;
        this.process = process;
        pump(process.getErrorStream(), "stderr");
        if (captureStdout) {
            pump(process.getInputStream(), "stdout");
        }
    }

    /**
     * Starts {@code command}. A missing executable fails the test with the instruction to install
     * the test peers.
     *
     * @param captureStdout whether stdout goes to the log (false: the test reads it as data)
     */
    public static PeerProcess start(boolean captureStdout, String... command) {
        List<String> cmd = List.of(command);
        try {
            Process p = new ProcessBuilder(cmd).start();
            return new PeerProcess(cmd, p, captureStdout);
        } catch (IOException e) {
            throw new AssertionError("cannot start test peer '" + command[0] + "' (" + e.getMessage()
                    + "): run 'bash .ci/setup' to install the test peers listed in .ci/apt-packages.txt", e);
        }
    }

    private void pump(InputStream in, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    log.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    synchronized (logChanged) {
                        logChanged.notifyAll();
                    }
                }
            } catch (IOException e) {
                // process went away
            }
        }, "peer-" + name + "-" + command.get(0));
        t.setDaemon(true);
        t.start();
    }

    /** Waits until the log matches {@code regex}; returns the match. Fails if the process exits first. */
    public Matcher awaitLog(String regex, Duration limit) {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (logChanged) {
            while (true) {
                Matcher m = p.matcher(log);
                if (m.find()) {
                    return m;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("peer " + command + " did not log /" + regex + "/ within " + limit
                            + "; log so far:\n" + log);
                }
                if (!process.isAlive()) {
                    throw new AssertionError("peer " + command + " exited with " + process.exitValue()
                            + " before logging /" + regex + "/; log:\n" + log);
                }
                try {
                    logChanged.wait(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 200));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** For socat started with {@code -d -d} and port 0: waits for "listening on ... :PORT" and returns the port. */
    public int awaitSocatPort() {
        Matcher m = awaitLog("listening on [^\\n]*?:(\\d+)\\s", Duration.ofSeconds(20));
        return Integer.parseInt(m.group(1));
    }

    public String log() {
        return log.toString();
    }

    /** The process's stdin (what a STDIO peer sends). */
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    /** The process's stdout (what a STDIO peer received), when not captured into the log. */
    public InputStream stdout() {
        return process.getInputStream();
    }

    public Process process() {
        return process;
    }

    /** Waits for the process to exit within {@code limit}; returns its exit code. */
    public int awaitExit(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("peer " + command + " still running after " + limit + "; log:\n" + log);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return String.join(" ", new ArrayList<>(command));
    }
}
