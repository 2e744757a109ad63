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

    private GatewayScript() {
    }

    /**
     * Runs {@code script} in a new Gogo session writing to {@code out} and {@code err}.
     *
     * @return {@link Main#EXIT_OK}, or {@link Main#EXIT_COMMAND_FAILED} when a command threw
     */
    static int run(BundleContext ctx, String script, PrintStream out, PrintStream err) {
        ServiceReference<?> ref = ctx.getServiceReference(COMMAND_PROCESSOR);
        if (ref == null) {
            err.println("gateway: no Gogo CommandProcessor service: is " + GOGO_RUNTIME + " active?");
            return Main.EXIT_COMMAND_FAILED;
        }
        Object processor = ctx.getService(ref);
        try {
            // Through reflection: the launcher is outside OSGi and does not see Gogo's API classes.
            Class<?> processorType = ref.getBundle().loadClass(COMMAND_PROCESSOR);
            Class<?> sessionType = ref.getBundle().loadClass(COMMAND_SESSION);
            InputStream noInput = new ByteArrayInputStream(new byte[0]);
            Object session = processorType.getMethod("createSession", InputStream.class, java.io.OutputStream.class,
                    java.io.OutputStream.class).invoke(processor, noInput, out, err);
            Method execute = sessionType.getMethod("execute", CharSequence.class);
            Method format = sessionType.getMethod("format", Object.class, int.class);
            Method close = sessionType.getMethod("close");
            // One statement at a time, so that every statement's result is printed (Gogo itself
            // returns only the last one) and the first failure stops the script.
            String statement = null;
            try {
                for (String s : statements(script)) {
                    statement = s;
                    Object result = execute.invoke(session, s);
                    if (result != null) {
                        out.println(format.invoke(session, result, 0 /* Converter.INSPECT */));
                    }
                    out.flush();
                }
                return Main.EXIT_OK;
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                err.println("gateway: command failed: " + statement + ": "
                        + (cause.getMessage() != null ? cause.getMessage() : cause.toString()));
                return Main.EXIT_COMMAND_FAILED;
            } finally {
                out.flush();
                close.invoke(session);
            }
        } catch (ReflectiveOperationException e) {
            err.println("gateway: cannot run Gogo commands: " + e);
            return Main.EXIT_COMMAND_FAILED;
        } finally {
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
