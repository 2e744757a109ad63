package org.rawsockets.ssh.internal.shell;

import java.io.PrintStream;
import java.util.function.Function;

import org.apache.felix.service.command.CommandSession;

/**
 * What {@code ssh:shell} knows of the console it runs in: the terminal type and size (options, else
 * the session variables {@code TERM}, {@code COLUMNS} and {@code LINES} that the attach channel of
 * {@code bin/gateway-client} sets from the client's terminal, else {@code $TERM} of the gateway and
 * 80x24), the escape character, and how input arrives.
 * <p>
 * Input: an attached client offers the session variable {@value #TERMINAL_HOOK}, a
 * {@code Function<String, String>}: {@code apply("raw")} asks the client to put its terminal in raw
 * mode and send every keystroke (answer {@code "raw"}), or, when it has no terminal, to send its
 * input as it comes ({@code "line"}); {@code apply("off")} ends that. Without the hook the input is
 * the session's keyboard as it is: in the gateway's own console that is the terminal in line mode
 * (the line is edited and echoed locally and sent at Enter; the remote terminal is asked not to echo
 * it again), read only when bytes are available (Gogo's console gives a {@code FileInputStream} of
 * the process's standard input, whose read cannot be interrupted; a thread left in it would eat the
 * next console line). With a hook that answers {@code "none"} (a client without terminal or pipe) the
 * input ends at once.
 * <p>
 * The gateway's own console: {@code bin/gateway} registers a service of the same type with the
 * property {@code gateway.terminal=console} ({@link #CONSOLE_FILTER}) that switches the process's
 * terminal with stty(1). When the command's keyboard is the process's standard input, that service
 * is asked for raw mode (and for the terminal's size, {@code apply("size")} → {@code "COLSxROWS"});
 * the keys are then polled from standard input as in line mode, and a resized console window is
 * passed on as the attached client's is. A console that is not a terminal (answer {@code "line"})
 * stays in line mode.
 */
final class ShellTerminal {

    /** Session variable of the attach channel: {@code Function<String, String>} switching the client's input. */
    static final String TERMINAL_HOOK = "gateway.terminal";

    /** The service filter of the gateway console's terminal switch (a {@code Function<String, String>}). */
    static final String CONSOLE_FILTER = "(" + TERMINAL_HOOK + "=console)";

    /** How the keystrokes arrive, and what that means for the remote terminal. */
    record Mode(String name, boolean poll, boolean remoteEcho) {
    }

    private final CommandSession session;
    private final String term;
    private final int columns;
    private final int rows;
    private final int escape;
    private final boolean fixedSize;
    /** The gateway console's terminal switch, when the keyboard is the process's standard input; else null. */
    private final Function<String, String> console;
    private Function<String, String> hook;

    private ShellTerminal(CommandSession session, String term, int columns, int rows, int escape, boolean fixedSize,
            Function<String, String> console) {
        this.session = session;
        this.console = console;
        this.fixedSize = fixedSize;
        this.term = term;
        this.columns = columns;
        this.rows = rows;
        this.escape = escape;
    }

    /**
     * The terminal's size now ({@code {columns, rows}}), or {@code null}: a size given with {@code -s},
     * or no terminal that can say. An attached client sends its size again when its window is resized
     * (the session variables); the gateway's own console answers from its switch (which re-reads the
     * size after SIGWINCH).
     */
    int[] currentSize() {
        if (fixedSize) {
            return null;
        }
        if (session.get("COLUMNS") != null && session.get("LINES") != null) {
            return new int[] { number(session.get("COLUMNS"), columns), number(session.get("LINES"), rows) };
        }
        return console == null ? null : consoleSize(console);
    }

    /** From the command's options ({@code ""} when not given) and the session, without a console switch. */
    static ShellTerminal of(CommandSession session, String term, String size, String escape) {
        return of(session, term, size, escape, null);
    }

    /**
     * From the command's options ({@code ""} when not given), the session, and the gateway console's
     * terminal switch (null when the gateway has none), used only when the keyboard is the process's
     * standard input.
     */
    static ShellTerminal of(CommandSession session, String term, String size, String escape,
            Function<String, String> consoleSwitch) {
        Function<String, String> console = session.get(TERMINAL_HOOK) == null && isProcessInput(session.getKeyboard())
                ? consoleSwitch : null;
        String t = !term.isBlank() ? term : text(session.get("TERM"));
        if (t == null || t.isBlank()) {
            t = System.getenv("TERM");
        }
        if (t == null || t.isBlank() || t.equals("dumb")) {
            t = "xterm";
        }
        int cols;
        int lines;
        int[] consoleSize;
        if (!size.isBlank()) {
            String[] p = size.toLowerCase(java.util.Locale.ROOT).split("x");
            try {
                if (p.length != 2) {
                    throw new NumberFormatException();
                }
                cols = Integer.parseInt(p[0].trim());
                lines = Integer.parseInt(p[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ssh:shell -s '" + size + "': use COLSxROWS, e.g. -s 120x40");
            }
            if (cols < 1 || lines < 1 || cols > 10000 || lines > 10000) {
                throw new IllegalArgumentException("ssh:shell -s '" + size + "': columns and rows must be 1..10000");
            }
        } else if (session.get("COLUMNS") == null && console != null && (consoleSize = consoleSize(console)) != null) {
            cols = consoleSize[0];
            lines = consoleSize[1];
        } else {
            cols = number(session.get("COLUMNS"), 80);
            lines = number(session.get("LINES"), 24);
        }
        int esc;
        if (escape.equals("none")) {
            esc = -1;
        } else if (escape.length() == 1 && escape.charAt(0) < 0x80) {
            esc = escape.charAt(0);
        } else {
            throw new IllegalArgumentException("ssh:shell -e '" + escape + "': one ASCII character, or none");
        }
        return new ShellTerminal(session, t, cols, lines, esc, !size.isBlank(), console);
    }

    /** Gogo's console reads a FileInputStream of file descriptor 0 (or System.in itself). */
    private static boolean isProcessInput(java.io.InputStream k) {
        return k == System.in || k instanceof java.io.FileInputStream;
    }

    /** The console terminal's {@code {columns, rows}}, or null when it cannot say. */
    private static int[] consoleSize(Function<String, String> console) {
        String s = console.apply("size");
        if (s == null) {
            return null;
        }
        String[] p = s.split("x");
        int c = p.length == 2 ? number(p[0], -1) : -1;
        int r = p.length == 2 ? number(p[1], -1) : -1;
        return c > 0 && r > 0 ? new int[] { c, r } : null;
    }

    String term() {
        return term;
    }

    int columns() {
        return columns;
    }

    int rows() {
        return rows;
    }

    int escape() {
        return escape;
    }

    /**
     * Switches the attached client's input on (raw when it has a terminal) and tells the user how to
     * leave; without the attach channel the keyboard is used as it is.
     */
    @SuppressWarnings("unchecked")
    Mode enter(PrintStream console) {
        Object h = session.get(TERMINAL_HOOK);
        Mode mode;
        if (h instanceof Function<?, ?> f) {
            hook = (Function<String, String>) f;
            String got = hook.apply("raw");
            mode = "raw".equals(got) ? new Mode("raw", false, true)
                    : new Mode("line".equals(got) ? "line" : "no input", false, false);
        } else if (this.console != null) {
            // The gateway's own console on a terminal: raw via stty, keys still polled from fd 0
            hook = this.console;
            mode = "raw".equals(hook.apply("raw")) ? new Mode("raw", true, true) : new Mode("line", true, false);
        } else {
            // Gogo's console reads a FileInputStream of file descriptor 0: not interruptible, so polled
            mode = new Mode("line", isProcessInput(session.getKeyboard()), false);
        }
        String esc = escape < 0 ? "" : ", " + (char) escape + ". after Enter ends it";
        console.print("[ssh:shell " + term + " " + columns + "x" + rows + ", " + mode.name() + " mode" + esc + "]\r\n");
        console.flush();
        return mode;
    }

    /** Gives the client's (or the console's) terminal back (cooked mode, no input forwarded). */
    void leave() {
        if (hook != null) {
            hook.apply("off");
        }
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }

    private static int number(Object o, int otherwise) {
        try {
            int n = o == null ? otherwise : Integer.parseInt(o.toString().trim());
            return n >= 1 && n <= 10000 ? n : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
