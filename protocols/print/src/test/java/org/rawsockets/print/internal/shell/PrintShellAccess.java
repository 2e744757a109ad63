package org.rawsockets.print.internal.shell;

import org.rawsockets.print.Printer;
import org.rawsockets.print.internal.discovery.PrinterDiscovery;
import org.rawsockets.protocols.config.ConfigRegistry;

/** Test access to PrintCommands' package-private constructor and DS bind methods. */
public final class PrintShellAccess {

    private PrintShellAccess() {
    }

    public static PrintCommands commands(ConfigRegistry registry) {
        return new PrintCommands(registry);
    }

    public static void bind(PrintCommands c, PrinterDiscovery d) {
        c.bindDiscovery(d);
    }

    public static void add(PrintCommands c, Printer p) {
        c.addPrinter(p);
    }
}
