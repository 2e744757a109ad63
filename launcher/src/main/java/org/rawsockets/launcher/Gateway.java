package org.rawsockets.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;

/**
 * A running gateway: one Felix framework with the resolved bundles of {@code system/}, started by
 * start level, with a bounded stop from a shutdown hook (SIGTERM/SIGINT) or from the caller.
 */
final class Gateway {

    static final String SOCKET_SERVICE = "org.rawsockets.socket.SocketService";
    static final String GOGO_SHELL = "org.apache.felix.gogo.shell";

    /** SPI Fly reports every registration through java.util.logging at INFO: keep the console quiet. */
    private static final java.util.logging.Logger SPIFLY_JUL = java.util.logging.Logger.getLogger("org.apache.aries.spifly");

    /** Set once the process exits through {@link #exitNow(int)}: the shutdown hook then has nothing to do. */
    private static final AtomicBoolean EXITING = new AtomicBoolean();
    /** Set by the first SIGTERM/SIGINT/SIGHUP: its handler stops the framework and decides the exit code. */
    private static final AtomicBoolean SIGNALLED = new AtomicBoolean();

    private final Framework framework;
    private final Duration stopTimeout;
    private final PrintStream out;
    private final PrintStream err;
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** A {@code -c} script is running: a signal then means it did not finish. */
    private final AtomicBoolean scriptRunning = new AtomicBoolean();
    /** The operator channel of bin/gateway-client (headless and interactive modes); null when not open. */
    private volatile AttachServer attach;

    private Gateway(Framework framework, Duration stopTimeout, PrintStream out, PrintStream err) {
        this.framework = framework;
        this.stopTimeout = stopTimeout;
        this.out = out;
        this.err = err;
    }

    /** Exits the JVM with {@code code}, bypassing the stop in the shutdown hook (already done). */
    static void exitNow(int code) {
        if (SIGNALLED.get()) {
            // A signal is stopping the gateway: its handler exits with the right code when done.
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        EXITING.set(true);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    Framework framework() {
        return framework;
    }

    /**
     * Starts the framework and every bundle of {@code home/system}, waits until the beginning start
     * level is reached and the socket service is registered, and prints the one readiness line.
     */
    static Gateway start(Path home, Main.Mode mode, PrintStream out, PrintStream err) throws Exception {
        long t0 = System.nanoTime();
        SPIFLY_JUL.setLevel(java.util.logging.Level.WARNING);
        Properties config = loadConfig(home);
        Map<String, String> fwProps = new HashMap<>();
        for (String key : config.stringPropertyNames()) {
            if (!key.startsWith("gateway.")) {
                fwProps.put(key, config.getProperty(key));
            }
        }
        Path secrets = absolute(home, fwProps.getOrDefault(GatewayFolders.SECRETS_DIR_PROPERTY, "secrets"));
        fwProps.put(GatewayFolders.SECRETS_DIR_PROPERTY, secrets.toString());
        String cmDir = fwProps.get("felix.cm.dir");
        GatewayFolders.prepare(home, cmDir == null ? null : absolute(home, cmDir), secrets, err);
        List<StartLevelRule> rules = StartLevelRule.parse(config);
        int defaultLevel = (int) number(config, "gateway.startlevel.default", 3, 1, Integer.MAX_VALUE);
        Duration stopTimeout = Duration.ofSeconds(number(config, "gateway.stop.timeout.seconds", 15, 1, 86_400));
        Duration readyTimeout = Duration.ofSeconds(number(config, "gateway.ready.timeout.seconds", 10, 1, 86_400));
        Duration startTimeout = Duration.ofSeconds(number(config, "gateway.start.timeout.seconds", 60, 1, 86_400));
        int beginning = Math.max(defaultLevel, rules.stream().mapToInt(StartLevelRule::level).max().orElse(1));
        // The framework first stops at Config Admin's start level: configurations whose etc/ file is
        // gone are deleted there, before Declarative Services and FileInstall (higher levels) start.
        int cmLevel = StartLevelRule.levelOf(rules, StaleConfigurations.CONFIG_ADMIN_BSN, defaultLevel);
        for (String consumer : new String[] { "org.apache.felix.scr", "org.apache.felix.fileinstall" }) {
            if (StartLevelRule.levelOf(rules, consumer, defaultLevel) <= cmLevel) {
                throw new IllegalStateException("etc/gateway.properties: " + StaleConfigurations.CONFIG_ADMIN_BSN
                        + " (start level " + cmLevel + ") must start below " + consumer + " (start level "
                        + StartLevelRule.levelOf(rules, consumer, defaultLevel) + "), so that configurations whose etc/"
                        + " file was deleted are removed before any component sees them");
            }
        }
        fwProps.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, Integer.toString(cmLevel));
        fwProps.putIfAbsent("felix.log.level", "1");
        // Only the interactive mode reads the terminal; elsewhere Gogo must not stop the
        // framework when stdin closes.
        fwProps.put("gosh.args", mode == Main.Mode.INTERACTIVE ? "" : "--nointeractive");
        System.setProperty("gateway.home", home.toString());
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", home.resolve("etc/logback.xml").toString());
        }
        if (mode == Main.Mode.SCRIPT && System.getProperty("gateway.console.target") == null) {
            // stdout carries the commands' output only.
            System.setProperty("gateway.console.target", "System.err");
        }

        Iterator<FrameworkFactory> factories = ServiceLoader.load(FrameworkFactory.class, Gateway.class.getClassLoader())
                .iterator();
        if (!factories.hasNext()) {
            throw new IllegalStateException("no OSGi framework on the class path (lib/ must hold the Felix jar)");
        }
        // Felix prints its log on System.out (the commands' output in -c mode): to stderr instead.
        @SuppressWarnings({ "unchecked", "rawtypes" })
        Map<String, Object> withLogger = (Map) fwProps;
        withLogger.put("felix.log.logger", new FrameworkLog(err));
        Framework framework = factories.next().newFramework(fwProps);
        framework.init();
        long initMillis = (System.nanoTime() - t0) / 1_000_000;
        Gateway gateway = new Gateway(framework, stopTimeout, out, err);
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::onShutdown, "gateway-shutdown"));
        gateway.handleSignals();

        BundleContext ctx = framework.getBundleContext();
        if (mode == Main.Mode.INTERACTIVE) {
            ConsoleTerminal.register(ctx, err); // ssh:shell's raw mode in the console
        }
        List<Bundle> installed = new ArrayList<>();
        Bundle shell = null;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(home.resolve("system"), "*.jar")) {
            List<Path> sorted = new ArrayList<>();
            jars.forEach(sorted::add);
            sorted.sort(null);
            for (Path jar : sorted) {
                Bundle b = ctx.installBundle("reference:" + jar.toUri());
                installed.add(b);
                String bsn = b.getSymbolicName();
                b.adapt(BundleStartLevel.class).setStartLevel(StartLevelRule.levelOf(rules, bsn, defaultLevel));
                if (GOGO_SHELL.equals(bsn) && mode == Main.Mode.INTERACTIVE) {
                    shell = b; // started after the readiness line, so the prompt comes last
                } else if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    b.start();
                }
            }
        }

        long installMillis = (System.nanoTime() - t0) / 1_000_000;
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch levelReached = new CountDownLatch(1);
        FrameworkListener listener = event -> {
            if (event.getType() == FrameworkEvent.STARTED) {
                started.countDown();
            } else if (event.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
                levelReached.countDown();
            } else if (event.getType() == FrameworkEvent.ERROR) {
                Bundle b = event.getBundle();
                err.println("gateway: error in bundle " + (b == null ? "?" : b.getSymbolicName() + " [" + b.getBundleId() + "]")
                        + ": " + (event.getThrowable() == null ? "" : rootMessage(event.getThrowable())));
            }
        };
        ctx.addFrameworkListener(listener);
        ctx.addBundleListener(new JulBridge());
        StartupTrace trace = Boolean.getBoolean("gateway.trace.startup") ? new StartupTrace(ctx, t0) : null;
        framework.start();
        if (!started.await(startTimeout.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("the framework did not reach start level " + cmLevel + " within "
                    + startTimeout.toSeconds() + " s (gateway.start.timeout.seconds)");
        }
        if (!installed.stream().anyMatch(b -> StaleConfigurations.CONFIG_ADMIN_BSN.equals(b.getSymbolicName()))) {
            throw new IllegalStateException("system/ has no " + StaleConfigurations.CONFIG_ADMIN_BSN + " bundle");
        }
        if (!GatewayReadiness.awaitService(ctx, StaleConfigurations.CONFIG_ADMIN, readyTimeout)) {
            throw new IllegalStateException("no " + StaleConfigurations.CONFIG_ADMIN + " registered within "
                    + readyTimeout.toSeconds() + " s at start level " + cmLevel);
        }
        for (StaleConfigurations.Removed r : StaleConfigurations.remove(ctx,
                StaleConfigurations.watchedFolders(fwProps.get("felix.fileinstall.dir"), home))) {
            err.println("gateway: removed configuration " + r.pid() + ": its file " + r.file()
                    + " no longer exists (etc/ is the source of truth)");
        }
        if (beginning > cmLevel) {
            framework.adapt(FrameworkStartLevel.class).setStartLevel(beginning);
            if (!levelReached.await(startTimeout.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the framework did not reach start level " + beginning + " within "
                        + startTimeout.toSeconds() + " s (gateway.start.timeout.seconds)");
            }
        }
        ctx.removeFrameworkListener(listener);
        if (trace != null) {
            err.println("gateway: framework init done at " + initMillis + " ms, bundles installed at " + installMillis + " ms");
            trace.print(err);
            ctx.removeBundleListener(trace);
        }
        long frameworkMillis = (System.nanoTime() - t0) / 1_000_000;

        List<String> problems = new ArrayList<>();
        for (Bundle b : installed) {
            if (b == shell || b.getHeaders().get(Constants.FRAGMENT_HOST) != null || b.getState() == Bundle.ACTIVE) {
                continue;
            }
            String why;
            try {
                b.start();
                why = b.getState() == Bundle.ACTIVE ? null : "state " + b.getState();
            } catch (BundleException e) {
                why = rootMessage(e);
            }
            if (why != null) {
                problems.add(b.getSymbolicName() + " not active: " + why);
            }
        }
        long readyDeadline = System.nanoTime() + readyTimeout.toNanos();
        boolean socketService = GatewayReadiness.awaitService(ctx, SOCKET_SERVICE, readyTimeout);
        if (!socketService) {
            problems.add("no " + SOCKET_SERVICE + " registered within " + readyTimeout.toSeconds() + " s");
        }
        // Ready means deploy/ and etc/ are applied: -c scripts and tests see what the folders hold.
        List<String> pending = GatewayReadiness.awaitInitialScan(ctx, home, readyDeadline);
        if (!pending.isEmpty()) {
            problems.add("not applied yet from deploy/ and etc/: " + pending);
        } else if (!ConfigurationBarrier.await(ctx, readyDeadline)) {
            problems.add("Config Admin did not deliver the configurations of etc/ to the components within "
                    + readyTimeout.toSeconds() + " s");
        }
        if (mode != Main.Mode.SCRIPT) {
            try {
                gateway.attach = AttachServer.open(home, ctx, err);
            } catch (IOException | IllegalStateException e) {
                problems.add("bin/gateway-client cannot attach: " + e.getMessage());
            }
        }
        long readyMillis = (System.nanoTime() - t0) / 1_000_000;
        long sinceJvm = System.currentTimeMillis() - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        int active = 0;
        for (Bundle b : ctx.getBundles()) {
            if (b.getState() == Bundle.ACTIVE) {
                active++;
            }
        }
        if (shell != null) {
            active++; // the interactive shell starts right after this line, so that its prompt comes last
        }
        // The one readiness line. In -c mode it goes to stderr: stdout is the commands' output.
        PrintStream readyOut = mode == Main.Mode.SCRIPT ? err : out;
        for (String p : problems) {
            err.println("gateway: WARNING " + p);
        }
        readyOut.println((problems.isEmpty() ? "Raw Sockets gateway ready in " : "Raw Sockets gateway started WITH PROBLEMS in ")
                + sinceJvm + " ms (framework + bundles " + frameworkMillis + " ms, launcher total " + readyMillis + " ms): "
                + active + " bundles active, SocketService " + (socketService ? "up" : "MISSING")
                + ", watching deploy/ and etc/ in " + home
                + (mode == Main.Mode.HEADLESS ? " (headless: stop with SIGTERM" + (gateway.attach != null
                        ? "; run commands in it with bin/gateway-client)" : ")") : ""));
        readyOut.flush();
        if (shell != null) {
            shell.start();
        }
        return gateway;
    }

    /**
     * Runs Gogo commands through a {@code CommandProcessor} session and prints their result.
     *
     * @return {@link Main#EXIT_OK}, or {@link Main#EXIT_COMMAND_FAILED} when a command threw
     */
    int runScript(String script) {
        scriptRunning.set(true);
        try {
            return GatewayScript.run(framework.getBundleContext(), script, out, err);
        } finally {
            scriptRunning.set(false);
        }
    }

    /**
     * Splits a Gogo script into its top-level statements (see {@link GatewayScript#statements}).
     */
    static List<String> statements(String script) {
        return GatewayScript.statements(script);
    }

    /** Waits until the framework stops by itself (shell 'exit', 'stop 0', signal). */
    int awaitStop() {
        try {
            FrameworkEvent e = framework.waitForStop(0);
            closeAttach();
            stopped.set(true);
            if (e.getType() == FrameworkEvent.STOPPED_UPDATE || e.getType() == FrameworkEvent.STOPPED_SYSTEM_REFRESHED) {
                err.println("gateway: the framework asked for a restart; stopping instead (restart the process)");
            } else if (e.getType() == FrameworkEvent.ERROR) {
                err.println("gateway: the framework stopped with an error: " + e.getThrowable());
                return Main.EXIT_START_FAILED;
            }
            return Main.EXIT_OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return stop();
        }
    }

    /**
     * Stops the framework (components deactivated, sockets closed) and waits at most the configured
     * stop timeout.
     *
     * @return {@link Main#EXIT_OK}, or {@link Main#EXIT_STOP_TIMEOUT}
     */
    int stop() {
        long t0 = System.nanoTime();
        closeAttach();
        try {
            if (framework.getState() != Bundle.RESOLVED && framework.getState() != Bundle.INSTALLED
                    && framework.getState() != Bundle.UNINSTALLED) {
                framework.stop();
            }
            FrameworkEvent e = framework.waitForStop(stopTimeout.toMillis());
            if (e.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                err.println("gateway: the framework did not stop within " + stopTimeout.toSeconds()
                        + " s (gateway.stop.timeout.seconds); exiting anyway");
                return Main.EXIT_STOP_TIMEOUT;
            }
            stopped.set(true);
            err.println("gateway: stopped in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            return Main.EXIT_OK;
        } catch (BundleException e) {
            err.println("gateway: stopping the framework failed: " + e.getMessage());
            return Main.EXIT_STOP_TIMEOUT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_STOP_TIMEOUT;
        }
    }

    /**
     * SIGTERM, SIGINT and SIGHUP: stop the framework within the bound, then exit through
     * {@link System#exit} with 0 — a signalled JVM would otherwise report 143/130 although it stopped
     * cleanly — so that every other shutdown hook (logging, bundles) still runs to its end. A
     * {@code -c} script cut short by the signal did not finish: that exits
     * {@link Main#EXIT_COMMAND_FAILED}. A second signal while stopping is ignored (the stop is
     * bounded by {@code gateway.stop.timeout.seconds}).
     */
    private void onSignal(String name) {
        if (!SIGNALLED.compareAndSet(false, true)) {
            return;
        }
        boolean scriptCut = scriptRunning.get();
        Thread t = new Thread(() -> {
            int code = stopped.get() ? Main.EXIT_OK : stop();
            if (scriptCut) {
                err.println("gateway: interrupted (SIG" + name + ") before the -c commands finished");
                code = Main.EXIT_COMMAND_FAILED;
            }
            EXITING.set(true);
            System.out.flush();
            System.err.flush();
            System.exit(code);
        }, "gateway-signal");
        t.start();
    }

    /** Signal handlers where the JVM allows them; elsewhere the shutdown hook stops the framework. */
    private void handleSignals() {
        for (String name : new String[] { "TERM", "INT", "HUP" }) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> onSignal(name));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // not on this platform, or reserved (-Xrs): the shutdown hook covers it
            }
        }
    }

    /**
     * The shutdown hook, for exits that are not ours (a bundle calling System.exit, a signal without
     * a handler): stops the framework within the bound. It never halts, so other hooks finish too.
     */
    private void onShutdown() {
        if (EXITING.get() || SIGNALLED.get()) {
            return;
        }
        if (!stopped.get()) {
            stop();
        }
        System.out.flush();
        System.err.flush();
    }

    private void closeAttach() {
        AttachServer a = attach;
        attach = null;
        if (a != null) {
            a.close();
        }
    }

    private static Path absolute(Path home, String path) {
        Path p = Path.of(path);
        return (p.isAbsolute() ? p : home.resolve(p)).toAbsolutePath().normalize();
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + c + ")";
    }

    /**
     * A whole number from {@code etc/gateway.properties} (or its {@code -D} override).
     *
     * @throws IllegalArgumentException not a whole number in {@code [min, max]}: one line naming the key
     */
    static long number(Properties config, String key, long def, long min, long max) {
        String v = config.getProperty(key);
        if (v == null) {
            return def;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("etc/gateway.properties: " + key + "=" + v + " is not a whole number"
                    + " (default " + def + ")");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("etc/gateway.properties: " + key + "=" + v + " is out of range (" + min
                    + ".." + max + ", default " + def + ")");
        }
        return n;
    }

    /** Reads {@code etc/gateway.properties}, system properties override; expands {@code ${...}}. */
    static Properties loadConfig(Path home) throws IOException {
        Properties raw = new Properties();
        Path file = home.resolve("etc/gateway.properties");
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                raw.load(in);
            }
        }
        for (String key : raw.stringPropertyNames()) {
            String sys = System.getProperty(key);
            if (sys != null) {
                raw.setProperty(key, sys);
            }
        }
        Properties resolved = new Properties();
        for (String key : raw.stringPropertyNames()) {
            resolved.setProperty(key, expand(raw.getProperty(key), home, raw));
        }
        return resolved;
    }

    private static final Pattern VAR = Pattern.compile("\\$\\{([^}]+)}");

    static String expand(String value, Path home, Properties props) {
        Matcher m = VAR.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String v = "gateway.home".equals(name) ? home.toString()
                    : System.getProperty(name, props.getProperty(name, m.group()));
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * {@code gateway.startlevel.N=glob, glob}: bundles whose symbolic name matches start at N. When
     * several rules match, the most specific one decides, whatever the order of the lines: an exact
     * name beats any glob, a glob with more literal characters beats one with fewer, and between
     * equally specific globs the lower level wins.
     */
    record StartLevelRule(int level, String glob, Pattern pattern) {

        /** Most specific first: exact names, then by literal characters (descending), level, glob. */
        static final java.util.Comparator<StartLevelRule> MOST_SPECIFIC_FIRST = java.util.Comparator
                .comparing((StartLevelRule r) -> r.glob.contains("*"))
                .thenComparing(r -> -r.glob.replace("*", "").length())
                .thenComparingInt(StartLevelRule::level)
                .thenComparing(StartLevelRule::glob);

        static List<StartLevelRule> parse(Properties config) {
            List<StartLevelRule> rules = new ArrayList<>();
            for (String key : config.stringPropertyNames()) {
                if (!key.startsWith("gateway.startlevel.") || key.equals("gateway.startlevel.default")) {
                    continue;
                }
                int level;
                try {
                    level = Integer.parseInt(key.substring("gateway.startlevel.".length()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("etc/gateway.properties: " + key + " must end in a start level number");
                }
                for (String glob : config.getProperty(key).split(",")) {
                    String g = glob.trim();
                    if (!g.isEmpty()) {
                        rules.add(new StartLevelRule(level, g,
                                Pattern.compile(Pattern.quote(g).replace("*", "\\E.*\\Q"))));
                    }
                }
            }
            // Properties hand out their keys in hash order: sort, so the first match is the most specific.
            rules.sort(MOST_SPECIFIC_FIRST);
            return rules;
        }

        static int levelOf(List<StartLevelRule> rules, String bsn, int defaultLevel) {
            if (bsn != null) {
                for (StartLevelRule r : rules) {
                    if (r.pattern.matcher(bsn).matches()) {
                        return r.level;
                    }
                }
            }
            return defaultLevel;
        }
    }

    /** The framework's current start level (for tests and diagnostics). */
    int startLevel() {
        return framework.adapt(FrameworkStartLevel.class).getStartLevel();
    }
}
