package org.rawsockets.soak;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.rawsockets.coap.CoapResponse;
import org.rawsockets.coap.internal.CoapClientImpl;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcClients;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.irc.IrcSubscription;
import org.rawsockets.modbus.Registers;
import org.rawsockets.modbus.internal.ClientSettings;
import org.rawsockets.modbus.internal.ModbusClientImpl;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttSubscription;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.SubscriptionOptions;
import org.rawsockets.mqtt.internal.MqttClientImpl;
import org.rawsockets.mqtt.internal.MqttSettings;
import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.MessageSource;
import org.rawsockets.smtp.SendResult;
import org.rawsockets.smtp.SmtpClient;
import org.rawsockets.smtp.SmtpSession;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTlsMode;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;

/**
 * One connection's steady loop per kind: opened once, then one operation per period (its natural
 * one: an echo, a register read, a QoS 1 round trip through the broker, a mail, a PRIVMSG to
 * itself, a confirmable GET), every answer checked. A failed or wrong operation is counted by type
 * in its {@link Metrics.Kind} and the loop goes on with the next slot; the run fails at the end.
 */
final class Loops {

    private Loops() {
    }

    /** Thrown (and counted) when an answer came but is not the expected one. */
    static final class WrongValue extends AssertionError {
        private static final long serialVersionUID = 1L;

        WrongValue(String message) {
            super(message);
        }
    }

    /** The pacing shared by every loop: the period, the end of the run (set once all are open), a stop. */
    static final class Run {
        private final ScheduledExecutorService pace;
        private final long periodMicros;
        private final AtomicReference<String> stop;
        private volatile long endNanos;

        Run(ScheduledExecutorService pace, long periodMicros, AtomicReference<String> stop) {
            this.pace = pace;
            this.periodMicros = periodMicros;
            this.stop = stop;
        }

        ScheduledExecutorService pace() {
            return pace;
        }

        long periodMicros() {
            return periodMicros;
        }

        AtomicReference<String> stop() {
            return stop;
        }

        long endNanos() {
            return endNanos;
        }

        void endAt(long nanos) {
            endNanos = nanos;
        }
    }

    abstract static class Loop {
        final int id;
        final Metrics.Kind kind;
        final Run run;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        long seq;

        Loop(int id, Metrics.Kind kind, Run run) {
            this.id = id;
            this.kind = kind;
            this.run = run;
        }

        /** Connects (and whatever the protocol needs before its first operation). */
        abstract CompletionStage<?> open();

        /** Operation {@code n}; completes once its answer was checked. */
        abstract CompletionStage<?> exchange(long n);

        /** Closes the connection; completes when it is closed (as far as the client tells). */
        abstract CompletionStage<?> close();

        /** Starts at an offset within the period spread by {@code prime}; completes when the loop ended. */
        CompletableFuture<Void> start(long prime) {
            run.pace().schedule(this::next, (id * prime) % run.periodMicros(), TimeUnit.MICROSECONDS);
            return done;
        }

        private void next() {
            if (System.nanoTime() >= run.endNanos() || run.stop().get() != null) {
                done.complete(null);
                return;
            }
            long slot = System.nanoTime() + run.periodMicros() * 1000;
            long t0 = System.nanoTime();
            CompletionStage<?> op;
            try {
                op = exchange(++seq);
            } catch (RuntimeException | Error e) {
                op = CompletableFuture.failedFuture(e);
            }
            op.whenComplete((v, e) -> {
                if (e != null) {
                    kind.error(e);
                } else {
                    kind.done(t0);
                }
                run.pace().schedule(this::next, Math.max(0, slot - System.nanoTime()), TimeUnit.NANOSECONDS);
            });
        }
    }

    static final int RAW_SIZE = 512;

    static void fill(byte[] b, int id, long seq) {
        ByteBuffer.wrap(b).putInt(id).putLong(seq);
        for (int i = 12; i < b.length; i++) {
            b[i] = (byte) (id * 31 + seq * 17 + i);
        }
    }

    /** Raw TCP: 512 bytes out, exactly 512 back from the echo server, compared byte for byte. */
    static final class Tcp extends Loop {
        private final SocketService sockets;
        private final int port;
        private TcpSocket s;
        private final byte[] out = new byte[RAW_SIZE];
        private final ByteBuffer in = ByteBuffer.allocate(RAW_SIZE);

        Tcp(int id, Metrics.Kind kind, Run run, SocketService sockets, int port) {
            super(id, kind, run);
            this.sockets = sockets;
            this.port = port;
        }

        @Override
        CompletionStage<?> open() {
            s = sockets.openTcp("127.0.0.1", port, TcpSocketOptions.builder().noDelay(true).build());
            return s.opened();
        }

        @Override
        CompletionStage<?> exchange(long n) {
            fill(out, id, n);
            in.clear();
            return s.writable().write(ByteBuffer.wrap(out))
                    .thenCompose(v -> s.readable().readInto(in, RAW_SIZE, Duration.ofSeconds(30))).thenAccept(k -> {
                        if (k != RAW_SIZE || !Arrays.equals(in.array(), out)) {
                            throw new WrongValue("TCP socket " + id + " message " + n + ": the echo differs (" + k
                                    + " bytes)");
                        }
                    });
        }

        @Override
        CompletionStage<?> close() {
            return s == null ? CompletableFuture.completedFuture(null) : s.close();
        }
    }

    /** Raw connected UDP: a datagram without its echo within 2 s is counted as lost (not an error). */
    static final class Udp extends Loop {
        private final SocketService sockets;
        private final int port;
        private UdpSocket s;
        /** A read still pending from a datagram counted as lost: the next wait takes it over. */
        private volatile CompletableFuture<ReadResult<UdpMessage>> pending;

        Udp(int id, Metrics.Kind kind, Run run, SocketService sockets, int port) {
            super(id, kind, run);
            this.sockets = sockets;
            this.port = port;
        }

        @Override
        CompletionStage<?> open() {
            s = sockets.openUdp(UdpSocketOptions.connected("127.0.0.1", port));
            return s.opened();
        }

        @Override
        CompletionStage<?> exchange(long n) {
            byte[] out = new byte[RAW_SIZE];
            fill(out, 1_000_000 + id, n);
            return s.writable().write(UdpMessage.of(out)).thenCompose(v -> awaitEcho(out));
        }

        private CompletionStage<Void> awaitEcho(byte[] out) {
            CompletableFuture<ReadResult<UdpMessage>> r = pending != null ? pending : s.readable().read().toCompletableFuture();
            pending = null;
            return r.copy().completeOnTimeout(null, 2, TimeUnit.SECONDS).thenCompose(m -> {
                if (m == null) {
                    kind.lost.increment();
                    pending = r;
                    return CompletableFuture.completedFuture(null);
                }
                if (m.done()) {
                    return CompletableFuture.failedFuture(new IOException("UDP socket " + id + " ended"));
                }
                if (!Arrays.equals(m.value().bytes(), out)) {
                    return awaitEcho(out); // an echo that came after its time: skip it
                }
                return CompletableFuture.completedFuture(null);
            });
        }

        @Override
        CompletionStage<?> close() {
            return s == null ? CompletableFuture.completedFuture(null) : s.close();
        }
    }

    /** Modbus/TCP: read 10 holding registers at a moving address of j2mod's image (register i = 3i). */
    static final class Modbus extends Loop {
        private final ModbusClientImpl c;

        Modbus(int id, Metrics.Kind kind, Run run, SocketService sockets, int port) {
            super(id, kind, run);
            c = new ModbusClientImpl(ClientSettings.tcp("plc" + id, "127.0.0.1", port)
                    .withTimeout(Duration.ofSeconds(10)), sockets);
        }

        @Override
        CompletionStage<?> open() {
            return exchange(0);
        }

        @Override
        CompletionStage<?> exchange(long n) {
            int address = (int) ((id + n) % (J2modSlave.REGISTERS - 10));
            return c.readHoldingRegisters(J2modSlave.UNIT, address, 10).thenAccept((Registers r) -> {
                if (r.size() != 10) {
                    throw new WrongValue("Modbus " + id + ": " + r.size() + " registers instead of 10");
                }
                for (int i = 0; i < 10; i++) {
                    if (r.uint16(i) != J2modSlave.holding(address + i)) {
                        throw new WrongValue("Modbus " + id + ": register " + (address + i) + " = " + r.uint16(i)
                                + ", expected " + J2modSlave.holding(address + i));
                    }
                }
            });
        }

        @Override
        CompletionStage<?> close() {
            c.close();
            return CompletableFuture.completedFuture(null);
        }
    }

    /** MQTT: QoS 1 publish to its own topic, through Mosquitto back to its own QoS 1 subscription. */
    static final class Mqtt extends Loop {
        private final MqttClientImpl c;
        private final String topic;
        private MqttSubscription sub;

        Mqtt(int id, Metrics.Kind kind, Run run, SocketService sockets, int port) {
            super(id, kind, run);
            topic = "soak/" + id;
            c = new MqttClientImpl(MqttSettings.builder("soak-" + id).host("127.0.0.1", port).cleanStart(true)
                    .sessionExpirySeconds(0).build(), sockets);
        }

        @Override
        CompletionStage<?> open() {
            return c.connect().thenCompose(v -> c.subscribe(topic, SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 16))
                    .thenAccept(s -> sub = s);
        }

        @Override
        CompletionStage<?> exchange(long n) {
            byte[] payload = (id + ":" + n + ":" + "x".repeat(48)).getBytes(StandardCharsets.US_ASCII);
            return c.publish(MqttMessage.of(topic, payload, Qos.AT_LEAST_ONCE))
                    .thenCompose(v -> sub.read(Duration.ofSeconds(30))).thenAccept(r -> {
                        if (r.done()) {
                            throw new WrongValue("MQTT " + id + ": the subscription ended");
                        }
                        if (!Arrays.equals(r.value().payload(), payload) || !r.value().topic().equals(topic)) {
                            throw new WrongValue("MQTT " + id + " message " + n + ": got " + r.value());
                        }
                    });
        }

        @Override
        CompletionStage<?> close() {
            c.close();
            return CompletableFuture.completedFuture(null);
        }
    }

    /** SMTP: one held session per connection, a small mail per operation (250 and "Queued as" checked). */
    static final class Smtp extends Loop {
        private final SocketService sockets;
        private final int port;
        private SmtpSession session;

        Smtp(int id, Metrics.Kind kind, Run run, SocketService sockets, int port) {
            super(id, kind, run);
            this.sockets = sockets;
            this.port = port;
        }

        @Override
        CompletionStage<?> open() {
            SmtpSettings st = SmtpSettings.builder().host("127.0.0.1").port(port).tlsMode(SmtpTlsMode.OFF)
                    .commandTimeout(Duration.ofSeconds(30)).build();
            return SmtpClient.connect(sockets, st).thenAccept(s -> session = s);
        }

        @Override
        CompletionStage<?> exchange(long n) {
            String mail = "From: soak@example.org\r\nTo: rcpt" + id + "@example.org\r\nSubject: soak " + id + " " + n
                    + "\r\nMessage-ID: <soak-" + id + "-" + n + "@example.org>\r\n\r\nmessage " + n + " of connection "
                    + id + "\r\n" + "The quick brown fox jumps over the lazy dog.\r\n".repeat(4);
            return session.send(Envelope.of("soak@example.org", "rcpt" + id + "@example.org"),
                    MessageSource.of(mail.getBytes(StandardCharsets.US_ASCII))).thenAccept((SendResult r) -> {
                        if (r.messageReply().code() != 250 || !r.messageReply().text().contains("Queued as")
                                || r.accepted().size() != 1 || r.isPartial()) {
                            throw new WrongValue("SMTP " + id + " mail " + n + ": " + r);
                        }
                    });
        }

        @Override
        CompletionStage<?> close() {
            return session == null ? CompletableFuture.completedFuture(null) : session.close();
        }
    }

    /** IRC: a PRIVMSG to its own nick through ngIRCd, which delivers it back to the sender. */
    static final class Irc extends Loop {
        private final IrcClient c;
        private final String nick;
        private IrcSubscription sub;
        private volatile String expected;
        private volatile CompletableFuture<Void> echo;

        Irc(int id, Metrics.Kind kind, Run run, SocketService sockets, int port) {
            super(id, kind, run);
            nick = "soak" + id;
            c = IrcClients.create(sockets, IrcSettings.builder("soak" + id).server("127.0.0.1", port).tls(false)
                    .nick(nick).flood(20, Duration.ofMillis(100)).reconnect(false, Duration.ofSeconds(1),
                            Duration.ofSeconds(1)).build());
        }

        @Override
        CompletionStage<?> open() {
            sub = c.subscribe((client, m) -> {
                if (m.command().equals("PRIVMSG") && m.params().size() >= 2) {
                    CompletableFuture<Void> f = echo;
                    String want = expected;
                    if (f != null && want != null && m.trailing().equals(want) && nick.equalsIgnoreCase(m.nick())) {
                        f.complete(null);
                    } else if (f != null) {
                        f.completeExceptionally(new WrongValue("IRC " + id + ": unexpected " + m));
                    }
                }
            }, 64);
            return c.connect();
        }

        @Override
        CompletionStage<?> exchange(long n) {
            String text = "soak " + id + " " + n + " pump 3 pressure 412 kPa";
            CompletableFuture<Void> f = new CompletableFuture<>();
            expected = text;
            echo = f;
            c.privmsg(nick, text).whenComplete((v, e) -> {
                if (e != null) {
                    f.completeExceptionally(e);
                }
            });
            return f.orTimeout(30, TimeUnit.SECONDS);
        }

        @Override
        CompletionStage<?> close() {
            if (sub != null) {
                sub.close();
            }
            c.close();
            return CompletableFuture.completedFuture(null);
        }
    }

    /** CoAP: a confirmable GET of libcoap's "/" (2.05 and the same text as the first answer). */
    static final class Coap extends Loop {
        private final CoapClientImpl c;
        private final AtomicReference<String> index;

        Coap(int id, Metrics.Kind kind, Run run, SocketService sockets, int port, AtomicReference<String> index) {
            super(id, kind, run);
            this.index = index;
            c = CoapClientImpl.create(sockets, "coap" + id, "127.0.0.1", port);
        }

        @Override
        CompletionStage<?> open() {
            return exchange(0);
        }

        @Override
        CompletionStage<?> exchange(long n) {
            return c.get("/").toCompletableFuture().orTimeout(120, TimeUnit.SECONDS).thenAccept((CoapResponse r) -> {
                String text = r.text();
                index.compareAndSet(null, text);
                if (!r.code().equals("2.05") || !text.equals(index.get()) || !text.contains("libcoap")) {
                    throw new WrongValue("CoAP " + id + " GET " + n + ": " + r);
                }
            });
        }

        @Override
        CompletionStage<?> close() {
            c.close();
            return CompletableFuture.completedFuture(null);
        }
    }
}
