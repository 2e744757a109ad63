package org.rawsockets.ssh.internal.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which input mode {@code ssh:shell} picks: the attach channel's session hook first; the gateway
 * console's terminal switch only when the keyboard is the process's standard input (a
 * FileInputStream, as Gogo's console gives); line mode where the switch says the console is no
 * terminal. The stty side is exercised by SshShellProcessIT on a real pseudo-terminal.
 */
class ShellTerminalTest {

    @TempDir
    Path dir;

    private final Map<String, Object> variables = new HashMap<>();
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    private CommandSession session(InputStream keyboard) {
        return (CommandSession) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { CommandSession.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "getKeyboard" -> keyboard;
                    case "get" -> variables.get((String) args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private Function<String, String> consoleSwitch(String rawAnswer, String size) {
        return m -> {
            asked.add(m);
            return switch (m) {
                case "raw" -> rawAnswer;
                case "size" -> size;
                default -> m;
            };
        };
    }

    private PrintStream console() {
        return new PrintStream(screen, true, StandardCharsets.UTF_8);
    }

    @Test
    void theGatewayConsoleOnATerminalGoesRawWithItsSizeAndIsGivenBack() throws Exception {
        try (FileInputStream fd0 = new FileInputStream(Files.createFile(dir.resolve("stdin")).toFile())) {
            ShellTerminal t = ShellTerminal.of(session(fd0), "", "", "~", consoleSwitch("raw", "132x43"));
            assertEquals(132, t.columns());
            assertEquals(43, t.rows());
            ShellTerminal.Mode mode = t.enter(console());
            assertEquals("raw", mode.name());
            assertTrue(mode.poll(), "standard input is still polled (its read cannot be interrupted)");
            assertTrue(mode.remoteEcho());
            assertTrue(screen.toString(StandardCharsets.UTF_8).contains("132x43, raw mode"), screen.toString());
            t.leave();
            assertEquals(List.of("size", "raw", "off"), asked);
        }
    }

    @Test
    void aConsoleThatIsNoTerminalStaysInLineModeWithTheDefaultSize() throws Exception {
        try (FileInputStream fd0 = new FileInputStream(Files.createFile(dir.resolve("stdin")).toFile())) {
            ShellTerminal t = ShellTerminal.of(session(fd0), "", "", "~", consoleSwitch("line", null));
            assertEquals(80, t.columns());
            assertEquals(24, t.rows());
            ShellTerminal.Mode mode = t.enter(console());
            assertEquals("line", mode.name());
            assertTrue(mode.poll());
            assertFalse(mode.remoteEcho(), "the local terminal echoes the line");
            t.leave();
            assertEquals(List.of("size", "raw", "off"), asked);
        }
    }

    @Test
    void theConsoleSwitchIsNotUsedForOtherKeyboardsOrAttachedClients() throws Exception {
        ShellTerminal piped = ShellTerminal.of(session(new ByteArrayInputStream(new byte[0])), "", "", "~",
                consoleSwitch("raw", "132x43"));
        ShellTerminal.Mode mode = piped.enter(console());
        assertEquals("line", mode.name());
        assertFalse(mode.poll());
        piped.leave();
        List<String> client = new CopyOnWriteArrayList<>();
        variables.put(ShellTerminal.TERMINAL_HOOK, (Function<String, String>) m -> {
            client.add(m);
            return m;
        });
        try (FileInputStream fd0 = new FileInputStream(Files.createFile(dir.resolve("stdin")).toFile())) {
            ShellTerminal attached = ShellTerminal.of(session(fd0), "", "", "~", consoleSwitch("raw", "132x43"));
            assertEquals("raw", attached.enter(console()).name());
            attached.leave();
        }
        assertEquals(List.of(), asked, "the console switch was not asked");
        assertEquals(List.of("raw", "off"), client);
    }

    @Test
    void aSizeOptionWinsOverTheConsoleSize() throws Exception {
        try (FileInputStream fd0 = new FileInputStream(Files.createFile(dir.resolve("stdin")).toFile())) {
            ShellTerminal t = ShellTerminal.of(session(fd0), "", "100x30", "~", consoleSwitch("raw", "132x43"));
            assertEquals(100, t.columns());
            assertEquals(30, t.rows());
        }
    }

    @Test
    void aResizedConsoleWindowIsTheCurrentSizeUnlessASizeWasGiven() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> now = new java.util.concurrent.atomic.AtomicReference<>("132x43");
        Function<String, String> sw = m -> "size".equals(m) ? now.get() : "raw";
        try (FileInputStream fd0 = new FileInputStream(Files.createFile(dir.resolve("stdin")).toFile())) {
            ShellTerminal t = ShellTerminal.of(session(fd0), "", "", "~", sw);
            t.enter(console());
            assertArrayEquals(new int[] { 132, 43 }, t.currentSize());
            now.set("90x33");
            assertArrayEquals(new int[] { 90, 33 }, t.currentSize(), "the window was resized");
            now.set(null);
            assertNull(t.currentSize(), "the console cannot say: nothing to pass on");
            ShellTerminal fixed = ShellTerminal.of(session(fd0), "", "100x30", "~", sw);
            now.set("70x20");
            assertNull(fixed.currentSize(), "-s fixes the size");
        }
    }
}
