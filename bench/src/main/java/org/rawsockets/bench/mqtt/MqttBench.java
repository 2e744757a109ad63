package org.rawsockets.bench.mqtt;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.rawsockets.bench.BenchSupport;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttSubscription;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.SubscriptionOptions;
import org.rawsockets.mqtt.internal.MqttClientImpl;
import org.rawsockets.mqtt.internal.MqttSettings;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;

/**
 * MQTT publish throughput (QoS 0 and 1, 64 B and 4 KiB) and end-to-end latency (QoS 1, p50/p99 at a
 * fixed rate, publisher and subscriber in this JVM) of this project's client, HiveMQ MQTT Client 1.3.3
 * (MQTT 5, Netty) and Eclipse Paho 1.2.5 (mqttv3, MQTT 3.1.1), one after the other against the same
 * Mosquitto started here on a free loopback port. Every client keeps at most 20 QoS 1 messages in
 * flight (Mosquitto's Receive Maximum for MQTT 5; the same window for Paho's 3.1.1) and at most 1000 QoS 0
 * publications outstanding.
 *
 * <pre>java -jar bench/target/bench.jar mqtt [--seconds 3] [--rounds 3] [--qos 0,1] [--sizes 64,4096]</pre>
 */
public final class MqttBench {

    interface Client extends AutoCloseable {
        /** Publishes; {@code done} runs when the publication is complete for its QoS. */
        void publish(String topic, byte[] payload, int qos, Runnable done) throws Exception;

        void subscribe(String filter, Consumer<byte[]> onMessage) throws Exception;
    }

    static int seconds = 3;
    static int rounds = 3;
    /** Which QoS levels and payload sizes the throughput part runs ({@code --qos 1 --sizes 64}: one of the four). */
    static int[] qosLevels = {0, 1};
    static int[] sizes = {64, 4096};

    public static void main(String[] args) throws Exception {
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--qos" -> qosLevels = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--sizes" -> sizes = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.println(BenchSupport.banner());
        Path dir = Files.createTempDirectory("mqtt-bench");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.write(dir.resolve("mosquitto.conf"), List.of("listener " + port + " 127.0.0.1", "allow_anonymous true",
                "log_dest none", "max_queued_messages 100000", "user " + System.getProperty("user.name")));
        Process broker = new ProcessBuilder("/usr/sbin/mosquitto", "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        MinaSocketEngine engine = MinaSocketEngine.standalone();
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.mqtt"));
        try {
            awaitPort(port);
            String[] names = {"rawsockets", "hivemq", "paho"};
            System.out.printf("%-11s %-5s %7s %12s   %s%n", "client", "qos", "payload", "msgs/s (median of " + rounds + ")",
                    "(over all rounds' measured time: broker CPU in % of a core; per message: broker CPU us, wake-ups,"
                    + " read and write system calls; this JVM's CPU us and write system calls)");
            double[][] results = new double[3][qosLevels.length * sizes.length];
            Cost[][] costs = new Cost[3][qosLevels.length * sizes.length];
            int col = 0;
            for (int qos : qosLevels) {
                for (int size : sizes) {
                    for (int c = 0; c < 3; c++) {
                        double[] r = new double[rounds];
                        Cost cost = new Cost(0, 0, 0, 0, 0, 0, 0, 0);
                        for (int k = 0; k < rounds; k++) {
                            try (Client client = open(names[c], port, sockets, "tp-" + c + "-" + col + "-" + k)) {
                                Cost round = throughput(client, qos, size, broker.pid());
                                r[k] = round.msgs() / round.seconds();
                                cost = cost.plus(round);
                            }
                        }
                        results[c][col] = BenchSupport.median(r);
                        costs[c][col] = cost;
                        System.out.printf("%-11s %-5d %7d %12.0f   rounds %s   broker %3.0f%% %5.1f us %4.2f wake-ups"
                                + " %4.2f reads %4.2f writes, jvm %5.1f us %4.2f writes%n",
                                names[c], qos, size, results[c][col], Arrays.toString(Arrays.stream(r).map(Math::rint).toArray()),
                                cost.brokerCorePercent(), cost.brokerMicrosPerMsg(), cost.brokerWakeupsPerMsg(),
                                cost.brokerReadsPerMsg(), cost.brokerWritesPerMsg(), cost.jvmMicrosPerMsg(),
                                cost.jvmWritesPerMsg());
                    }
                    col++;
                }
            }
            System.out.println();
            System.out.printf("%-11s %10s %10s %9s   (QoS 1, 64 B, 1000 msg/s for %d s, publisher -> broker -> subscriber,"
                    + " first 10%% dropped)%n", "client", "p50 us", "p99 us", "samples", seconds);
            for (int c = 0; c < 3; c++) {
                try (Client client = open(names[c], port, sockets, "lat-" + c)) {
                    long[] lat = latency(client);
                    System.out.printf("%-11s %10.0f %10.0f %9d%n", names[c], BenchSupport.percentile(lat, 50) / 1000.0,
                            BenchSupport.percentile(lat, 99) / 1000.0, lat.length);
                }
            }
            System.out.println();
            for (int i = 0; i < col; i++) {
                int size = sizes[i % sizes.length];
                String what = "QoS " + qosLevels[i / sizes.length] + " " + (size % 1024 == 0 ? size / 1024 + " KiB" : size + " B");
                System.out.printf("%s: rawsockets/hivemq %.2fx, rawsockets/paho %.2fx%n", what,
                        results[0][i] / results[1][i], results[0][i] / results[2][i]);
            }
            System.out.println();
            System.out.println("Ceilings (msgs/s) from the CPU each message cost in the phases above: the broker's, if it had a"
                    + " whole core (Mosquitto is single-threaded), and the machine's, if broker and client shared all "
                    + Runtime.getRuntime().availableProcessors() + " cores and nothing else ran:");
            for (int i = 0; i < col; i++) {
                int size = sizes[i % sizes.length];
                String what = "QoS " + qosLevels[i / sizes.length] + " " + (size % 1024 == 0 ? size / 1024 + " KiB" : size + " B");
                StringBuilder line = new StringBuilder(what + ":");
                for (int c = 0; c < 3; c++) {
                    Cost k = costs[c][i];
                    line.append(String.format(Locale.ROOT, " %s broker %.0f, machine %.0f;", names[c],
                            1e6 / k.brokerMicrosPerMsg(),
                            Runtime.getRuntime().availableProcessors() * 1e6 / (k.brokerMicrosPerMsg() + k.jvmMicrosPerMsg())));
                }
                System.out.println(line);
            }
        } finally {
            sockets.close();
            engine.close();
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
            org.rawsockets.bench.BenchSupport.deleteTree(dir);
        }
    }

    static void awaitPort(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    /** Clock ticks per second of /proc/PID/stat's CPU times. */
    static final long CLK_TCK = clockTicks();

    /**
     * What a measured phase cost: messages completed, its length, the broker's CPU (utime + stime, ns) and
     * voluntary context switches (each a wake-up after waiting for the network), this JVM's CPU (ns), and
     * the broker's read and write system calls ({@code syscr}, {@code syscw} of /proc/PID/io), and this
     * JVM's write system calls: the clients' socket writes (gathering ones included) and their selector
     * wake-ups (an eventfd write each: how Netty's event loop, HiveMQ's client, is woken when another
     * thread hands it a publication), so the clients' figures are not socket writes alone.
     */
    record Cost(long msgs, double seconds, long brokerCpuNanos, long brokerWakeups, long jvmCpuNanos, long brokerReads,
            long brokerWrites, long jvmWrites) {
        Cost plus(Cost o) {
            return new Cost(msgs + o.msgs, seconds + o.seconds, brokerCpuNanos + o.brokerCpuNanos,
                    brokerWakeups + o.brokerWakeups, jvmCpuNanos + o.jvmCpuNanos, brokerReads + o.brokerReads,
                    brokerWrites + o.brokerWrites, jvmWrites + o.jvmWrites);
        }

        double jvmWritesPerMsg() {
            return (double) jvmWrites / msgs;
        }

        double brokerReadsPerMsg() {
            return (double) brokerReads / msgs;
        }

        double brokerWritesPerMsg() {
            return (double) brokerWrites / msgs;
        }

        double brokerCorePercent() {
            return brokerCpuNanos / 1e7 / seconds;
        }

        double brokerMicrosPerMsg() {
            return brokerCpuNanos / 1e3 / msgs;
        }

        double brokerWakeupsPerMsg() {
            return (double) brokerWakeups / msgs;
        }

        double jvmMicrosPerMsg() {
            return jvmCpuNanos / 1e3 / msgs;
        }
    }

    /** The broker's CPU ns and voluntary context switches, this JVM's CPU ns, the broker's reads and writes, now. */
    static long[] snapshot(long brokerPid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + brokerPid + "/stat"));
        // fields after the command's closing parenthesis: state is field 3, utime 14, stime 15
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        long wakeups = Files.readAllLines(Path.of("/proc/" + brokerPid + "/status")).stream()
                .filter(l -> l.startsWith("voluntary_ctxt_switches:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElseThrow();
        long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        long[] io = ioCalls(String.valueOf(brokerPid));
        return new long[] {ticks * 1_000_000_000L / CLK_TCK, wakeups, jvm, io[0], io[1], ioCalls("self")[1]};
    }

    /** Read and write system calls of a process so far ({@code syscr}, {@code syscw} of /proc/PID/io). */
    private static long[] ioCalls(String pid) throws IOException {
        long[] io = new long[2];
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
            if (l.startsWith("syscr:")) {
                io[0] = Long.parseLong(l.substring(6).trim());
            } else if (l.startsWith("syscw:")) {
                io[1] = Long.parseLong(l.substring(6).trim());
            }
        }
        return io;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the clock ticks per second (getconf CLK_TCK): " + e, e);
        }
    }

    static Cost throughput(Client c, int qos, int size, long brokerPid) throws Exception {
        byte[] payload = new byte[size];
        Semaphore window = new Semaphore(qos == 0 ? 1000 : 20);
        AtomicLong done = new AtomicLong();
        long warmEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
        long startCount = -1;
        long startTime = 0;
        long[] before = null;
        while (true) {
            long now = System.nanoTime();
            if (startCount < 0 && now >= warmEnd) {
                startCount = done.get();
                startTime = now;
                before = snapshot(brokerPid);
            }
            if (now >= end) {
                break;
            }
            if (!window.tryAcquire(1, 100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            c.publish("bench/tp", payload, qos, () -> {
                done.incrementAndGet();
                window.release();
            });
        }
        long[] after = snapshot(brokerPid);
        Cost cost = new Cost(done.get() - startCount, (System.nanoTime() - startTime) / 1e9, after[0] - before[0],
                after[1] - before[1], after[2] - before[2], after[3] - before[3], after[4] - before[4],
                after[5] - before[5]);
        window.tryAcquire(qos == 0 ? 1000 : 20, 30, TimeUnit.SECONDS); // drain
        return cost;
    }

    static long[] latency(Client c) throws Exception {
        ConcurrentLinkedQueue<Long> samples = new ConcurrentLinkedQueue<>();
        c.subscribe("bench/lat", p -> samples.add(System.nanoTime() - ByteBuffer.wrap(p).getLong()));
        Thread.sleep(200);
        int n = 1000 * seconds;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long due = start + i * 1_000_000L;
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            byte[] payload = ByteBuffer.allocate(64).putLong(System.nanoTime()).array();
            c.publish("bench/lat", payload, 1, () -> { });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (samples.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long[] all = samples.stream().mapToLong(Long::longValue).toArray();
        // the first 10 % are warm-up
        long[] kept = Arrays.copyOfRange(all, all.length / 10, all.length);
        Arrays.sort(kept);
        return kept;
    }

    static Client open(String name, int port, MinaSocketEngine.OwnedSocketService sockets, String id) throws Exception {
        return switch (name) {
            case "rawsockets" -> {
                MqttClientImpl c = new MqttClientImpl(MqttSettings.builder(id).host("127.0.0.1", port).cleanStart(true)
                        .sessionExpirySeconds(0).build(), sockets);
                c.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
                List<MqttSubscription> subs = new ArrayList<>();
                yield new Client() {
                    @Override
                    public void publish(String topic, byte[] payload, int qos, Runnable done) {
                        c.publish(MqttMessage.of(topic, payload, Qos.of(qos))).whenComplete((v, e) -> done.run());
                    }

                    @Override
                    public void subscribe(String filter, Consumer<byte[]> onMessage) throws Exception {
                        MqttSubscription s = c.subscribe(filter, SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 1024)
                                .toCompletableFuture().get(10, TimeUnit.SECONDS);
                        subs.add(s);
                        pump(s, onMessage);
                    }

                    private void pump(MqttSubscription s, Consumer<byte[]> onMessage) {
                        s.read().whenComplete((ReadResult<MqttMessage> r, Throwable e) -> {
                            if (e == null && !r.done()) {
                                onMessage.accept(r.value().payload());
                                pump(s, onMessage);
                            }
                        });
                    }

                    @Override
                    public void close() {
                        c.close();
                    }
                };
            }
            case "hivemq" -> {
                Mqtt5AsyncClient c = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5().identifier(id)
                        .serverHost("127.0.0.1").serverPort(port).buildAsync();
                c.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
                yield new Client() {
                    @Override
                    public void publish(String topic, byte[] payload, int qos, Runnable done) {
                        c.publishWith().topic(topic).qos(MqttQos.fromCode(qos)).payload(payload).send()
                                .whenComplete((v, e) -> done.run());
                    }

                    @Override
                    public void subscribe(String filter, Consumer<byte[]> onMessage) throws Exception {
                        c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE)
                                .callback(p -> onMessage.accept(p.getPayloadAsBytes())).send().get(10, TimeUnit.SECONDS);
                    }

                    @Override
                    public void close() throws Exception {
                        c.disconnect().get(10, TimeUnit.SECONDS);
                    }
                };
            }
            default -> {
                MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
                MqttConnectOptions o = new MqttConnectOptions();
                o.setCleanSession(true);
                o.setMaxInflight(1000);
                c.connect(o).waitForCompletion(10_000);
                yield new Client() {
                    @Override
                    public void publish(String topic, byte[] payload, int qos, Runnable done) throws Exception {
                        c.publish(topic, payload, qos, false, null, new IMqttActionListener() {
                            @Override
                            public void onSuccess(IMqttToken t) {
                                done.run();
                            }

                            @Override
                            public void onFailure(IMqttToken t, Throwable e) {
                                done.run();
                            }
                        });
                    }

                    @Override
                    public void subscribe(String filter, Consumer<byte[]> onMessage) throws Exception {
                        c.setCallback(new MqttCallback() {
                            @Override
                            public void connectionLost(Throwable cause) {
                            }

                            @Override
                            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                                onMessage.accept(m.getPayload());
                            }

                            @Override
                            public void deliveryComplete(IMqttDeliveryToken token) {
                            }
                        });
                        c.subscribe(filter, 1).waitForCompletion(10_000);
                    }

                    @Override
                    public void close() throws Exception {
                        c.disconnect().waitForCompletion(10_000);
                        c.close();
                    }
                };
            }
        };
    }

}
