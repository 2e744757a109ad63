package org.rawsockets.print.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rawsockets.print.Printer;
import org.rawsockets.print.internal.IppEvePrinter;
import org.rawsockets.print.internal.Peers;
import org.rawsockets.print.internal.PrinterComponent;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/** The DS component from configuration maps and the shell commands, against ippeveprinter. */
class PrintCommandsTest {

    static MinaSocketEngine engine;
    static MinaSocketEngine.OwnedSocketService sockets;
    static IppEvePrinter eve;
    /** The PIDs whose refused literal passwords the components asked to remove from the configuration store. */
    final List<String> removed = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.print"));
        eve = IppEvePrinter.start();
    }

    @AfterAll
    static void stop() {
        if (eve != null) {
            eve.close();
        }
        sockets.close();
        engine.close();
    }

    static Map<String, Object> config(String name, String uri) {
        Map<String, Object> m = new HashMap<>();
        m.put("service.pid", PrinterComponent.PID + "." + name);
        m.put("service.factoryPid", PrinterComponent.PID);
        m.put("name", name);
        m.put("uri", uri);
        return m;
    }

    @Test
    void sendFollowsTheJobToCompletedWithProgress() throws Exception {
        ConfigRegistry registry = new ConfigRegistry(PrinterComponent.PID, "printer");
        Map<String, Object> c = config("office", eve.uri("ipps"));
        Path ca = Files.writeString(eve.dir.resolve("ca.pem"), eve.certificatePem);
        c.put("caCertificatesPath", ca.toString());
        PrinterComponent p = new PrinterComponent(sockets, c, new SecretFiles(null), registry, removed::add);
        PrintCommands cmd = new PrintCommands(registry);
        cmd.addPrinter(p);
        String list = cmd.printers();
        assertTrue(list.contains("office") && list.contains("idle"), list);
        assertTrue(list.lines().findFirst().orElseThrow().matches("name +uri +state"), "a table with a header: " + list);
        assertTrue(cmd.attrs("office", "printer-name", "media-supported").contains("printer-name = rawsockets-test"));
        Path pdf = Files.write(eve.dir.resolve("letter.pdf"), Peers.pdf());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String result = cmd.send(new PrintStream(out, true, StandardCharsets.UTF_8), "office", pdf.toString(), 2,
                "na_letter_8.5x11in", "one-sided", "");
        String progress = out.toString(StandardCharsets.UTF_8);
        assertTrue(progress.contains("sent " + Files.size(pdf) + " of " + Files.size(pdf) + " bytes"), progress);
        assertTrue(result.contains("completed"), result);
        assertTrue(cmd.jobs("office").contains("no jobs") || !cmd.jobs("office").isEmpty());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> cmd.jobs("nosuch"));
        assertTrue(none.getMessage().contains("no printer 'nosuch'"), none.getMessage());
    }

    @Test
    void configurationRulesAndSecrets() throws Exception {
        ConfigRegistry registry = new ConfigRegistry(PrinterComponent.PID, "printer");
        Map<String, Object> literal = config("p1", eve.uri("ipp"));
        literal.put(".password", "hunter2");
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class,
                () -> new PrinterComponent(sockets, literal, new SecretFiles(null), registry, removed::add));
        assertTrue(e.getMessage().contains("literal secret") && !e.getMessage().contains("hunter2"), e.getMessage());
        assertEquals(List.of(PrinterComponent.PID + ".p1"), removed, "the refused literal is removed from the store");
        // given back by Config Admin with the marker in its place: the same refusal, nothing more to remove
        Map<String, Object> stored = config("p1", eve.uri("ipp"));
        stored.put(".password.refused", "removed");
        assertEquals(e.getMessage(), assertThrows(ConfigRejectedException.class,
                () -> new PrinterComponent(sockets, stored, new SecretFiles(null), registry, removed::add)).getMessage());
        assertEquals(1, removed.size());
        Map<String, Object> badUri = config("p2", "http://printer/");
        ConfigRejectedException u = assertThrows(ConfigRejectedException.class,
                () -> new PrinterComponent(sockets, badUri, new SecretFiles(null), registry, removed::add));
        assertTrue(u.getMessage().contains("unsupported scheme 'http'"), u.getMessage());
        Map<String, Object> statusWithoutPjl = config("p4", "socket://127.0.0.1:9100");
        statusWithoutPjl.put("pjlJobStatus", true);
        ConfigRejectedException j = assertThrows(ConfigRejectedException.class,
                () -> new PrinterComponent(sockets, statusWithoutPjl, new SecretFiles(null), registry, removed::add));
        assertTrue(j.getMessage().contains("pjlJobStatus") && j.getMessage().contains("pjl=true"), j.getMessage());
        Map<String, Object> reservedForIpp = config("p5", eve.uri("ipp"));
        reservedForIpp.put("lpdReservedPorts", true);
        ConfigRejectedException r = assertThrows(ConfigRejectedException.class,
                () -> new PrinterComponent(sockets, reservedForIpp, new SecretFiles(null), registry, removed::add));
        assertTrue(r.getMessage().contains("lpdReservedPorts") && r.getMessage().contains("only LPD"), r.getMessage());
        PrintCommands cmd = new PrintCommands(registry);
        assertTrue(cmd.printers().contains("REJECTED"), cmd.printers());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.job("p2", 1)).getMessage()
                .contains("rejected"));
        Path secrets = Files.createDirectories(eve.dir.resolve("secrets"));
        Files.writeString(secrets.resolve("p3"), "pw\n");
        Files.setPosixFilePermissions(secrets.resolve("p3"), PosixFilePermissions.fromString("rw-------"));
        Map<String, Object> ref = config("p3", eve.uri("ipp"));
        ref.put(".password", "secret:p3");
        ref.put("user", "alice");
        Printer p = new PrinterComponent(sockets, ref, new SecretFiles(secrets.toString()), registry, removed::add);
        assertEquals("p3", p.name());
        assertTrue(p.status().acceptingJobs(), "the password is only read when the printer asks");
        Map<String, Object> dup = config("p3", eve.uri("ipp"));
        dup.put("service.pid", PrinterComponent.PID + ".other");
        assertThrows(ConfigRejectedException.class, () -> new PrinterComponent(sockets, dup, new SecretFiles(null), registry, removed::add));
    }
}
