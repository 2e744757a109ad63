package org.rawsockets.modbus.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.digitalpetri.modbus.server.ModbusRtuServer;
import com.digitalpetri.modbus.server.ModbusServer;
import com.digitalpetri.modbus.server.ModbusTcpServer;
import com.digitalpetri.modbus.server.ProcessImage;
import com.digitalpetri.modbus.server.ReadWriteModbusServices;
import com.digitalpetri.modbus.tcp.server.NettyRtuServerTransport;
import com.digitalpetri.modbus.tcp.server.NettyTcpServerTransport;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;
import com.ghgande.j2mod.modbus.procimg.SimpleDigitalIn;
import com.ghgande.j2mod.modbus.procimg.SimpleDigitalOut;
import com.ghgande.j2mod.modbus.procimg.SimpleInputRegister;
import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;

/**
 * Independent Modbus servers for the end-to-end tests, on 127.0.0.1: j2mod (TCP, UDP, RTU over TCP)
 * and digitalpetri (TCP, RTU over TCP). Their data follow fixed patterns the tests check:
 * holding register i = 3i, input register i = 1000 + i, coil i = (i % 3 == 0), discrete input i =
 * (i % 2 == 0).
 */
final class Peers {

    static final int UNIT = 1;
    /** j2mod images hold this many of each; higher addresses answer ILLEGAL_DATA_ADDRESS. */
    static final int J2MOD_SIZE = 200;

    private Peers() {
    }

    static int holding(int i) {
        return (3 * i) & 0xFFFF;
    }

    static int input(int i) {
        return 1000 + i;
    }

    static boolean coil(int i) {
        return i % 3 == 0;
    }

    static boolean discrete(int i) {
        return i % 2 == 0;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ---- j2mod ------------------------------------------------------------------------------

    static SimpleProcessImage j2modImage() {
        SimpleProcessImage image = new SimpleProcessImage(UNIT);
        for (int i = 0; i < J2MOD_SIZE; i++) {
            image.addRegister(new SimpleRegister(holding(i)));
            image.addInputRegister(new SimpleInputRegister(input(i)));
            image.addDigitalOut(new SimpleDigitalOut(coil(i)));
            image.addDigitalIn(new SimpleDigitalIn(discrete(i)));
        }
        return image;
    }

    enum J2modKind {
        TCP, RTU_OVER_TCP, UDP
    }

    /** A started j2mod slave; {@link #close()} stops it. */
    static final class J2mod implements AutoCloseable {
        final int port;
        final SimpleProcessImage image;
        private ModbusSlave slave;
        private final J2modKind kind;

        J2mod(J2modKind kind, int port, SimpleProcessImage image) throws Exception {
            this.kind = kind;
            this.port = port;
            this.image = image;
            start();
        }

        static J2mod start(J2modKind kind) throws Exception {
            return new J2mod(kind, freePort(), j2modImage());
        }

        void start() throws Exception {
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            slave = kind == J2modKind.UDP ? ModbusSlaveFactory.createUDPSlave(lo, port)
                    : ModbusSlaveFactory.createTCPSlave(lo, port, 64, kind == J2modKind.RTU_OVER_TCP);
            slave.addProcessImage(UNIT, image);
            slave.open();
            if (kind != J2modKind.UDP) {
                awaitListening(port);
            }
        }

        void stop() {
            ModbusSlaveFactory.close(slave);
        }

        @Override
        public void close() {
            stop();
        }
    }

    static void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the Modbus test server did not listen on 127.0.0.1:" + port, e);
                }
                Thread.sleep(20);
            }
        }
    }

    // ---- digitalpetri -------------------------------------------------------------------------

    /** A started digitalpetri server (TCP or RTU over TCP) with an unbounded process image. */
    static final class Digitalpetri implements AutoCloseable {
        final int port;
        final ProcessImage image = new ProcessImage();
        private final ModbusServer server;
        private boolean running;

        Digitalpetri(boolean rtu) throws Exception {
            port = freePort();
            image.with(tx -> {
                tx.writeHoldingRegisters(m -> {
                    for (int i = 0; i < 2000; i++) {
                        m.put(i, new byte[] { (byte) (holding(i) >> 8), (byte) holding(i) });
                    }
                });
                tx.writeInputRegisters(m -> {
                    for (int i = 0; i < 2000; i++) {
                        m.put(i, new byte[] { (byte) (input(i) >> 8), (byte) input(i) });
                    }
                });
                tx.writeCoils(m -> {
                    for (int i = 0; i < 2000; i++) {
                        m.put(i, coil(i));
                    }
                });
            });
            ReadWriteModbusServices services = new ReadWriteModbusServices() {
                @Override
                protected Optional<ProcessImage> getProcessImage(int unitId) {
                    return unitId == UNIT ? Optional.of(image) : Optional.empty();
                }
            };
            if (rtu) {
                NettyRtuServerTransport t = NettyRtuServerTransport.create(cfg -> {
                    cfg.bindAddress = "127.0.0.1";
                    cfg.port = port;
                });
                server = ModbusRtuServer.create(t, services);
            } else {
                NettyTcpServerTransport t = NettyTcpServerTransport.create(cfg -> {
                    cfg.bindAddress = "127.0.0.1";
                    cfg.port = port;
                });
                server = ModbusTcpServer.create(t, services);
            }
            start();
        }

        void start() throws Exception {
            server.start();
            running = true;
            awaitListening(port);
        }

        /** Stops listening and closes the connections. */
        void stop() throws Exception {
            running = false;
            server.stop();
        }

        @Override
        public void close() throws Exception {
            if (running) {
                stop();
            }
        }
    }

    // ---- a peer that never answers --------------------------------------------------------------

    /**
     * Accepts connections, reads and discards everything, never answers; or, trickling, sends the
     * start of an MBAP frame one byte per second that never completes in a test's time. Counts the
     * connections and those the client closed.
     */
    static final class Silent implements AutoCloseable {
        final ServerSocket server;
        final List<Socket> accepted = new ArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger closedByClient = new java.util.concurrent.atomic.AtomicInteger();
        private final Thread thread;

        Silent() throws IOException {
            this(false);
        }

        Silent(boolean trickle) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            thread = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        synchronized (accepted) {
                            accepted.add(s);
                        }
                        Thread reader = new Thread(() -> {
                            byte[] b = new byte[4096];
                            try {
                                while (s.getInputStream().read(b) >= 0) {
                                    // swallow
                                }
                                closedByClient.incrementAndGet();
                            } catch (IOException e) {
                                if (!s.isClosed()) {
                                    closedByClient.incrementAndGet(); // reset by the client
                                }
                            }
                        }, "silent-reader");
                        reader.setDaemon(true);
                        reader.start();
                        if (trickle) {
                            Thread writer = new Thread(() -> {
                                // transaction 0xFFFF, protocol 0, length 253, unit 1, then the PDU's bytes
                                byte[] frame = { (byte) 0xFF, (byte) 0xFF, 0, 0, 0, (byte) 253, 1 };
                                try {
                                    for (int i = 0; !s.isClosed(); i++) {
                                        s.getOutputStream().write(i < frame.length ? frame[i] : 3);
                                        Thread.sleep(1000);
                                    }
                                } catch (IOException | InterruptedException e) {
                                    // closed
                                }
                            }, "trickle-writer");
                            writer.setDaemon(true);
                            writer.start();
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "silent-acceptor");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int acceptedCount() {
            synchronized (accepted) {
                return accepted.size();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }
}
