package org.rawsockets.bench.modbus;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

import org.rawsockets.bench.BenchSupport;
import org.rawsockets.modbus.Registers;
import org.rawsockets.modbus.internal.ClientSettings;
import org.rawsockets.modbus.internal.ModbusClientImpl;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

import com.digitalpetri.modbus.client.ModbusTcpClient;
import com.digitalpetri.modbus.pdu.ReadHoldingRegistersRequest;
import com.digitalpetri.modbus.server.ModbusTcpServer;
import com.digitalpetri.modbus.server.ProcessImage;
import com.digitalpetri.modbus.server.ReadWriteModbusServices;
import com.digitalpetri.modbus.tcp.client.NettyTcpClientTransport;
import com.digitalpetri.modbus.tcp.server.NettyTcpServerTransport;
import com.ghgande.j2mod.modbus.facade.ModbusTCPMaster;
import com.ghgande.j2mod.modbus.procimg.InputRegister;

/**
 * Modbus suite: function 3 reads per second over ONE connection against the same loopback server,
 * for this project's client (on the MINA socket service), digitalpetri modbus 2.1.4 (Netty) and
 * j2mod 3.3.0 (blocking sockets), in one run, with ratios.
 *
 * <p>Each async client keeps {@code window} requests outstanding (closed loop: every answer sends
 * the next); j2mod is synchronous, so it has one outstanding request. Every answer is checked
 * (register values depend on the address), so a wrong answer aborts the run.
 *
 * <pre>
 * ./mvnw -B -q -DskipTests -pl bench -am package
 * bench/run.sh modbus [--server fast|digitalpetri] [--seconds 3] [--rounds 3] [--quantity 10] [--window 32]
 * </pre>
 */
public final class ModbusBench {

    private ModbusBench() {
    }

    /** One client under test: starts a read of {@code quantity} registers at {@code address}. */
    interface Reader extends AutoCloseable {
        /** Async read; completes with the first register's value. */
        CompletionStage<Integer> read(int address);
    }

    public static void main(String[] args) throws Exception {
        String serverKind = "fast";
        int seconds = 3;
        int rounds = 3;
        int quantity = 10;
        int window = 32;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server" -> serverKind = args[++i];
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--quantity" -> quantity = Integer.parseInt(args[++i]);
                case "--window" -> window = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("bench modbus [--server fast|digitalpetri] [--seconds N] [--rounds N]"
                            + " [--quantity 1..125] [--window N]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
            }
        }
        System.out.println("Modbus FC3 reads/s over one TCP connection, " + quantity + " registers per read, server: "
                + serverKind + " (loopback), " + rounds + " rounds x " + seconds + " s after a warm-up");
        System.out.println(BenchSupport.banner());

        AutoCloseable server;
        int port;
        if (serverKind.equals("digitalpetri")) {
            int p = freePort();
            ProcessImage image = new ProcessImage();
            image.with(tx -> tx.writeHoldingRegisters(m -> {
                for (int i = 0; i < 65536; i++) {
                    m.put(i, new byte[] { (byte) (i >> 8), (byte) i });
                }
            }));
            ModbusTcpServer s = ModbusTcpServer.create(NettyTcpServerTransport.create(cfg -> {
                cfg.bindAddress = "127.0.0.1";
                cfg.port = p;
            }), new ReadWriteModbusServices() {
                @Override
                protected Optional<ProcessImage> getProcessImage(int unitId) {
                    return Optional.of(image);
                }
            });
            s.start();
            server = s::stop;
            port = p;
        } else {
            FastServer s = new FastServer();
            server = s;
            port = s.port();
        }

        MinaSocketEngine engine = MinaSocketEngine.standalone();
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "bench-modbus"));
        final int q = quantity;
        final int w = window;
        List<Result> results = new ArrayList<>();
        try {
            IntFunction<Reader> ours = win -> {
                ModbusClientImpl c = new ModbusClientImpl(ClientSettings.tcp("bench", "127.0.0.1", port)
                        .withMaxInFlight(win).withTimeout(Duration.ofSeconds(10)), sockets);
                return new Reader() {
                    @Override
                    public CompletionStage<Integer> read(int address) {
                        return c.readHoldingRegisters(1, address, q).thenApply(r -> r.uint16(0));
                    }

                    @Override
                    public void close() {
                        c.close();
                    }
                };
            };
            IntFunction<Reader> digitalpetri = win -> {
                NettyTcpClientTransport t = NettyTcpClientTransport.create(cfg -> {
                    cfg.hostname = "127.0.0.1";
                    cfg.port = port;
                });
                ModbusTcpClient c = ModbusTcpClient.create(t);
                try {
                    c.connect();
                } catch (Exception e) {
                    throw new IllegalStateException("digitalpetri client cannot connect: " + e, e);
                }
                return new Reader() {
                    @Override
                    public CompletionStage<Integer> read(int address) {
                        return c.readHoldingRegistersAsync(1, new ReadHoldingRegistersRequest(address, q))
                                .thenApply(r -> ((r.registers()[0] & 0xFF) << 8) | (r.registers()[1] & 0xFF));
                    }

                    @Override
                    public void close() throws Exception {
                        c.disconnect();
                    }
                };
            };
            IntFunction<Reader> j2mod = win -> {
                ModbusTCPMaster m = new ModbusTCPMaster("127.0.0.1", port, 10_000, false);
                try {
                    m.connect();
                } catch (Exception e) {
                    throw new IllegalStateException("j2mod master cannot connect: " + e, e);
                }
                return new Reader() {
                    @Override
                    public CompletionStage<Integer> read(int address) {
                        try {
                            InputRegister[] r = m.readMultipleRegisters(1, address, q);
                            return CompletableFuture.completedFuture(r[0].toUnsignedShort());
                        } catch (Exception e) {
                            return CompletableFuture.failedFuture(e);
                        }
                    }

                    @Override
                    public void close() {
                        m.disconnect();
                    }
                };
            };
            results.add(run("rawsockets (MINA)", ours, w, seconds, rounds));
            results.add(run("digitalpetri 2.1.4", digitalpetri, w, seconds, rounds));
            results.add(run("rawsockets (MINA)", ours, 1, seconds, rounds));
            results.add(run("digitalpetri 2.1.4", digitalpetri, 1, seconds, rounds));
            results.add(run("j2mod 3.3.0", j2mod, 1, seconds, rounds));
        } finally {
            sockets.close();
            engine.close();
            server.close();
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "%-20s %8s %14s %14s%n", "client", "window", "reads/s (med)", "min..max");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-20s %8d %14.0f %14s%n", r.name, r.window, r.median,
                    String.format(Locale.ROOT, "%.0f..%.0f", r.min, r.max));
        }
        Result oursW = results.get(0);
        Result dpW = results.get(1);
        Result ours1 = results.get(2);
        Result dp1 = results.get(3);
        Result j2 = results.get(4);
        System.out.println();
        System.out.printf(Locale.ROOT, "ratio rawsockets / digitalpetri, window %d: %.2fx (target >= 1.5x)%n", w,
                oursW.median / dpW.median);
        System.out.printf(Locale.ROOT, "ratio rawsockets / digitalpetri, window 1:  %.2fx%n", ours1.median / dp1.median);
        System.out.printf(Locale.ROOT, "ratio rawsockets (window %d) / j2mod (synchronous): %.2fx (target >= 5x)%n", w,
                oursW.median / j2.median);
        System.out.printf(Locale.ROOT, "ratio rawsockets / j2mod, both one request at a time: %.2fx%n",
                ours1.median / j2.median);
        org.rawsockets.bench.Targets.ratio("modbus.window1", ours1.median, j2.median,
                String.format(Locale.ROOT, "%.0f vs %.0f reads/s", ours1.median, j2.median));
    }

    record Result(String name, int window, double median, double min, double max) {
    }

    private static Result run(String name, IntFunction<Reader> factory, int window, int seconds, int rounds)
            throws Exception {
        try (Reader reader = factory.apply(window)) {
            drive(reader, window, Math.max(2, seconds)); // warm-up
            double[] rates = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                rates[i] = drive(reader, window, seconds);
            }
            double min = Double.MAX_VALUE;
            double max = 0;
            for (double r : rates) {
                min = Math.min(min, r);
                max = Math.max(max, r);
            }
            Result res = new Result(name, window, BenchSupport.median(rates), min, max);
            System.out.printf(Locale.ROOT, "  %-20s window %3d: %,10.0f reads/s (median of %d)%n", name, window,
                    res.median, rounds);
            return res;
        }
    }

    /** Keeps {@code window} reads outstanding for {@code seconds}; returns reads per second. */
    private static double drive(Reader reader, int window, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> error = new AtomicReference<>();
        CompletableFuture<Void> finished = new CompletableFuture<>();
        AtomicLong active = new AtomicLong(window);
        long start = System.nanoTime();
        for (int i = 0; i < window; i++) {
            chain(reader, i * 100 % 60000, end, done, error, active, finished);
        }
        finished.get(seconds + 60L, TimeUnit.SECONDS);
        long elapsed = System.nanoTime() - start;
        if (error.get() != null) {
            throw new IllegalStateException("bench read failed: " + error.get(), error.get());
        }
        return done.get() * 1e9 / elapsed;
    }

    private static void chain(Reader reader, int address, long end, AtomicLong done, AtomicReference<Throwable> error,
            AtomicLong active, CompletableFuture<Void> finished) {
        // Loop while reads complete synchronously (j2mod), recurse through callbacks otherwise.
        int a = address;
        while (true) {
            if (System.nanoTime() >= end || error.get() != null) {
                if (active.decrementAndGet() == 0) {
                    finished.complete(null);
                }
                return;
            }
            int expect = a;
            int next = (a + 7) % 60000;
            CompletableFuture<Integer> f = reader.read(a).toCompletableFuture();
            if (f.isDone()) {
                if (!check(f, expect, done, error)) {
                    continue;
                }
                a = next;
                continue;
            }
            f.whenComplete((v, e) -> {
                check(f, expect, done, error);
                chain(reader, next, end, done, error, active, finished);
            });
            return;
        }
    }

    private static boolean check(CompletableFuture<Integer> f, int expect, AtomicLong done,
            AtomicReference<Throwable> error) {
        try {
            int v = f.join();
            if (v != expect) {
                error.compareAndSet(null, new IllegalStateException("read at " + expect + " answered " + v));
                return false;
            }
            done.incrementAndGet();
            return true;
        } catch (RuntimeException e) {
            error.compareAndSet(null, e.getCause() == null ? e : e.getCause());
            return false;
        }
    }

    static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
