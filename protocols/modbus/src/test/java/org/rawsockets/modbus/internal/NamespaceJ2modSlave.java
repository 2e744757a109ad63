package org.rawsockets.modbus.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;

import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;

/**
 * j2mod's Modbus/TCP slave as a process of its own, for {@link NetworkFaultsTest}: started with
 * {@code ip netns exec} in the test's network namespace, so it is on the far side of the veth pair
 * and can be frozen with SIGSTOP. Arguments: bind address, port. Serves {@link Peers#j2modImage()}
 * (the patterns the tests check) and prints {@code LISTENING} once it accepts connections.
 */
public final class NamespaceJ2modSlave {

    private NamespaceJ2modSlave() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress bind = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        ModbusSlave slave = ModbusSlaveFactory.createTCPSlave(bind, port, 16, false);
        slave.addProcessImage(Peers.UNIT, Peers.j2modImage());
        slave.open();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(bind, port), 1000);
                break;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    System.out.println("NOT LISTENING on " + bind + ":" + port + ": " + e);
                    System.exit(1);
                }
                Thread.sleep(20);
            }
        }
        System.out.println("LISTENING " + bind.getHostAddress() + ":" + port);
        System.out.flush();
        new CountDownLatch(1).await(); // until the test destroys the process
    }
}
