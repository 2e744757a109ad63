package org.rawsockets.ssh.internal.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.rawsockets.ssh.SshShell;

/**
 * Connects a console's input and output to an {@link SshShell} for {@code ssh:shell}: two threads of
 * its own (one per direction, 8 KiB buffers, blocking writes: a console that does not read stops the
 * channel window, a shell that does not read stops the typing), the OpenSSH escape {@code ~.} after a
 * line end, and a bounded end that leaves no thread behind.
 * <p>
 * It ends when the remote shell exits (its output ends), at {@code ~.}, when the console's input ends
 * (the end of file is typed into the remote terminal as Ctrl-D; a shell that has not exited
 * {@value #INPUT_END_GRACE_SECONDS} s later is closed), when the console's output fails, or
 * when the calling thread is interrupted (Ctrl-C of the Gogo command).
 */
final class TerminalPump {

    /** How the shell ended. */
    enum End {
        /** The remote shell exited (its status is known when the server sent one). */
        EXITED,
        /** The user typed the escape ({@code ~.}). */
        ESCAPE,
        /** The console's input ended and the shell did not exit within the grace period. */
        INPUT_ENDED,
        /** The console's output failed (the attached client went away). */
        OUTPUT_FAILED,
        /** The Gogo command was interrupted. */
        INTERRUPTED
    }

    /** The end and the remote exit status (-1 when none was received). */
    record Result(End end, int status) {
    }

    static final int INPUT_END_GRACE_SECONDS = 5;
    static final Duration CLOSE_LIMIT = Duration.ofSeconds(5);
    private static final int BUFFER = 8 * 1024;
    private static final int CTRL_D = 0x04;
    private static final long QUIET_MILLIS = 300;
    private static final long SIZE_CHECK_MILLIS = 250;
    /** Poll interval of a console whose reads cannot be interrupted (the local terminal). */
    private static final long POLL_MILLIS = 10;

    private final SshShell shell;
    private final InputStream in;
    private final PrintStream out;
    private final int escape;
    private final boolean poll;
    private final String name;
    private final java.util.function.Supplier<int[]> size;
    private final CompletableFuture<End> ended = new CompletableFuture<>();
    private volatile Thread input;
    private volatile Thread output;
    /** When the remote terminal last printed something ({@link System#nanoTime()}). */
    private volatile long lastOutput = System.nanoTime();

    /**
     * @param escape the escape character ({@code '~'}), or -1 for none
     * @param poll read {@code in} only when {@code available()} says bytes are there (for a stream whose
     *            blocking read cannot be interrupted, such as the local terminal: a thread left blocked in it
     *            would steal the next line of the Gogo console); without it {@code in}'s reads must end at
     *            an interrupt (as {@link java.io.PipedInputStream}'s and the attach channel's do)
     * @param size the console's size now ({@code {columns, rows}}, or {@code null} when unknown): a change
     *            is sent to the remote terminal ({@code window-change})
     */
    TerminalPump(SshShell shell, InputStream in, PrintStream out, int escape, boolean poll, String name,
            java.util.function.Supplier<int[]> size) {
        this.shell = shell;
        this.in = in;
        this.out = out;
        this.escape = escape;
        this.poll = poll;
        this.name = name;
        this.size = size;
    }

    /** Pumps until the shell ends (see the class comment), closes the channel, and stops both threads. */
    Result run() {
        output = thread("out", this::pumpOutput);
        input = thread("in", this::pumpInput);
        End end;
        try {
            end = awaitEnd();
        } catch (InterruptedException e) {
            end = End.INTERRUPTED;
            ended.complete(end);
        } catch (ExecutionException e) {
            end = End.OUTPUT_FAILED;
        }
        boolean interrupted = end == End.INTERRUPTED;
        if (end != End.EXITED) {
            shell.close();
        }
        int status = -1;
        try {
            status = shell.exited().toCompletableFuture().get(CLOSE_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        } catch (ExecutionException | TimeoutException e) {
            // no status: the caller closes the session, which ends the channel
        }
        shell.close();
        stop(input);
        stop(output);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return new Result(end, status);
    }

    /** Waits for the end; meanwhile passes a changed terminal size on (every {@value #SIZE_CHECK_MILLIS} ms). */
    private End awaitEnd() throws InterruptedException, ExecutionException {
        int[] last = size.get();
        while (true) {
            try {
                return ended.get(SIZE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                int[] now = size.get();
                if (now != null && (last == null || now[0] != last[0] || now[1] != last[1])) {
                    last = now;
                    try {
                        shell.resize(now[0], now[1]);
                    } catch (IOException failed) {
                        // the channel is going away: its end is reported
                    }
                }
            }
        }
    }

    /** Whether both pump threads have ended (for tests and the command's check). */
    boolean threadsEnded() {
        return !input.isAlive() && !output.isAlive();
    }

    private Thread thread(String direction, Runnable body) {
        Thread t = new Thread(body, "ssh-shell-" + name + "-" + direction);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void stop(Thread t) {
        t.interrupt();
        try {
            t.join(CLOSE_LIMIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pumpOutput() {
        byte[] buf = new byte[BUFFER];
        try (InputStream from = shell.output()) {
            for (int n; (n = from.read(buf)) >= 0;) {
                lastOutput = System.nanoTime();
                out.write(buf, 0, n);
                out.flush();
                if (out.checkError()) {
                    ended.complete(End.OUTPUT_FAILED);
                    return;
                }
            }
            ended.complete(End.EXITED);
        } catch (IOException e) {
            // the channel was closed under us (escape, input end, interrupt) or broke
            ended.complete(End.EXITED);
        }
    }

    private void pumpInput() {
        byte[] buf = new byte[BUFFER];
        byte[] send = new byte[BUFFER + 1];
        boolean lineStart = true;
        boolean tilde = false;
        OutputStream to = shell.input();
        try {
            while (!ended.isDone()) {
                int n = read(buf);
                if (n == 0) {
                    continue;
                }
                if (n < 0) {
                    if (tilde) {
                        to.write(escape);
                    }
                    inputEnded(to);
                    return;
                }
                int m = 0;
                for (int i = 0; i < n; i++) {
                    int b = buf[i] & 0xff;
                    if (tilde) {
                        tilde = false;
                        if (b == '.') {
                            flush(to, send, m);
                            ended.complete(End.ESCAPE);
                            return;
                        }
                        if (b == '?') {
                            out.print("\r\nSupported escape sequences (after a line end):\r\n ~.  end the shell (close"
                                    + " the channel)\r\n ~?  this help\r\n ~~  send the escape character\r\n");
                            out.flush();
                            continue;
                        }
                        if (b != escape) {
                            send[m++] = (byte) escape;
                        }
                    } else if (lineStart && escape >= 0 && b == escape) {
                        tilde = true;
                        continue;
                    }
                    send[m++] = (byte) b;
                    lineStart = b == '\r' || b == '\n';
                }
                flush(to, send, m);
            }
        } catch (InterruptedIOException e) {
            // stopped: the shell ended
        } catch (IOException e) {
            // the channel is closed: the output side reports how the shell ended
        } catch (InterruptedException e) {
            // stopped while polling
        }
    }

    /** Up to {@code buf.length} bytes, -1 at the end, 0 when polling found none. */
    private int read(byte[] buf) throws IOException, InterruptedException {
        if (!poll) {
            return in.read(buf);
        }
        int available = in.available();
        if (available <= 0) {
            Thread.sleep(POLL_MILLIS);
            return 0;
        }
        return in.read(buf, 0, Math.min(available, buf.length));
    }

    private static void flush(OutputStream to, byte[] b, int n) throws IOException {
        if (n > 0) {
            to.write(b, 0, n);
            to.flush();
        }
    }

    /**
     * End of the console's input: Ctrl-D is typed into the remote terminal whenever its output has been
     * quiet for {@value #QUIET_MILLIS} ms (the shell waits at its prompt: input typed ahead before the
     * shell set its terminal up would swallow a single early Ctrl-D, and a running program takes one
     * itself), for at most {@value #INPUT_END_GRACE_SECONDS} s. An SSH EOF alone would not do: OpenSSH's
     * sshd does not pass it on to a pseudo-terminal.
     */
    private void inputEnded(OutputStream to) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(INPUT_END_GRACE_SECONDS);
        long lastCtrlD = 0;
        try {
            while (!ended.isDone()) {
                long now = System.nanoTime();
                if (now > deadline) {
                    ended.complete(End.INPUT_ENDED);
                    return;
                }
                if (now - lastOutput > TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS)
                        && now - lastCtrlD > TimeUnit.MILLISECONDS.toNanos(2 * QUIET_MILLIS)) {
                    to.write(CTRL_D);
                    to.flush();
                    lastCtrlD = now;
                }
                try {
                    ended.get(QUIET_MILLIS / 4, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // not yet
                }
            }
        } catch (IOException | ExecutionException e) {
            // the channel closed meanwhile: the output side says how
        } catch (InterruptedException e) {
            // stopped
        }
    }

    static String describe(String host, Result r) {
        return switch (r.end()) {
            case EXITED -> "shell on " + host + " exited" + (r.status() < 0 ? " without a status" : " with status " + r.status());
            case ESCAPE -> "~. : closed the shell on " + host;
            case INPUT_ENDED -> "input ended; the shell on " + host + " did not exit within " + INPUT_END_GRACE_SECONDS
                    + " s of an end of file (Ctrl-D) and was closed";
            case OUTPUT_FAILED -> "the console's output failed; closed the shell on " + host;
            case INTERRUPTED -> "interrupted; closed the shell on " + host;
        };
    }
}
