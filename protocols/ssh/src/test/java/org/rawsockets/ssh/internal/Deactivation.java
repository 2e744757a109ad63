package org.rawsockets.ssh.internal;

/** For tests in other packages: what DS does when the configuration goes away or the bundle stops. */
public final class Deactivation {

    private Deactivation() {
    }

    public static void deactivate(SshHostComponent component) {
        component.deactivate();
    }
}
