package org.rawsockets.bench;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Entry point of {@code bench.jar}: {@code java -jar bench/target/bench.jar <suite> [suite args]}.
 *
 * <p>A suite {@code name} is the class {@code org.rawsockets.bench.<name>.<Name>Bench} with a
 * {@code public static void main(String[])}; it is found by reflection, so adding a suite needs no
 * change here. {@code all} runs every known suite that is
 * present, one after the other, with no arguments. After the suite(s), the table of issue 12's
 * targets ({@link Targets}) is printed with PASS/MISS for every row measured.
 */
public final class Main {

    /** Suites run by {@code all}, in order. Missing ones are reported and skipped. */
    private static final List<String> KNOWN = List.of("socket", "udp", "modbus", "smtp", "tls", "print", "irc",
            "coap");

    private Main() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            usage();
            System.exit(args.length == 0 ? 2 : 0);
            return;
        }
        String suite = args[0].toLowerCase(Locale.ROOT);
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (suite.equals("all")) {
            List<String> missing = new ArrayList<>();
            Throwable failed = null;
            for (String name : KNOWN) {
                Method main = find(name);
                if (main == null) {
                    missing.add(name);
                    continue;
                }
                System.out.println();
                System.out.println("=== suite " + name + " ===");
                try {
                    invoke(main, new String[0]);
                } catch (Exception e) {
                    // a failed suite is reported; the others still run and the target table is printed
                    System.out.println("!! suite " + name + " failed: " + e);
                    if (failed == null) {
                        failed = e;
                    }
                }
            }
            if (!missing.isEmpty()) {
                System.out.println("suites not present in this build: " + missing);
            }
            Targets.print();
            if (failed != null) {
                throw failed;
            }
            return;
        }
        Method main = find(suite);
        if (main == null) {
            System.err.println("unknown bench suite '" + suite + "': no class " + className(suite)
                    + " with public static void main(String[]) in bench.jar");
            usage();
            System.exit(2);
            return;
        }
        try {
            invoke(main, rest);
        } finally {
            if (Targets.any()) {
                Targets.print();
            }
        }
    }

    static String className(String suite) {
        return "org.rawsockets.bench." + suite + "." + Character.toUpperCase(suite.charAt(0)) + suite.substring(1)
                + "Bench";
    }

    private static Method find(String suite) {
        try {
            Method m = Class.forName(className(suite)).getMethod("main", String[].class);
            return java.lang.reflect.Modifier.isStatic(m.getModifiers()) ? m : null;
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return null;
        }
    }

    private static void invoke(Method main, String[] args) throws Throwable {
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void usage() {
        List<String> present = new ArrayList<>();
        for (String name : KNOWN) {
            if (find(name) != null) {
                present.add(name);
            }
        }
        System.err.println("usage: java -jar bench.jar <suite> [args]   suites: " + present + " or all");
        System.err.println("       java -jar bench.jar socket --help    for the socket suite's options");
    }
}
