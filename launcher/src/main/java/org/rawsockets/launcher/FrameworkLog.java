package org.rawsockets.launcher;

import java.io.PrintStream;

/**
 * Felix's own log (errors at {@code felix.log.level=1}): Felix prints it on {@code System.out}, which
 * in {@code -c} mode is the commands' output; here it goes to the launcher's error stream (the
 * console, never stdout), one line per entry.
 */
final class FrameworkLog extends org.apache.felix.framework.Logger {

    private final PrintStream err;

    FrameworkLog(PrintStream err) {
        this.err = err;
    }

    @Override
    protected void doLogOut(int level, String message, Throwable throwable) {
        String what = switch (level) {
        case LOG_ERROR -> "ERROR";
        case LOG_WARNING -> "WARNING";
        case LOG_INFO -> "INFO";
        default -> "DEBUG";
        };
        StringBuilder line = new StringBuilder("gateway: framework ").append(what).append(": ").append(message);
        for (Throwable t = throwable; t != null; t = t.getCause() == t ? null : t.getCause()) {
            line.append(t == throwable ? ": " : " caused by ").append(t);
        }
        err.println(line);
    }
}
