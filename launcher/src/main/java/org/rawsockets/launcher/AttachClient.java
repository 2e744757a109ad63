package org.rawsockets.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code bin/gateway-client}: runs Gogo commands in the gateway running in this folder (see
 * {@link AttachServer} for the channel and who may open it).
 * <ul>
 * <li>{@code -c '<commands>'}: runs them statement by statement in the running gateway, streams
 * their output (stdout/stderr as the gateway writes it), exits with their status (0, 1 at the first
 * failing statement); Ctrl-C interrupts the command in the gateway and exits 130;</li>
 * <li>no option: an interactive session (one Gogo session: variables stay for the connection);
 * Ctrl-C interrupts the running command, {@code exit} or end of input leaves (the gateway keeps
 * running). On a terminal: line editing and history ({@link TerminalSession}).</li>
 * </ul>
 * Exit codes: 0 ok, 1 a command failed, 4 no gateway runs in this folder (or it went away), 5
 * refused (not the gateway's user, no token), 64 bad usage, 130 interrupted.
 */
public final class AttachClient {

    static final int EXIT_NO_GATEWAY = 4;
    static final int EXIT_REFUSED = 5;

    static final String USAGE = String.join("\n",
            "usage: gateway-client [--home <dir>] [-c '<gogo commands>']",
            "  runs Gogo commands in the gateway running in this folder (started with bin/gateway --headless",
            "  or bin/gateway); only the user that runs the gateway (or root) can attach",
            "  -c '<commands>'      run the commands (';' or newline separated), stream their output, exit",
            "                       with their status (1 at the first failing one); Ctrl-C interrupts them",
            "  (no option)          interactive session; 'exit' or Ctrl-D leaves (the gateway keeps running),",
            "                       Ctrl-C interrupts the running command; line editing on a terminal",
            "  --home <dir>         the gateway folder (default: the one bin/gateway-client lives in)",
            "  -h, --help           this text",
            "exit codes: 0 ok, 1 a command failed, 4 no gateway running, 5 refused, 64 usage, 130 interrupted");

    private AttachClient() {
    }

    public static void main(String[] args) {
        ClientTrace.traceShutdown();
        int code = run(args);
        System.out.flush();
        System.err.flush();
        ClientTrace.log("exit " + code);
        System.exit(code);
    }

    static int run(String[] args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        String script = null;
        Path home = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
            case "-c":
                if (i + 1 >= args.length || args[i + 1].isBlank()) {
                    err.println("gateway-client: -c needs the Gogo commands to run, e.g. -c 'lb; sockets:list'");
                    return Main.EXIT_USAGE;
                }
                script = args[++i];
                break;
            case "--home":
                if (i + 1 >= args.length) {
                    err.println("gateway-client: --home needs a folder");
                    return Main.EXIT_USAGE;
                }
                home = Paths.get(args[++i]).toAbsolutePath().normalize();
                break;
            case "-h":
            case "--help":
                out.println(USAGE);
                return Main.EXIT_OK;
            default:
                err.println("gateway-client: unknown argument '" + args[i] + "'");
                err.println(USAGE);
                return Main.EXIT_USAGE;
            }
        }
        if (home == null) {
            home = Main.defaultHome();
        }
        Path socket = AttachProtocol.socket(home);
        String notRunning = "gateway-client: no gateway is running in " + home;
        SocketChannel ch;
        try {
            // A gateway in a long folder path binds elsewhere and links data/gateway.sock to it.
            Path target = Files.isSymbolicLink(socket) ? Files.readSymbolicLink(socket) : socket;
            ch = SocketChannel.open(UnixDomainSocketAddress.of(target));
        } catch (AccessDeniedException e) {
            return refused(err, socket);
        } catch (IOException e) {
            if (isAccessDenied(e)) {
                return refused(err, socket);
            }
            if (!Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                err.println(notRunning + " (no " + AttachProtocol.SOCKET + "; start it with bin/gateway --headless)");
            } else {
                err.println(notRunning + " (" + socket + " is left from a gateway that did not stop cleanly: " + e.getMessage()
                        + ")");
            }
            return EXIT_NO_GATEWAY;
        }
        try (SocketChannel c = ch) {
            byte[] token;
            try {
                token = Files.readAllBytes(AttachProtocol.tokenFile(home));
            } catch (AccessDeniedException e) {
                return refused(err, AttachProtocol.tokenFile(home));
            } catch (NoSuchFileException e) {
                err.println("gateway-client: the gateway has no " + AttachProtocol.TOKEN_FILE + " (it is stopping?)");
                return EXIT_NO_GATEWAY;
            }
            AttachProtocol.write(c, AttachProtocol.TOKEN, token, 0, token.length);
            AttachProtocol.Frame answer = AttachProtocol.read(c);
            if (answer == null) {
                err.println("gateway-client: the gateway closed the connection (it is stopping?)");
                return EXIT_NO_GATEWAY;
            }
            if (answer.type() == AttachProtocol.REFUSED) {
                err.println("gateway-client: " + answer.text());
                return EXIT_REFUSED;
            }
            Interrupts interrupts = new Interrupts(c, script != null && System.console() == null);
            if (script != null) {
                if (System.console() != null) {
                    // a command may ask for raw keystrokes (ssh:shell): the terminal, made only now
                    // (JLine then owns SIGINT, as in the interactive session: Ctrl-C still interrupts the command)
                    try (org.jline.terminal.Terminal t = org.jline.terminal.TerminalBuilder.builder().system(true)
                            .nativeSignals(true).signalHandler(org.jline.terminal.Terminal.SignalHandler.SIG_IGN).build()) {
                        t.handle(org.jline.terminal.Terminal.Signal.INT, sig -> interrupts.interruptCommand());
                        interrupts.input().terminal(t);
                        return interrupts.command(script, out, err);
                    } finally {
                        interrupts.input().terminal(null);
                    }
                }
                return interrupts.command(script, out, err);
            }
            return interactive(home, interrupts, out, err);
        } catch (IOException e) {
            err.println("gateway-client: lost the connection to the gateway in " + home + ": " + e.getMessage());
            return EXIT_NO_GATEWAY;
        }
    }

    private static int interactive(Path home, Interrupts interrupts, PrintStream out, PrintStream err)
            throws IOException {
        out.println("Attached to the running gateway. 'exit' or Ctrl-D leaves (the gateway keeps running),"
                + " Ctrl-C interrupts a command.");
        if (System.console() != null) {
            return TerminalSession.run(home, interrupts, out, err);
        }
        // Not a terminal (a pipe, a file): plain lines, no prompt editing.
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int last = Main.EXIT_OK;
        while (true) {
            out.print("g! ");
            out.flush();
            String line = in.readLine();
            if (line == null) {
                out.println();
                return last;
            }
            Integer done = interrupts.line(line, out, err);
            if (done == null) {
                return last;
            }
            last = done;
        }
    }

    private static int refused(PrintStream err, Path what) {
        err.println("gateway-client: permission denied on " + what + ": it is owner-only; attach as the user that runs"
                + " the gateway");
        return EXIT_REFUSED;
    }

    private static boolean isAccessDenied(IOException e) {
        String m = e.getMessage();
        return m != null && m.contains("Permission denied");
    }

    /**
     * Runs one command and turns SIGINT (Ctrl-C) into an interrupt frame while it runs: the gateway
     * interrupts the command and answers with status 130. A second Ctrl-C, or no answer within 5 s,
     * leaves at once.
     */
    static final class Interrupts {
        private final SocketChannel ch;
        private final AtomicBoolean running = new AtomicBoolean();
        private final AtomicBoolean sent = new AtomicBoolean();
        private final ClientInput input;

        /** @param pipe standard input is a pipe that a command may read ({@code -c} only) */
        Interrupts(SocketChannel ch, boolean pipe) {
            this.ch = ch;
            this.input = new ClientInput(this::send, pipe);
            handleSigint();
        }

        /** The keystrokes a command may ask for. */
        ClientInput input() {
            return input;
        }

        /** One frame; the input thread, the SIGINT handler and the command loop all write. */
        private synchronized void send(byte type, byte[] payload) throws IOException {
            AttachProtocol.write(ch, type, payload, 0, payload.length);
        }

        private void handleSigint() {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> onInterrupt());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // no SIGINT handling here: Ctrl-C ends the client, and the gateway interrupts the
                // command when the connection closes
                ClientTrace.log("no SIGINT handler: " + e);
            }
        }

        private void onInterrupt() {
            ClientTrace.log("SIGINT: running=" + running.get() + " sent=" + sent.get());
            if (!running.get()) {
                System.out.println();
                System.out.print("g! ");
                System.out.flush();
                return;
            }
            if (!sent.compareAndSet(false, true)) {
                ClientTrace.log("second SIGINT during a command: halt 130");
                System.err.println("gateway-client: interrupted again: leaving");
                Runtime.getRuntime().halt(AttachProtocol.STATUS_INTERRUPTED);
            }
            try {
                send(AttachProtocol.INTERRUPT, new byte[0]);
            } catch (IOException e) {
                ClientTrace.log("cannot send the interrupt (" + e + "): halt 130");
                Runtime.getRuntime().halt(AttachProtocol.STATUS_INTERRUPTED);
            }
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException e) {
                    return;
                }
                if (running.get() && sent.get()) {
                    ClientTrace.log("interrupt not confirmed within 5 s: halt 130");
                    System.err.println("gateway-client: the gateway did not confirm the interrupt within 5 s: leaving");
                    Runtime.getRuntime().halt(AttachProtocol.STATUS_INTERRUPTED);
                }
            }, "gateway-client-interrupt");
            watchdog.setDaemon(true);
            watchdog.start();
        }

        /**
         * One line of the interactive session.
         *
         * @return its status; the previous one for a blank line; {@code null} to leave
         */
        Integer line(String line, PrintStream out, PrintStream err) throws IOException {
            String t = line.trim();
            if (t.equals("exit") || t.equals("quit") || t.equals("logout")) {
                ClientTrace.log("line: " + t + " (leaving)");
                return null;
            }
            return t.isEmpty() ? Main.EXIT_OK : command(line, out, err);
        }

        /** Ctrl-C while a command runs: ask the gateway to interrupt it (used by the terminal session too). */
        void interruptCommand() {
            onInterrupt();
        }

        int command(String script, PrintStream out, PrintStream err) throws IOException {
            sent.set(false);
            running.set(true);
            ClientTrace.log("command sent (" + script.length() + " chars)");
            try {
                String terminal = input.describe();
                if (terminal != null) {
                    send(AttachProtocol.TERMINAL, terminal.getBytes(StandardCharsets.UTF_8));
                }
                send(AttachProtocol.COMMAND, script.getBytes(StandardCharsets.UTF_8));
                while (true) {
                    AttachProtocol.Frame f = AttachProtocol.read(ch);
                    if (f == null) {
                        throw new IOException("the gateway closed the connection (it is stopping?)");
                    }
                    switch (f.type()) {
                    case AttachProtocol.OUT:
                        out.write(f.payload(), 0, f.payload().length);
                        out.flush();
                        break;
                    case AttachProtocol.ERR:
                        err.write(f.payload(), 0, f.payload().length);
                        err.flush();
                        break;
                    case AttachProtocol.MODE:
                        input.mode(f.text());
                        break;
                    case AttachProtocol.STATUS:
                        input.stop();
                        ClientTrace.log("command status " + f.status());
                        return f.status();
                    case AttachProtocol.REFUSED:
                        err.println("gateway-client: " + f.text());
                        return EXIT_REFUSED;
                    default:
                        throw new IOException("unexpected frame type '" + (char) f.type() + "' from the gateway");
                    }
                }
            } finally {
                input.stop();
                running.set(false);
            }
        }
    }
}
