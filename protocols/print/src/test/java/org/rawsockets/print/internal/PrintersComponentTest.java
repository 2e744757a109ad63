package org.rawsockets.print.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.PrinterState;
import org.rawsockets.print.PrinterStatus;
import org.rawsockets.print.UnsupportedPrintOperationException;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * The printers on the web console's Devices page, against CUPS's ippeveprinter: UNKNOWN until a status
 * query, then the printer-state it answered, then FAILED with the last known state once it is stopped.
 */
class PrintersComponentTest {

    private static Map<String, Object> config(String name, String uri) {
        Map<String, Object> m = new HashMap<>();
        m.put("service.pid", PrinterComponent.PID + "." + name);
        m.put("service.factoryPid", PrinterComponent.PID);
        m.put("name", name);
        m.put("uri", uri);
        m.put("connectTimeoutMillis", 30_000L);
        m.put("timeoutMillis", 60_000L);
        return m;
    }

    @Test
    void printersShowTheAnswerToTheLastStatusQuery() throws Exception {
        MinaSocketEngine engine = MinaSocketEngine.standalone();
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.print"));
        IppEvePrinter eve = IppEvePrinter.start();
        ConfigRegistry registry = new ConfigRegistry(PrinterComponent.PID, "printer");
        PrinterComponent office = null;
        PrinterComponent label = null;
        try {
            office = new PrinterComponent(sockets, config("office", eve.uri("ipp")), new SecretFiles(null), registry, pid -> {
            });
            // raw 9100 without PJL has no status at all (the query fails without I/O): it stays UNKNOWN
            label = new PrinterComponent(sockets, config("label", "socket://127.0.0.1:" + eve.port), new SecretFiles(null),
                    registry, pid -> {
                    });
            PrintersComponent provider = new PrintersComponent(List.of(office, label));
            assertEquals(List.of(new DeviceStatus("label", "socket", "socket://127.0.0.1:" + eve.port, "UNKNOWN", null, null),
                    new DeviceStatus("office", "ipp", eve.uri("ipp"), "UNKNOWN", null, null)), provider.devices());
            assertThrows(UnsupportedPrintOperationException.class, label::status);
            assertEquals("UNKNOWN", provider.devices().get(0).state());
            assertNull(provider.devices().get(0).lastError());

            PrinterStatus answer = office.status(); // IPP Get-Printer-Attributes
            DeviceStatus known = provider.devices().get(1);
            assertTrue(answer.state() == PrinterState.IDLE || answer.state() == PrinterState.PROCESSING, answer.describe());
            assertTrue(known.state().startsWith(answer.state().name()), known.toString());
            assertEquals(answer.state().name() + answer.describe().substring(answer.state().name().length()), known.state());
            assertNull(known.lastError());
            assertNotNull(known.lastChange());

            eve.close(); // the printer goes away: the next query fails, the last known state stays visible
            PrintException e = assertThrows(PrintException.class, office::status);
            DeviceStatus failed = provider.devices().get(1);
            assertEquals("FAILED (last known: " + known.state() + ")", failed.state());
            assertEquals(e.getMessage(), failed.lastError());
            assertTrue(failed.lastError().contains(String.valueOf(eve.port)), failed.lastError());
            assertEquals(eve.uri("ipp"), failed.endpoint());
        } finally {
            if (office != null) {
                office.deactivate();
            }
            if (label != null) {
                label.deactivate();
            }
            eve.close();
            sockets.close();
            engine.close();
        }
    }
}
