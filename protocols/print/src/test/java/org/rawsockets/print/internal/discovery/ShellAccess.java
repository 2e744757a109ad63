package org.rawsockets.print.internal.discovery;

import org.rawsockets.print.Printer;
import org.rawsockets.print.internal.shell.PrintCommands;
import org.rawsockets.protocols.config.ConfigRegistry;

/** Reaches the shell's package-private DS methods from this test package (through a helper there). */
final class ShellAccess {

    private ShellAccess() {
    }

    static PrintCommands commands(ConfigRegistry registry) {
        return org.rawsockets.print.internal.shell.PrintShellAccess.commands(registry);
    }

    static void bind(PrintCommands c, PrinterDiscovery d) {
        org.rawsockets.print.internal.shell.PrintShellAccess.bind(c, d);
    }

    static void add(PrintCommands c, Printer p) {
        org.rawsockets.print.internal.shell.PrintShellAccess.add(c, p);
    }
}
