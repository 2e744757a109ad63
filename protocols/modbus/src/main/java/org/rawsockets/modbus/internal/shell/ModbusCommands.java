package org.rawsockets.modbus.internal.shell;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.rawsockets.modbus.Bits;
import org.rawsockets.modbus.DeviceIdCategory;
import org.rawsockets.modbus.DeviceIdentification;
import org.rawsockets.modbus.ModbusClient;
import org.rawsockets.modbus.ModbusClientStatus;
import org.rawsockets.modbus.ModbusException;
import org.rawsockets.modbus.Registers;
import org.rawsockets.modbus.WordOrder;
import org.rawsockets.modbus.internal.DeviceConfig;
import org.rawsockets.modbus.internal.ModbusDeviceComponent;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.Table;
import org.rawsockets.modbus.internal.shell.Values.Format;
import org.rawsockets.modbus.internal.shell.Values.TableKind;

/**
 * Gogo commands of scope {@code modbus}: {@code devices}, {@code read}, {@code write},
 * {@code ident}, {@code poll}. Results are returned as aligned text; failures throw an exception
 * whose message is one line naming device, request and cause (so {@code gateway -c} exits non-zero).
 */
@Component(service = ModbusCommands.class, property = { "osgi.command.scope=modbus",
        "osgi.command.function=devices", "osgi.command.function=read", "osgi.command.function=write",
        "osgi.command.function=ident", "osgi.command.function=poll" })
public final class ModbusCommands {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    /** Added to a device's own request timeout when the shell waits for an answer. */
    private static final long WAIT_SLACK_MS = 5_000;
    private static final long MAX_POLLS = 1_000_000;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<ModbusClient> devices = new CopyOnWriteArrayList<>();
    private final ConfigRegistry registry;

    public ModbusCommands() {
        this.registry = ModbusDeviceComponent.REGISTRY;
    }

    /** For tests: a fixed set of devices. */
    ModbusCommands(List<ModbusClient> devices) {
        this(devices, new ConfigRegistry(DeviceConfig.PID, "Modbus device"));
    }

    /** For tests: a fixed set of devices and the registry of their configurations. */
    ModbusCommands(List<ModbusClient> devices, ConfigRegistry registry) {
        this.devices.addAll(devices);
        this.registry = registry;
    }

    @Descriptor("list the configured Modbus devices: name, target, state, in flight, queued, counters, last error")
    public String devices() {
        List<ModbusClient> list = new ArrayList<>(devices);
        list.sort(Comparator.comparing(ModbusClient::name));
        StringBuilder rejected = new StringBuilder();
        List<ConfigRegistry.Rejection> rejections = registry.rejections();
        if (!rejections.isEmpty()) {
            rejected.append("rejected configurations (see the log):\n");
            rejections.forEach(r -> rejected.append("  ").append(r.describe()).append('\n'));
        }
        if (list.isEmpty()) {
            return "no Modbus devices configured (add a factory configuration " + "org.rawsockets.modbus.device)\n"
                    + rejected;
        }
        Table t = new Table("name", "target", "unit", "state", ">inflight", ">queued", ">completed", ">failed",
                ">timeouts", "last error");
        for (ModbusClient c : list) {
            ModbusClientStatus s = c.status();
            t.row(s.name(), s.target(), c.defaultUnitId(), s.state().name().toLowerCase(Locale.ROOT), s.inFlight(),
                    s.queued(), s.completed(), s.failed(), s.timeouts(), s.error().orElse("-"));
        }
        return t.toString() + rejected;
    }

    @Descriptor("read coils, discrete inputs, holding or input registers")
    public String read(
            @Descriptor("unit id (default: the device's)") @Parameter(names = { "-u", "--unit" }, absentValue = "-1") int unit,
            @Descriptor("register format: int16 uint16 int32 uint32 float32 hex bits") @Parameter(names = { "-f",
                    "--format" }, absentValue = "uint16") String format,
            @Descriptor("word order of 32-bit values: high (ABCD) or low (CDAB)") @Parameter(names = { "-o",
                    "--order" }, absentValue = "high") String order,
            @Descriptor("device name (see modbus:devices)") String device,
            @Descriptor("coils | discrete | holding | input") String table,
            @Descriptor("first address, 0-based (0..65535)") int address,
            @Descriptor("number of values (32-bit formats use 2 registers each)") int count) throws Exception {
        ModbusClient c = device(device);
        int u = unit < 0 ? c.defaultUnitId() : unit;
        TableKind kind = TableKind.parse(table);
        Format f = Format.parse(format);
        WordOrder wo = Values.order(order);
        return read(c, u, kind, f, wo, address, count).toString();
    }

    private Table read(ModbusClient c, int u, TableKind kind, Format f, WordOrder wo, int address, int count)
            throws Exception {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        return switch (kind) {
            case COILS -> Values.bits(address, await(c.readCoils(u, address, count)));
            case DISCRETE -> Values.bits(address, await(c.readDiscreteInputs(u, address, count)));
            case HOLDING -> Values.registers(address, await(c.readHoldingRegisters(u, address, count * f.registers)), f,
                    wo);
            case INPUT -> Values.registers(address, await(c.readInputRegisters(u, address, count * f.registers)), f,
                    wo);
        };
    }

    @Descriptor("write coils or holding registers (one value: function 5/6; several: 15/16)")
    public String write(
            @Descriptor("unit id (default: the device's)") @Parameter(names = { "-u", "--unit" }, absentValue = "-1") int unit,
            @Descriptor("value format: int16 uint16 int32 uint32 float32 hex bits") @Parameter(names = { "-f",
                    "--format" }, absentValue = "int16") String format,
            @Descriptor("word order of 32-bit values: high (ABCD) or low (CDAB)") @Parameter(names = { "-o",
                    "--order" }, absentValue = "high") String order,
            @Descriptor("device name (see modbus:devices)") String device,
            @Descriptor("coils | holding") String table,
            @Descriptor("first address, 0-based") int address,
            @Descriptor("values: 1/0/on/off for coils, numbers in the format for registers") String... values)
            throws Exception {
        ModbusClient c = device(device);
        int u = unit < 0 ? c.defaultUnitId() : unit;
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("give at least one value to write");
        }
        TableKind kind = TableKind.parse(table);
        switch (kind) {
            case COILS -> {
                boolean[] b = new boolean[values.length];
                for (int i = 0; i < b.length; i++) {
                    b[i] = Values.bit(values[i]);
                }
                await(b.length == 1 ? c.writeSingleCoil(u, address, b[0])
                        : c.writeMultipleCoils(u, address, Bits.of(b)));
                return "wrote " + b.length + " coil" + (b.length == 1 ? "" : "s") + " at " + address + " on "
                        + c.name() + " unit " + u + "\n";
            }
            case HOLDING -> {
                Registers r = Values.parseRegisters(List.of(values), Format.parse(format), Values.order(order));
                await(r.size() == 1 ? c.writeSingleRegister(u, address, r.uint16(0))
                        : c.writeMultipleRegisters(u, address, r));
                return "wrote " + r.size() + " register" + (r.size() == 1 ? "" : "s") + " at " + address + " on "
                        + c.name() + " unit " + u + "\n";
            }
            default -> throw new IllegalArgumentException(kind.name().toLowerCase(Locale.ROOT)
                    + " is read-only: write to coils or holding");
        }
    }

    @Descriptor("read the device identification (function 43/14): vendor, product code, revision, ...")
    public String ident(
            @Descriptor("unit id (default: the device's)") @Parameter(names = { "-u", "--unit" }, absentValue = "-1") int unit,
            @Descriptor("basic | regular | extended") @Parameter(names = { "-c", "--category" }, absentValue = "basic") String category,
            @Descriptor("device name (see modbus:devices)") String device) throws Exception {
        ModbusClient c = device(device);
        int u = unit < 0 ? c.defaultUnitId() : unit;
        DeviceIdCategory cat;
        try {
            cat = DeviceIdCategory.valueOf(category.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("category must be basic, regular or extended, was '" + category + "'");
        }
        DeviceIdentification id = await(c.readDeviceIdentification(u, cat));
        Table t = new Table("object", ">id", "value");
        for (Map.Entry<Integer, byte[]> o : id.objects().entrySet()) {
            t.row(DeviceIdentification.objectName(o.getKey()), String.format("0x%02X", o.getKey()),
                    id.text(o.getKey()).orElse(""));
        }
        return t + "conformity level 0x" + String.format("%02X", id.conformityLevel()) + "\n";
    }

    @Descriptor("poll values at an interval and print one line per poll, until interrupted (Ctrl-C) or -n polls")
    public String poll(
            @Descriptor("unit id (default: the device's)") @Parameter(names = { "-u", "--unit" }, absentValue = "-1") int unit,
            @Descriptor("register format: int16 uint16 int32 uint32 float32 hex bits") @Parameter(names = { "-f",
                    "--format" }, absentValue = "uint16") String format,
            @Descriptor("word order of 32-bit values: high (ABCD) or low (CDAB)") @Parameter(names = { "-o",
                    "--order" }, absentValue = "high") String order,
            @Descriptor("interval in milliseconds (>= 10)") @Parameter(names = { "-i", "--interval" }, absentValue = "1000") long interval,
            @Descriptor("number of polls, 0 = until interrupted") @Parameter(names = { "-n", "--count" }, absentValue = "0") long polls,
            @Descriptor("device name (see modbus:devices)") String device,
            @Descriptor("coils | discrete | holding | input") String table,
            @Descriptor("first address, 0-based") int address,
            @Descriptor("number of values") int count) throws Exception {
        ModbusClient c = device(device);
        int u = unit < 0 ? c.defaultUnitId() : unit;
        TableKind kind = TableKind.parse(table);
        Format f = Format.parse(format);
        WordOrder wo = Values.order(order);
        if (interval < 10) {
            throw new IllegalArgumentException("interval must be at least 10 ms, was " + interval);
        }
        if (polls < 0 || polls > MAX_POLLS) {
            throw new IllegalArgumentException("count (-n) must be 0..1000000, was " + polls);
        }
        if (count < 1 || count > 125) {
            throw new IllegalArgumentException("number of values must be 1..125 for poll, was " + count);
        }
        PrintStream out = System.out;
        int step = kind.bits() ? 1 : f.registers;
        StringBuilder header = new StringBuilder(String.format("%-12s", "time"));
        int width = kind.bits() ? 5 : switch (f) {
            case BITS -> 19;
            case FLOAT32 -> 14;
            case INT32, UINT32 -> 11;
            default -> 7;
        };
        for (int i = 0; i < count; i++) {
            header.append(' ').append(String.format("%" + width + "d", address + i * step));
        }
        out.println(header.toString().stripTrailing());
        long done = 0;
        long failures = 0;
        long limit = polls == 0 ? MAX_POLLS : polls;
        String lastError = null;
        while (done < limit) {
            long started = System.nanoTime();
            StringBuilder line = new StringBuilder(String.format("%-12s", LocalTime.now().format(TIME)));
            try {
                if (kind.bits()) {
                    Bits b = await(kind == TableKind.COILS ? c.readCoils(u, address, count)
                            : c.readDiscreteInputs(u, address, count));
                    for (int i = 0; i < b.size(); i++) {
                        line.append(' ').append(String.format("%" + width + "s", b.get(i) ? "1" : "0"));
                    }
                } else {
                    Registers r = await(kind == TableKind.HOLDING ? c.readHoldingRegisters(u, address, count * step)
                            : c.readInputRegisters(u, address, count * step));
                    for (int i = 0; i < count; i++) {
                        line.append(' ').append(String.format("%" + width + "s", Values.format(r, i * step, f, wo)));
                    }
                }
            } catch (ModbusException e) {
                failures++;
                lastError = e.getMessage();
                line.append(" error: ").append(e.getMessage());
            }
            out.println(line.toString().stripTrailing());
            out.flush();
            done++;
            if (done >= limit) {
                break;
            }
            long sleep = interval - (System.nanoTime() - started) / 1_000_000;
            try {
                if (sleep > 0) {
                    Thread.sleep(sleep);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (polls > 0 && failures > 0) {
            throw new ModbusException(failures + " of " + done + " polls failed; last: " + lastError);
        }
        return done + " polls, " + failures + " failed\n";
    }

    // ---- helpers ----------------------------------------------------------------------------

    private ModbusClient device(String name) {
        for (ModbusClient c : devices) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        String known = devices.stream().map(ModbusClient::name).sorted().collect(Collectors.joining(", "));
        String configured = "configured: " + (known.isEmpty() ? "none" : known);
        throw new IllegalArgumentException(registry.rejection(name)
                .map(r -> "no Modbus device '" + name + "': its " + r.describe() + " (" + configured + ")")
                .orElse("no Modbus device '" + name + "'; " + (known.isEmpty()
                        ? "configured: none (add a factory configuration org.rawsockets.modbus.device)" : configured)));
    }

    /**
     * Waits for a result; rethrows the Modbus failure itself so the shell prints its one-line message.
     * Giving up (or being interrupted, Ctrl-C) cancels the request: it leaves the queue or frees its slot.
     */
    private static <T> T await(CompletionStage<T> stage) throws Exception {
        CompletableFuture<T> f = stage.toCompletableFuture();
        try {
            return f.get(WAIT_SLACK_MS + 60_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new ModbusException("no result within " + (WAIT_SLACK_MS + 60_000) / 1000 + " s; request cancelled");
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        }
    }
}
