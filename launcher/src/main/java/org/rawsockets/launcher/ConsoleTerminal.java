package org.rawsockets.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The terminal switch of the gateway's own console ({@code bin/gateway} in interactive mode): the same
 * {@code Function<String, String>} an attached client offers as the session variable
 * {@value AttachInput#HOOK}, registered as a service with the property
 * {@code gateway.terminal=console} because Gogo's console session is not ours to put variables in. A
 * command whose keyboard is the process's standard input (as {@code ssh:shell}) asks it:
 * {@code apply("raw")} puts the terminal in raw mode with stty(1) on the inherited standard input
 * (no echo, no line editing, no signals: Ctrl-C and Ctrl-Z go to the remote side, as with ssh(1)) and
 * answers {@code "raw"}, or {@code "line"} when standard input is no terminal or stty fails (the
 * terminal is left as it was); {@code apply("off")} gives the modes saved before back;
 * {@code apply("size")} answers {@code "COLSxROWS"} (null when unknown). The saved modes are given
 * back at the JVM's exit too, so a gateway stopped in the middle leaves no raw terminal behind.
 * Every stty run is bounded ({@value #STTY_SECONDS} s).
 * <p>
 * The size is read with {@code stty size} once and kept: the caller asks every few hundred
 * milliseconds while a shell runs (to pass a resized window on), so it is read again only after the
 * terminal sent SIGWINCH (a handler installed at registration), or, where that signal cannot be
 * handled, when the kept answer is older than {@value #SIZE_RECHECK_MILLIS} ms.
 */
final class ConsoleTerminal implements Function<String, String> {

    static final String PROPERTY = AttachInput.HOOK;
    static final int STTY_SECONDS = 5;
    static final long SIZE_RECHECK_MILLIS = 2000;

    private final PrintStream err;
    /** The modes saved by {@code stty -g} at the switch to raw; null while not raw. */
    private String saved;
    /** Set by SIGWINCH (and at the switch to raw): the kept size is stale. */
    private volatile boolean resized = true;
    /** Whether a SIGWINCH handler is installed (else the size is re-read by age). */
    private final boolean winch;
    /** The kept answer of {@code apply("size")} and when it was read (nanoTime). */
    private String size;
    private long sizeRead;

    private ConsoleTerminal(PrintStream err) {
        this.err = err;
        this.winch = onWindowChange(() -> resized = true);
    }

    /** Registers the switch in the framework; its modes are given back at the JVM's exit if still raw. */
    static ServiceRegistration<?> register(BundleContext ctx, PrintStream err) {
        ConsoleTerminal t = new ConsoleTerminal(err);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> t.apply("off"), "gateway-console-terminal"));
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(PROPERTY, "console");
        return ctx.registerService(Function.class.getName(), t, props);
    }

    @Override
    public synchronized String apply(String mode) {
        switch (mode) {
            case "raw":
                if (saved != null) {
                    return "raw";
                }
                String modes = stty(List.of("-g"));
                if (modes == null || modes.isBlank() || stty(List.of("raw", "-echo")) == null) {
                    return "line";
                }
                saved = modes.strip();
                resized = true;
                return "raw";
            case "off":
                if (saved != null) {
                    if (stty(List.of(saved)) == null) {
                        err.println("gateway: could not give the console terminal its modes back; type 'stty sane'");
                    }
                    saved = null;
                }
                return "off";
            case "size":
                if (resized || (!winch && System.nanoTime() - sizeRead > SIZE_RECHECK_MILLIS * 1_000_000)) {
                    resized = false;
                    sizeRead = System.nanoTime();
                    size = readSize();
                }
                return size;
            default:
                return null;
        }
    }

    /** {@code "COLSxROWS"} from {@code stty size} (which prints rows first), or null. */
    private static String readSize() {
        String out = stty(List.of("size"));
        String[] rc = out == null ? new String[0] : out.strip().split("\\s+");
        return rc.length == 2 && rc[0].matches("[1-9][0-9]{0,4}") && rc[1].matches("[1-9][0-9]{0,4}")
                ? rc[1] + "x" + rc[0] : null;
    }

    /**
     * Runs {@code action} whenever the process gets SIGWINCH (the terminal's window changed size);
     * false when this JVM or system does not let it be handled.
     */
    private static boolean onWindowChange(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), s -> action.run());
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            return false;
        }
    }

    /** Runs stty on the process's standard input; its output, or null when it failed or hung. */
    private static String stty(List<String> args) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add("stty");
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            // stty's output is one short line: read after the bounded wait, it fits the pipe
            if (!p.waitFor(STTY_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
