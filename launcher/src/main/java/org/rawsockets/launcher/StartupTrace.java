package org.rawsockets.launcher;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;

/** -Dgateway.trace.startup=true: how long each bundle took to start (start-up tuning). */
final class StartupTrace implements org.osgi.framework.SynchronousBundleListener {
    private final long t0;
    private final Map<Long, Long> starting = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());

    StartupTrace(BundleContext ctx, long t0) {
        this.t0 = t0;
        ctx.addBundleListener(this);
    }

    @Override
    public void bundleChanged(org.osgi.framework.BundleEvent e) {
        long now = System.nanoTime();
        if (e.getType() == org.osgi.framework.BundleEvent.STARTING) {
            starting.put(e.getBundle().getBundleId(), now);
        } else if (e.getType() == org.osgi.framework.BundleEvent.STARTED) {
            Long s = starting.get(e.getBundle().getBundleId());
            lines.add(String.format("  at %5d ms  %-45s %4d ms", (now - t0) / 1_000_000, e.getBundle().getSymbolicName(),
                    s == null ? 0 : (now - s) / 1_000_000));
        }
    }

    void print(PrintStream err) {
        err.println("gateway: start-up trace (time since launcher start, bundle, activation time):");
        synchronized (lines) {
            lines.forEach(err::println);
        }
    }
}
