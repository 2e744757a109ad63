package org.rawsockets.bridge.internal;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.rawsockets.modbus.Bits;
import org.rawsockets.modbus.ModbusClient;
import org.rawsockets.modbus.Registers;
import org.rawsockets.mqtt.MqttClient;
import org.rawsockets.mqtt.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a Modbus block at a fixed interval and publishes it to MQTT as one JSON object:
 * {@code {"device":"plc1","table":"holding","unit":1,"address":0,"values":[1,2,3],"time":"..."}}.
 * One read at a time: a tick while the previous read or publication is still pending is skipped
 * (counted), so a slow device or broker never piles up work. The device and the broker are looked up
 * by name at each tick (they come and go as services); a missing one is counted and logged once.
 */
public final class ModbusMqttBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModbusMqttBridge.class);

    private final BridgeSettings s;
    private final Function<String, Optional<ModbusClient>> devices;
    private final Function<String, Optional<MqttClient>> brokers;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicBoolean busy = new AtomicBoolean();
    final AtomicLong published = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    private volatile String lastError;
    private ScheduledFuture<?> task;

    public ModbusMqttBridge(BridgeSettings settings, Function<String, Optional<ModbusClient>> devices,
            Function<String, Optional<MqttClient>> brokers) {
        this.s = settings;
        this.devices = devices;
        this.brokers = brokers;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "bridge-" + settings.name());
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    public synchronized ModbusMqttBridge start() {
        task = timer.scheduleAtFixedRate(this::tick, 0, s.interval().toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public String lastError() {
        return lastError;
    }

    private void tick() {
        if (!busy.compareAndSet(false, true)) {
            skipped.incrementAndGet();
            return;
        }
        try {
            ModbusClient device = devices.apply(s.device()).orElse(null);
            MqttClient broker = brokers.apply(s.broker()).orElse(null);
            if (device == null || broker == null) {
                fail(device == null ? "no Modbus device '" + s.device() + "'" : "no MQTT broker '" + s.broker() + "'");
                busy.set(false);
                return;
            }
            int unit = s.unitId() < 0 ? device.defaultUnitId() : s.unitId();
            read(device, unit).toCompletableFuture().thenCompose(values -> broker.publish(new MqttMessage(s.topic(),
                    json(unit, values).getBytes(java.nio.charset.StandardCharsets.UTF_8), s.qos(), s.retain(), null)))
                    .orTimeout(Math.max(30_000, s.interval().toMillis() * 10), TimeUnit.MILLISECONDS)
                    .whenComplete((v, e) -> {
                        if (e != null) {
                            Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                                    ? e.getCause() : e;
                            fail(c.getClass().getSimpleName() + ": " + c.getMessage());
                        } else {
                            published.incrementAndGet();
                            if (lastError != null) {
                                LOG.info("bridge '{}': publishing again", s.name());
                                lastError = null;
                            }
                        }
                        busy.set(false);
                    });
        } catch (RuntimeException e) {
            fail(e.toString());
            busy.set(false);
        }
    }

    private void fail(String why) {
        failed.incrementAndGet();
        String msg = "bridge '" + s.name() + "' (" + s.device() + " " + s.table() + " " + s.address() + "+" + s.count()
                + " -> " + s.broker() + " " + s.topic() + "): " + why;
        if (!msg.equals(lastError)) {
            LOG.warn(msg);
        }
        lastError = msg;
    }

    private CompletionStage<String> read(ModbusClient d, int unit) {
        return switch (s.table()) {
            case "holding" -> d.readHoldingRegisters(unit, s.address(), s.count()).thenApply(ModbusMqttBridge::values);
            case "input" -> d.readInputRegisters(unit, s.address(), s.count()).thenApply(ModbusMqttBridge::values);
            case "coils" -> d.readCoils(unit, s.address(), s.count()).thenApply(ModbusMqttBridge::values);
            case "discrete" -> d.readDiscreteInputs(unit, s.address(), s.count()).thenApply(ModbusMqttBridge::values);
            default -> CompletableFuture.failedFuture(new IllegalStateException(s.table()));
        };
    }

    static String values(Registers r) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < r.size(); i++) {
            b.append(i == 0 ? "" : ",").append(r.uint16(i));
        }
        return b.toString();
    }

    static String values(Bits bits) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < bits.size(); i++) {
            b.append(i == 0 ? "" : ",").append(bits.get(i));
        }
        return b.toString();
    }

    private String json(int unit, String values) {
        return "{\"device\":\"" + esc(s.device()) + "\",\"table\":\"" + s.table() + "\",\"unit\":" + unit
                + ",\"address\":" + s.address() + ",\"values\":[" + values + "],\"time\":\"" + Instant.now() + "\"}";
    }

    private static String esc(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel(false);
        }
        timer.shutdownNow();
    }
}
