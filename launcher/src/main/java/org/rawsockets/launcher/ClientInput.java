package org.rawsockets.launcher;

import java.io.IOException;
import java.io.InputStream;

import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.NonBlockingInputStream;

/**
 * The client side of a command's input ({@link AttachInput} in the gateway): it tells the gateway
 * what it can offer before each command ({@link AttachProtocol#TERMINAL}), and while the command
 * asks ({@link AttachProtocol#MODE}) sends the keystrokes: {@code raw} puts the terminal in raw
 * mode (every key, Ctrl-C and Ctrl-D included, goes to the command; no local echo, no output
 * processing: JLine's raw mode without {@code ISIG} and {@code OPOST}, as ssh's) and reads it on a
 * thread of its own that polls every 100 ms and stops at {@code off} or at the command's status,
 * which give the terminal its modes back (while in raw mode a window resize sends the new size as a
 * {@link AttachProtocol#TERMINAL} frame); {@code line} (standard input is a pipe, {@code -c} only)
 * sends the pipe's bytes as they come and {@link AttachProtocol#INPUT_END} at its end.
 */
final class ClientInput {

    interface Sender {
        void send(byte type, byte[] payload) throws IOException;
    }

    private static final long POLL_MILLIS = 100;

    private final Sender sender;
    private final boolean pipe;
    private volatile Terminal terminal;
    private volatile boolean forwarding;
    private Thread rawReader;
    private Attributes saved;
    private Terminal.SignalHandler previousWinch;
    private Thread pipeReader;

    /** @param pipe standard input is not a terminal and may be sent to a command that asks ({@code -c}) */
    ClientInput(Sender sender, boolean pipe) {
        this.sender = sender;
        this.pipe = pipe;
    }

    /** The terminal to put in raw mode (the interactive session's, or one made for {@code -c} on a terminal). */
    void terminal(Terminal t) {
        this.terminal = t;
    }

    /** The {@link AttachProtocol#TERMINAL} payload, or {@code null} when there is no input to offer. */
    String describe() {
        Terminal t = terminal;
        if (t != null) {
            String type = t.getType() == null || t.getType().isBlank() || t.getType().startsWith("dumb")
                    ? System.getenv().getOrDefault("TERM", "xterm")
                    : t.getType();
            int cols = t.getWidth() > 0 ? t.getWidth() : 80;
            int rows = t.getHeight() > 0 ? t.getHeight() : 24;
            return type.replace(' ', '-') + " " + cols + " " + rows;
        }
        return pipe ? "pipe" : null;
    }

    /** A {@link AttachProtocol#MODE} frame from the gateway. */
    synchronized void mode(String mode) {
        ClientTrace.log("input mode " + mode);
        if (mode.equals("raw") && terminal != null && rawReader == null) {
            saved = terminal.enterRawMode();
            // as ssh does: no signals from keys (Ctrl-C, Ctrl-Z, Ctrl-\ go to the command as bytes) and no
            // output processing (the remote terminal already sends \r\n)
            Attributes raw = terminal.getAttributes();
            raw.setLocalFlag(Attributes.LocalFlag.ISIG, false);
            raw.setOutputFlag(Attributes.OutputFlag.OPOST, false);
            terminal.setAttributes(raw);
            // a resized window: the new size to the gateway (ssh:shell sends it on as window-change)
            previousWinch = terminal.handle(Terminal.Signal.WINCH, s -> resized());
            forwarding = true;
            rawReader = new Thread(this::readRaw, "gateway-client-input");
            rawReader.setDaemon(true);
            rawReader.start();
        } else if (mode.equals("line") && pipe) {
            forwarding = true;
            if (pipeReader == null) {
                pipeReader = new Thread(this::readPipe, "gateway-client-input");
                pipeReader.setDaemon(true);
                pipeReader.start();
            }
        } else if (mode.equals("off")) {
            stop();
        }
    }

    /** No more input (the command ended): the raw reader stops within its poll interval, the terminal gets its modes back. */
    synchronized void stop() {
        forwarding = false;
        Thread r = rawReader;
        rawReader = null;
        if (r != null) {
            try {
                r.join(5 * POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            terminal.handle(Terminal.Signal.WINCH, previousWinch);
            terminal.setAttributes(saved);
            terminal.flush();
        }
    }

    private void resized() {
        String now = describe();
        if (forwarding && now != null) {
            try {
                sender.send(AttachProtocol.TERMINAL, now.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException e) {
                ClientTrace.log("cannot send the new terminal size: " + e);
            }
        }
    }

    private void readRaw() {
        byte[] buf = new byte[4096];
        try {
            InputStream in = terminal.input();
            while (forwarding) {
                int n;
                if (in instanceof NonBlockingInputStream nb) {
                    n = nb.readBuffered(buf, POLL_MILLIS);
                } else if (in.available() > 0) {
                    n = in.read(buf, 0, Math.min(buf.length, in.available()));
                } else {
                    Thread.sleep(POLL_MILLIS / 10);
                    continue;
                }
                if (n == NonBlockingInputStream.EOF) {
                    sender.send(AttachProtocol.INPUT_END, new byte[0]);
                    return;
                }
                if (n > 0 && forwarding) {
                    sender.send(AttachProtocol.INPUT, java.util.Arrays.copyOf(buf, n));
                }
            }
        } catch (IOException | InterruptedException e) {
            ClientTrace.log("raw input ended: " + e);
        }
    }

    /** Standard input as it comes (one thread for the client's life: a blocking read cannot be stopped). */
    private void readPipe() {
        byte[] buf = new byte[16 * 1024];
        try {
            for (int n; (n = System.in.read(buf)) >= 0;) {
                if (forwarding && n > 0) {
                    sender.send(AttachProtocol.INPUT, java.util.Arrays.copyOf(buf, n));
                }
            }
            sender.send(AttachProtocol.INPUT_END, new byte[0]);
        } catch (IOException e) {
            ClientTrace.log("piped input ended: " + e);
        }
    }
}
