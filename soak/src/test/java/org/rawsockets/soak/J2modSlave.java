package org.rawsockets.soak;

import java.net.InetAddress;

import org.rawsockets.modbus.testing.J2modSlaveProcess;

import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;

/**
 * The soak's Modbus peer: j2mod's Modbus/TCP slave in a JVM of its own (so that its thread per
 * connection and its heap are not the soak's figures), as protocols/modbus's
 * {@code NamespaceJ2modSlave}. Arguments: bind address, port, thread pool size (j2mod serves a
 * connection per pool thread). Unit 1; holding register i holds 3i (protocols/modbus's
 * {@code Peers.holding}). Served by protocols/modbus's {@link J2modSlaveProcess} (its test-jar):
 * prints {@code LISTENING} once it accepts connections; runs until destroyed.
 */
public final class J2modSlave {

    static final int UNIT = 1;
    static final int REGISTERS = 200;

    private J2modSlave() {
    }

    static int holding(int i) {
        return (3 * i) & 0xFFFF;
    }

    public static void main(String[] args) throws Exception {
        SimpleProcessImage image = new SimpleProcessImage(UNIT);
        for (int i = 0; i < REGISTERS; i++) {
            image.addRegister(new SimpleRegister(holding(i)));
        }
        J2modSlaveProcess.serve(InetAddress.getByName(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                UNIT, image);
    }
}
