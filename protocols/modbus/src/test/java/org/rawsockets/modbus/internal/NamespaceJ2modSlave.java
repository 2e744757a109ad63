package org.rawsockets.modbus.internal;

import java.net.InetAddress;

import org.rawsockets.modbus.testing.J2modSlaveProcess;

/**
 * j2mod's Modbus/TCP slave as a process of its own, for {@link NetworkFaultsTest}: started with
 * {@code ip netns exec} in the test's network namespace, so it is on the far side of the veth pair
 * and can be frozen with SIGSTOP. Arguments: bind address, port. Serves {@link Peers#j2modImage()}
 * (the patterns the tests check) with 16 threads and prints {@code LISTENING} once it accepts
 * connections ({@link J2modSlaveProcess#serve}).
 */
public final class NamespaceJ2modSlave {

    private NamespaceJ2modSlave() {
    }

    public static void main(String[] args) throws Exception {
        J2modSlaveProcess.serve(InetAddress.getByName(args[0]), Integer.parseInt(args[1]), 16, Peers.UNIT,
                Peers.j2modImage());
    }
}
