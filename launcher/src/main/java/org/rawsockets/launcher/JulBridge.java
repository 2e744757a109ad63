package org.rawsockets.launcher;

import org.osgi.framework.Bundle;

/**
 * Routes java.util.logging (FileInstall, SPI Fly) into SLF4J/logback once both the bridge and
 * logback are active, and takes the bridge out again before they stop.
 */
final class JulBridge implements org.osgi.framework.SynchronousBundleListener {
    static final String BRIDGE_BSN = "jul.to.slf4j";
    static final String LOGBACK_BSN = "ch.qos.logback.classic";
    private Bundle bridge;
    private boolean installed;

    @Override
    public synchronized void bundleChanged(org.osgi.framework.BundleEvent e) {
        String bsn = e.getBundle().getSymbolicName();
        if (!BRIDGE_BSN.equals(bsn) && !LOGBACK_BSN.equals(bsn)) {
            return;
        }
        if (BRIDGE_BSN.equals(bsn)) {
            bridge = e.getBundle();
        }
        if (e.getType() == org.osgi.framework.BundleEvent.STARTED && !installed && bridge != null
                && bridge.getState() == Bundle.ACTIVE && logbackActive(e.getBundle())) {
            installed = call("removeHandlersForRootLogger") && call("install");
        } else if (e.getType() == org.osgi.framework.BundleEvent.STOPPING && installed) {
            call("uninstall");
            installed = false;
        }
    }

    private static boolean logbackActive(Bundle any) {
        for (Bundle b : any.getBundleContext() == null ? new Bundle[0] : any.getBundleContext().getBundles()) {
            if (LOGBACK_BSN.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) {
                return true;
            }
        }
        return false;
    }

    private boolean call(String method) {
        try {
            bridge.loadClass("org.slf4j.bridge.SLF4JBridgeHandler").getMethod(method).invoke(null);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("gateway: java.util.logging bridge " + method + " failed: " + e);
            return false;
        }
    }
}
