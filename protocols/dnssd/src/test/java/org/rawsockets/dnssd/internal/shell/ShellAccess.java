package org.rawsockets.dnssd.internal.shell;

import java.io.PrintStream;

import org.rawsockets.dnssd.DnsSd;

/** Test access to the commands' package-private constructor (output to a given stream). */
public final class ShellAccess {

    private ShellAccess() {
    }

    public static DnsSdCommands commands(DnsSd dnssd, PrintStream out) {
        return new DnsSdCommands(dnssd, out);
    }
}
