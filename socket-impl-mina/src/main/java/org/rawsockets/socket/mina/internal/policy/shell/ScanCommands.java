package org.rawsockets.socket.mina.internal.policy.shell;

import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.rawsockets.socket.mina.internal.scan.BundleScan;
import org.rawsockets.socket.mina.internal.scan.BundleScanner;
import org.rawsockets.socket.mina.internal.scan.SocketUse;

/**
 * {@code policy:scan}: which installed bundles open sockets themselves, outside the socket service
 * and its policy (a bytecode scan, once per bundle revision; see {@link BundleScanner}).
 */
@Component(service = ScanCommands.class, property = { "osgi.command.scope=policy", "osgi.command.function=scan" })
public final class ScanCommands {

    static final String WHAT = "Bundles that open sockets themselves, outside the socket service and its policy"
            + " (bytecode scan of their class files and embedded jars)";

    private final BundleContext context;
    private final BundleScanner scanner;

    @Activate
    public ScanCommands(BundleContext context, @Reference BundleScanner scanner) {
        this.context = context;
        this.scanner = scanner;
    }

    /** {@code policy:scan}: every bundle with findings, with the places. */
    public String scan() {
        StringBuilder sb = new StringBuilder(WHAT).append(":\n");
        try {
            int n = 0;
            for (BundleScan s : scanner.scanAll()) {
                if (s.count() > 0 || !s.problems().isEmpty()) {
                    n++;
                    append(sb, s, 20);
                }
            }
            if (n == 0) {
                sb.append("  (none)\n");
            }
        } catch (UnsupportedOperationException e) {
            sb.append("  cannot scan: ").append(e.getMessage()).append('\n');
        }
        sb.append(LIMITS);
        return sb.toString();
    }

    /** {@code policy:scan <bundle>}: one bundle (symbolic name or id), every place kept. */
    public String scan(String bundle) {
        Bundle b = find(bundle);
        if (b == null) {
            return "no installed bundle '" + bundle + "' (give a symbolic name or a bundle id; lb lists them)";
        }
        StringBuilder sb = new StringBuilder();
        try {
            BundleScan s = scanner.scan(b);
            if (s.count() == 0) {
                sb.append(s).append(": opens no socket itself (it may still use the socket service)\n");
            } else {
                append(sb, s, Integer.MAX_VALUE);
            }
            for (String p : s.problems()) {
                sb.append("    not scanned: ").append(p).append('\n');
            }
        } catch (UnsupportedOperationException e) {
            sb.append("cannot scan: ").append(e.getMessage()).append('\n');
        }
        sb.append(LIMITS);
        return sb.toString();
    }

    /** The one-line-per-bundle summary {@code policy:show} prints. */
    List<String> summary() {
        List<String> out = new java.util.ArrayList<>();
        for (BundleScan s : scanner.scanAll()) {
            if (s.count() > 0) {
                out.add(s + ": " + s.count() + (s.count() == 1 ? " place" : " places") + label(s.bundleId()));
            }
        }
        return out;
    }

    private void append(StringBuilder sb, BundleScan s, int max) {
        sb.append("  ").append(s).append(": ").append(s.count()).append(s.count() == 1 ? " place" : " places")
                .append(label(s.bundleId())).append('\n');
        int i = 0;
        for (SocketUse u : s.uses()) {
            if (i++ >= max) {
                sb.append("      ... ").append(s.count() - max).append(" more (policy:scan ").append(s.symbolicName())
                        .append(")\n");
                break;
            }
            sb.append("      ").append(u).append('\n');
        }
        if (s.omitted() > 0 && max == Integer.MAX_VALUE) {
            sb.append("      ... ").append(s.omitted()).append(" more not kept\n");
        }
    }

    private String label(long bundleId) {
        Bundle b = context.getBundle(bundleId);
        return b != null && scanner.isImplementation(b) ? " (the socket service's own implementation)" : "";
    }

    private Bundle find(String name) {
        if (name.matches("\\d+")) {
            return context.getBundle(Long.parseLong(name));
        }
        for (Bundle b : context.getBundles()) {
            if (name.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    static final String LIMITS = "The policy governs sockets opened through the socket service (openTcp..., socketFactory());"
            + " code listed here connects without it. Reflection, method handles and sockets the JDK opens for the code"
            + " (URL.openConnection, java.net.http, JNDI) are not found by the scan.\n";
}
