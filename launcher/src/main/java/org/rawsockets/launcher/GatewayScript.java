package org.rawsockets.launcher;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The {@code -c} mode: runs a Gogo script one top-level statement at a time through a
 * {@code CommandProcessor} session, prints every statement's result and stops at the first failure.
 */
final class GatewayScript {

    static final String GOGO_RUNTIME = "org.apache.felix.gogo.runtime";
    static final String COMMAND_PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    static final String COMMAND_SESSION = "org.apache.felix.service.command.CommandSession";
    static final String JOB = "org.apache.felix.service.command.Job";

    private GatewayScript() {
    }

    /**
     * Runs {@code script} in a new Gogo session writing to {@code out} and {@code err}.
     *
     * @return {@link Main#EXIT_OK}, or {@link Main#EXIT_COMMAND_FAILED} (or the failure's own status,
     *         see {@link Session#commandStatus}) when a command threw
     */
    static int run(BundleContext ctx, String script, PrintStream out, PrintStream err) {
        Session session;
        try {
            session = Session.open(ctx, out, err);
        } catch (IllegalStateException e) {
            err.println("gateway: " + e.getMessage());
            return Main.EXIT_COMMAND_FAILED;
        }
        try {
            return session.run(script);
        } finally {
            session.close();
        }
    }

    /**
     * A Gogo {@code CommandSession} (through reflection: the launcher is outside OSGi and does not
     * see Gogo's API classes) that runs scripts one top-level statement at a time, prints every
     * statement's result and stops at the first failure. Used by {@code -c} and by every attached
     * client (one session per connection, so variables live as long as the connection).
     */
    static final class Session {
        private final BundleContext ctx;
        private final ServiceReference<?> ref;
        private final Object session;
        private final Method execute;
        private final Method format;
        private final Method close;
        private final Method foregroundJob;
        private final Method interruptJob;
        private final Method put;
        private final PrintStream out;
        private final PrintStream err;
        private volatile boolean interrupted;

        private Session(BundleContext ctx, ServiceReference<?> ref, Object session, Class<?> sessionType,
                Class<?> jobType, PrintStream out, PrintStream err) throws NoSuchMethodException {
            this.ctx = ctx;
            this.ref = ref;
            this.session = session;
            this.execute = sessionType.getMethod("execute", CharSequence.class);
            this.format = sessionType.getMethod("format", Object.class, int.class);
            this.close = sessionType.getMethod("close");
            this.foregroundJob = sessionType.getMethod("foregroundJob");
            this.interruptJob = jobType.getMethod("interrupt");
            this.put = sessionType.getMethod("put", String.class, Object.class);
            this.out = out;
            this.err = err;
        }

        /**
         * Opens a session on the framework's Gogo {@code CommandProcessor}, reading no input.
         *
         * @throws IllegalStateException no Gogo runtime, or its API is not the expected one (the
         *         message says which)
         */
        static Session open(BundleContext ctx, PrintStream out, PrintStream err) {
            return open(ctx, new ByteArrayInputStream(new byte[0]), out, err);
        }

        /** As {@link #open(BundleContext, PrintStream, PrintStream)} with {@code keyboard} as the session's input. */
        static Session open(BundleContext ctx, InputStream keyboard, PrintStream out, PrintStream err) {
            ServiceReference<?> ref = ctx.getServiceReference(COMMAND_PROCESSOR);
            if (ref == null) {
                throw new IllegalStateException("no Gogo CommandProcessor service: is " + GOGO_RUNTIME + " active?");
            }
            Object processor = ctx.getService(ref);
            try {
                Class<?> processorType = ref.getBundle().loadClass(COMMAND_PROCESSOR);
                Class<?> sessionType = ref.getBundle().loadClass(COMMAND_SESSION);
                Class<?> jobType = ref.getBundle().loadClass(JOB);
                Object session = processorType.getMethod("createSession", InputStream.class, java.io.OutputStream.class,
                        java.io.OutputStream.class).invoke(processor, keyboard, out, err);
                return new Session(ctx, ref, session, sessionType, jobType, out, err);
            } catch (ReflectiveOperationException | RuntimeException e) {
                unget(ctx, ref);
                throw new IllegalStateException("cannot open a Gogo session (" + GOGO_RUNTIME + "): " + e, e);
            }
        }

        /**
         * Runs {@code script} statement by statement.
         *
         * @return {@link Main#EXIT_OK}, {@link Main#EXIT_COMMAND_FAILED} when a statement threw (or the
         *         status the failure carries: {@link #commandStatus}), or
         *         {@link AttachProtocol#STATUS_INTERRUPTED} when {@link #interrupt()} stopped it
         */
        int run(String script) {
            interrupted = false;
            // One statement at a time, so that every statement's result is printed (Gogo itself
            // returns only the last one) and the first failure stops the script.
            String statement = null;
            try {
                for (String s : statements(script)) {
                    statement = s;
                    if (interrupted) {
                        break;
                    }
                    Object result = execute.invoke(session, s);
                    if (result != null && !interrupted) {
                        out.println(format.invoke(session, result, 0 /* Converter.INSPECT */));
                    }
                    out.flush();
                }
                if (Thread.interrupted() | interrupted) { // clears the flag, so the message can be written
                    err.println("gateway: interrupted: " + statement);
                    return AttachProtocol.STATUS_INTERRUPTED;
                }
                return Main.EXIT_OK;
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (Thread.interrupted() | interrupted) {
                    err.println("gateway: interrupted: " + statement);
                    return AttachProtocol.STATUS_INTERRUPTED;
                }
                err.println("gateway: command failed: " + statement + ": " + describe(cause));
                return commandStatus(cause);
            } catch (ReflectiveOperationException e) {
                err.println("gateway: cannot run Gogo commands: " + e);
                return Main.EXIT_COMMAND_FAILED;
            } finally {
                Thread.interrupted(); // an interrupt meant for this script ends with it
                out.flush();
                err.flush();
            }
        }

        /**
         * What a failed command's exception says. Gogo calls a command on its service object, which is
         * null when the service went away between finding the command and calling it (its bundle
         * stopping, or its component being reconfigured): Gogo then fails with a bare
         * {@code NullPointerException} from its own reflection ("Cannot invoke Object.getClass()
         * because target is null"), said here in words a user can act on.
         */
        static String describe(Throwable cause) {
            StackTraceElement[] at = cause.getStackTrace();
            if (cause instanceof NullPointerException && at.length > 0
                    && at[0].getClassName().equals("org.apache.felix.gogo.runtime.Reflective")) {
                return "the command's service went away while it was called (its bundle stopped or its component is"
                        + " being reconfigured); run it again once the bundle is active (lb, scr:list)";
            }
            return cause.getMessage() != null ? cause.getMessage() : cause.toString();
        }

        /**
         * The exit status for a failed command: the one the exception carries when it has a public
         * {@code int exitStatus()} in 1..125 (e.g. {@code ssh:exec -c} with the remote command's
         * status), else {@link Main#EXIT_COMMAND_FAILED}. Found by name: commands live in bundles.
         */
        static int commandStatus(Throwable failure) {
            try {
                Method m = failure.getClass().getMethod("exitStatus");
                if (m.getReturnType() == int.class) {
                    int status = (int) m.invoke(failure);
                    if (status >= 1 && status <= 125) {
                        return status;
                    }
                }
            } catch (ReflectiveOperationException | RuntimeException none) {
                // no status of its own
            }
            return Main.EXIT_COMMAND_FAILED;
        }

        /** Sets a session variable (a command reads it with {@code CommandSession.get}). */
        void put(String name, Object value) {
            try {
                put.invoke(session, name, value);
            } catch (ReflectiveOperationException | RuntimeException e) {
                err.println("gateway: cannot set the session variable " + name + ": " + e);
            }
        }

        /** Interrupts the statement running now (Gogo's foreground job: its pipe threads). */
        void interrupt() {
            interrupted = true;
            try {
                Object job = foregroundJob.invoke(session);
                if (job != null) {
                    interruptJob.invoke(job);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                err.println("gateway: cannot interrupt the Gogo job: " + e);
            }
        }

        void close() {
            try {
                close.invoke(session);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // the framework is stopping: nothing left to close
            } finally {
                unget(ctx, ref);
            }
        }

        private static void unget(BundleContext ctx, ServiceReference<?> ref) {
            try {
                ctx.ungetService(ref);
            } catch (IllegalStateException ignored) {
                // framework already stopping
            }
        }
    }

    /**
     * Splits a Gogo script into its top-level statements: at {@code ;} and line ends outside
     * quotes, braces, brackets and parentheses.
     */
    static List<String> statements(String script) {
        List<String> list = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < script.length(); i++) {
            char c = script.charAt(i);
            if (quote != 0) {
                if (c == '\\' && i + 1 < script.length()) {
                    cur.append(c).append(script.charAt(++i));
                    continue;
                }
                if (c == quote) {
                    quote = 0;
                }
                cur.append(c);
                continue;
            }
            switch (c) {
            case '\'':
            case '"':
                quote = c;
                break;
            case '{':
            case '(':
            case '[':
                depth++;
                break;
            case '}':
            case ')':
            case ']':
                depth = Math.max(0, depth - 1);
                break;
            case ';':
            case '\n':
                if (depth == 0) {
                    if (!cur.toString().isBlank()) {
                        list.add(cur.toString().trim());
                    }
                    cur.setLength(0);
                    continue;
                }
                break;
            default:
                break;
            }
            cur.append(c);
        }
        if (!cur.toString().isBlank()) {
            list.add(cur.toString().trim());
        }
        return list;
    }
}
