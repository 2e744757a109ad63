package org.rawsockets.modbus.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;

import com.ghgande.j2mod.modbus.procimg.ProcessImage;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;

/**
 * The body of a j2mod Modbus/TCP slave run as a process of its own (a {@code main} that a test starts
 * with {@code java -cp <the test class path>}), so that the slave can be placed in a network namespace
 * and frozen, or kept out of the measuring JVM's threads and heap. Used by protocols/modbus's
 * {@code NamespaceJ2modSlave} and, through this module's test-jar, by the soak module's
 * {@code J2modSlave}; each passes its own process image.
 */
public final class J2modSlaveProcess {

    private J2modSlaveProcess() {
    }

    /**
     * Serves {@code image} as unit {@code unit} on {@code bind:port} with a pool of {@code pool} threads
     * (j2mod serves one connection per pool thread); prints {@code LISTENING <address>:<port>} once a
     * connection to it succeeds, then blocks until the process is destroyed. If it does not accept
     * connections within 30 s it prints {@code NOT LISTENING ...} and exits with status 1.
     */
    public static void serve(InetAddress bind, int port, int pool, int unit, ProcessImage image) throws Exception {
        ModbusSlave slave = ModbusSlaveFactory.createTCPSlave(bind, port, pool, false);
        slave.addProcessImage(unit, image);
        slave.open();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(bind, port), 1000);
                break;
            } catch (IOException e) {
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
