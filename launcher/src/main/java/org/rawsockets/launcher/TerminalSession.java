package org.rawsockets.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive {@code bin/gateway-client} session on a terminal: JLine line editing (arrows,
 * Ctrl-A/E, Ctrl-R search) and a history kept in the owner-only {@code data/client.history}.
 * Ctrl-C at the prompt clears the line; while a command runs it interrupts the command in the gateway.
 */
final class TerminalSession {

    private TerminalSession() {
    }

    static int run(Path home, AttachClient.Interrupts interrupts, PrintStream out, PrintStream err) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).nativeSignals(true)
                .signalHandler(Terminal.SignalHandler.SIG_IGN).build()) {
            // JLine owns SIGINT now: while a command runs (the terminal is not in raw mode) Ctrl-C
            // arrives here and interrupts the command in the gateway.
            terminal.handle(Terminal.Signal.INT, s -> interrupts.interruptCommand());
            if (terminal.getWidth() <= 0 || terminal.getHeight() <= 0) {
                // A terminal that reports no size (serial console, bare pty): JLine would squeeze the prompt.
                terminal.setSize(new org.jline.terminal.Size(80, 24));
            }
            interrupts.input().terminal(terminal); // raw keystrokes for a command that asks (ssh:shell)
            LineReaderBuilder b = LineReaderBuilder.builder().terminal(terminal).appName("gateway-client");
            Path history = home.resolve("data/client.history");
            if (Files.isDirectory(history.getParent()) && Files.isWritable(history.getParent())) {
                b.variable(LineReader.HISTORY_FILE, history);
            }
            LineReader reader = b.build();
            int last = Main.EXIT_OK;
            while (true) {
                String line;
                try {
                    line = reader.readLine("g! ");
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C at the prompt: a fresh line
                } catch (EndOfFileException e) {
                    ClientTrace.log("end of input (leaving)");
                    return last;
                }
                Integer done = interrupts.line(line, out, err);
                if (done == null) {
                    return last;
                }
                last = done;
            }
        }
    }
}
