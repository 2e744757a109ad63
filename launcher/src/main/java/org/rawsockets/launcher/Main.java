package org.rawsockets.launcher;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Entry point of the gateway ({@code bin/gateway}). Three modes:
 * <ul>
 * <li>interactive (default): a Gogo shell prompt on the terminal; {@code exit} or end of input stops;</li>
 * <li>{@code --headless}: no console; runs until SIGTERM/SIGINT, then stops the framework within
 * {@code gateway.stop.timeout.seconds} and exits 0;</li>
 * <li>{@code -c '<gogo commands>'}: starts, runs the commands, prints their output, stops; exit 1
 * when a command failed.</li>
 * </ul>
 * Exit codes: 0 ok, 1 a command failed, 2 the framework did not stop in time, 3 start-up failed,
 * 64 bad usage.
 */
public final class Main {

    static final int EXIT_OK = 0;
    static final int EXIT_COMMAND_FAILED = 1;
    static final int EXIT_STOP_TIMEOUT = 2;
    static final int EXIT_START_FAILED = 3;
    static final int EXIT_USAGE = 64;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        Gateway.exitNow(code);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("gateway: " + e.getMessage());
            err.println(Options.USAGE);
            return EXIT_USAGE;
        }
        if (options.help()) {
            out.println(Options.USAGE);
            return EXIT_OK;
        }
        Path home = options.home() != null ? options.home() : defaultHome();
        if (!Files.isDirectory(home.resolve("system"))) {
            err.println("gateway: " + home + " is not a gateway folder (no system/ with the bundles); run bin/gateway"
                    + " from the built distribution (launcher/target/gateway) or pass --home <dir>");
            return EXIT_USAGE;
        }
        Gateway gateway;
        try {
            gateway = Gateway.start(home, options.mode(), out, err);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // Our own checks: the message says what and where.
            err.println("gateway: start-up failed: " + e.getMessage());
            return EXIT_START_FAILED;
        } catch (Exception e) {
            err.println("gateway: start-up failed: " + e);
            return EXIT_START_FAILED;
        }
        switch (options.mode()) {
        case SCRIPT:
            int result = gateway.runScript(options.script());
            int stopped = gateway.stop();
            return stopped != EXIT_OK ? stopped : result;
        case HEADLESS:
        case INTERACTIVE:
        default:
            return gateway.awaitStop();
        }
    }

    /**
     * {@code -Dgateway.home} (set by bin/gateway), else the folder above the {@code lib/} this jar
     * is in ({@code java -jar lib/launcher.jar}), else the working directory.
     */
    static Path defaultHome() {
        String prop = System.getProperty("gateway.home");
        if (prop != null) {
            return Paths.get(prop).toAbsolutePath().normalize();
        }
        try {
            Path jar = Paths.get(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(jar) && jar.getParent() != null && jar.getParent().getFileName() != null
                    && jar.getParent().getFileName().toString().equals("lib") && jar.getParent().getParent() != null) {
                return jar.getParent().getParent().toAbsolutePath().normalize();
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // fall through to the working directory
        }
        return Paths.get(".").toAbsolutePath().normalize();
    }

    /** How the gateway runs. */
    enum Mode {
        INTERACTIVE, HEADLESS, SCRIPT
    }

    /** Parsed command line. */
    record Options(Mode mode, String script, Path home, boolean help) {

        static final String USAGE = String.join("\n",
                "usage: gateway [--home <dir>] [--headless | -c '<gogo commands>']",
                "  (no option)          interactive Gogo shell; type 'help'; 'exit 0' or Ctrl-D stops the gateway",
                "  --headless           no console; runs until SIGTERM/SIGINT, then stops cleanly (exit 0)",
                "  -c '<commands>'      start, run the Gogo commands (';' or newline separated), print",
                "                       their output, stop; exit 1 when a command failed",
                "  --home <dir>         the gateway folder (default: the one bin/gateway lives in)",
                "  -h, --help           this text",
                "to run commands in a gateway that is already running: bin/gateway-client [-c '<commands>']");

        static Options parse(String[] args) {
            Mode mode = Mode.INTERACTIVE;
            String script = null;
            Path home = null;
            boolean help = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                case "--headless":
                    if (mode == Mode.SCRIPT) {
                        throw new IllegalArgumentException("--headless and -c exclude each other");
                    }
                    mode = Mode.HEADLESS;
                    break;
                case "-c":
                    if (mode == Mode.HEADLESS) {
                        throw new IllegalArgumentException("--headless and -c exclude each other");
                    }
                    if (i + 1 >= args.length || args[i + 1].isBlank()) {
                        throw new IllegalArgumentException("-c needs the Gogo commands to run, e.g. -c 'lb; sockets:list'");
                    }
                    mode = Mode.SCRIPT;
                    script = args[++i];
                    break;
                case "--home":
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--home needs a folder");
                    }
                    home = Paths.get(args[++i]).toAbsolutePath().normalize();
                    break;
                case "-h":
                case "--help":
                    help = true;
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument '" + a + "'");
                }
            }
            return new Options(mode, script, home, help);
        }
    }
}
