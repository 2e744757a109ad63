package org.rawsockets.soak;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;

import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;

/**
 * The soak's Modbus peer: j2mod's Modbus/TCP slave in a JVM of its own (so that its thread per
 * connection and its heap are not the soak's figures), as protocols/modbus's
 * {@code NamespaceJ2modSlave}. Arguments: bind address, port, thread pool size (j2mod serves a
 * connection per pool thread). Unit 1; holding register i holds 3i (protocols/modbus's
 * {@code Peers.holding}). Prints {@code LISTENING} once it accepts connections; runs until destroyed.
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
        InetAddress bind = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        int pool = Integer.parseInt(args[2]);
        SimpleProcessImage image = new SimpleProcessImage(UNIT);
        for (int i = 0; i < REGISTERS; i++) {
            image.addRegister(new SimpleRegister(holding(i)));
        }
        ModbusSlave slave = ModbusSlaveFactory.createTCPSlave(bind, port, pool, false);
        slave.addProcessImage(UNIT, image);
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
