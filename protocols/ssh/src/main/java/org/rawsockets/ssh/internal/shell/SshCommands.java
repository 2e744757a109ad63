package org.rawsockets.ssh.internal.shell;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.ssh.ExecResult;
import org.rawsockets.ssh.HostKeyMode;
import org.rawsockets.ssh.RemoteFile;
import org.rawsockets.ssh.SshHost;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;
import org.rawsockets.ssh.TransferProgress;
import org.rawsockets.ssh.TransferResult;
import org.rawsockets.ssh.internal.SshHostComponent;

/**
 * Gogo commands, scope {@code ssh}: {@code hosts}, {@code exec}, {@code ls}, {@code get}, {@code put},
 * {@code fingerprint}, {@code forward}, {@code shell}. Failures are thrown as one line (so {@code gateway -c} exits 1, or with the remote status for
 * {@code exec -c}); the Gogo
 * package is imported optionally (the bundle resolves without a shell).
 */
@Component(service = SshCommands.class, property = { "osgi.command.scope=ssh", "osgi.command.function=hosts",
        "osgi.command.function=exec", "osgi.command.function=ls", "osgi.command.function=get", "osgi.command.function=put",
        "osgi.command.function=fingerprint", "osgi.command.function=forward", "osgi.command.function=shell" })
public final class SshCommands {

    private final Map<String, SshHost> hosts = new ConcurrentHashMap<>();
    private final ConfigRegistry registry;
    private final Map<Integer, Forwarding> forwards = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger forwardIds = new java.util.concurrent.atomic.AtomicInteger();

    /** A forward started from the shell and the session it runs on (one session per forward). */
    private record Forwarding(String host, SshSession session, org.rawsockets.ssh.PortForward forward) {
    }

    public SshCommands() {
        this(SshHostComponent.REGISTRY);
    }

    /** For tests: the registry whose rejected configurations {@code hosts} lists. */
    public SshCommands(ConfigRegistry registry) {
        this.registry = registry;
    }

    /**
     * The gateway console's terminal switch ({@code bin/gateway} registers it; absent in tests and
     * in other launchers): {@code ssh:shell} in the console asks it for raw mode.
     */
    @Reference(service = java.util.function.Function.class, target = ShellTerminal.CONSOLE_FILTER,
            cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile java.util.function.Function<String, String> consoleTerminal;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addHost(SshHost host) {
        hosts.put(host.name(), host);
    }

    public void removeHost(SshHost host) {
        hosts.remove(host.name(), host);
    }

    @Descriptor("port forwards on their own session: 'add <host> L|R [bind:]port:target:targetPort' (L: the gateway"
            + " listens, default bind 127.0.0.1; R: the server listens, default bind localhost), 'list', 'remove <id>'")
    public String forward(@Descriptor("add, list or remove") String action, @Descriptor("the arguments") String... args)
            throws Exception {
        switch (action) {
            case "list":
                StringBuilder sb = new StringBuilder();
                new TreeMap<>(forwards).forEach((id, f) -> sb.append(id).append("  ").append(f.host()).append("  ")
                        .append(f.forward()).append(f.forward().isOpen() ? "" : "  (closed)").append('\n'));
                return sb.length() == 0 ? "no forwards" : sb.toString().stripTrailing();
            case "remove":
                if (args.length != 1) {
                    throw new IllegalArgumentException("usage: ssh:forward remove <id> (see ssh:forward list)");
                }
                Forwarding f = forwards.remove(Integer.parseInt(args[0]));
                if (f == null) {
                    throw new IllegalArgumentException("no forward " + args[0] + " (see ssh:forward list)");
                }
                f.forward().close();
                f.session().close();
                return "removed " + args[0] + ": " + f.forward();
            case "add":
                return addForward(args);
            default:
                throw new IllegalArgumentException("ssh:forward " + action + ": use add, list or remove");
        }
    }

    private String addForward(String[] args) throws Exception {
        if (args.length != 3 || !(args[1].equalsIgnoreCase("L") || args[1].equalsIgnoreCase("R"))) {
            throw new IllegalArgumentException("usage: ssh:forward add <host> L|R [bind:]port:target:targetPort");
        }
        boolean local = args[1].equalsIgnoreCase("L");
        String[] p = args[2].split(":");
        if (p.length != 3 && p.length != 4) {
            throw new IllegalArgumentException("forward '" + args[2] + "': use [bind:]port:target:targetPort");
        }
        String bind = p.length == 4 ? p[0] : local ? "127.0.0.1" : "localhost";
        int o = p.length - 3;
        int port = Integer.parseInt(p[o]);
        String target = p[o + 1];
        int targetPort = Integer.parseInt(p[o + 2]);
        SshHost h = host(args[0]);
        SshSession s = await(h.connect(), connectLimit(h));
        org.rawsockets.ssh.PortForward f;
        try {
            f = await(local ? s.forwardLocal(bind, port, target, targetPort) : s.forwardRemote(bind, port, target, targetPort),
                    h.settings().connectTimeout().plusSeconds(35));
        } catch (Exception e) {
            s.close();
            throw e;
        }
        int id = forwardIds.incrementAndGet();
        forwards.put(id, new Forwarding(args[0], s, f));
        return id + "  " + args[0] + "  " + f;
    }

    /** Ends the shell's forwards and their sessions (the commands are going away). */
    @org.osgi.service.component.annotations.Deactivate
    void closeForwards() {
        forwards.values().forEach(f -> f.session().close());
        forwards.clear();
    }

    @Descriptor("list the configured SSH hosts (factory PID org.rawsockets.ssh.host)")
    public String hosts() {
        StringBuilder sb = new StringBuilder();
        if (hosts.isEmpty()) {
            sb.append("no SSH hosts configured (add a factory configuration org.rawsockets.ssh.host)\n");
        }
        new TreeMap<>(hosts).forEach((n, h) -> {
            SshSettings s = h.settings();
            String auth = (s.keyFiles().isEmpty() ? "" : "publickey") + (s.password().isPresent()
                    ? (s.keyFiles().isEmpty() ? "" : "+") + "password" : "");
            StringBuilder via = new StringBuilder();
            for (SshSettings j = s.jump().orElse(null); j != null; j = j.jump().orElse(null)) {
                via.append(" via ").append(j.target());
            }
            sb.append(n).append("  ").append(s.target()).append(via).append("  auth=").append(auth).append("  hostKeyMode=")
                    .append(s.hostKeyMode().configName()).append(s.hostKeyMode() == HostKeyMode.OFF ? " (NOT CHECKED)" : "")
                    .append('\n');
        });
        List<ConfigRegistry.Rejection> rejected = registry.rejections();
        if (!rejected.isEmpty()) {
            sb.append("rejected configurations (see the log):\n");
            rejected.forEach(r -> sb.append("  ").append(r.describe()).append('\n'));
        }
        return sb.toString().stripTrailing();
    }

    @Descriptor("run a command on a host and print its output (stdout, then stderr); with -c a non-zero remote exit"
            + " status fails the shell command (gateway -c then exits with that status, 1 for a signal)")
    public int exec(
            @Descriptor("fail when the remote exit status is not 0") @Parameter(names = { "-c", "--check" }, presentValue = "true",
                    absentValue = "false") boolean check,
            @Descriptor("time limit in seconds") @Parameter(names = { "-t", "--timeout" }, absentValue = "60") int seconds,
            @Descriptor("configured host name (see ssh:hosts)") String host,
            @Descriptor("the command line, run by the user's login shell on the host") String... command) throws Exception {
        if (command.length == 0) {
            throw new IllegalArgumentException("ssh:exec needs a command after the host");
        }
        String line = String.join(" ", command);
        Duration limit = Duration.ofSeconds(seconds);
        ExecResult r = await(host(host).exec(line, limit), limit.plus(connectLimit(host(host))));
        PrintStream out = System.out;
        out.print(new String(r.stdout(), StandardCharsets.UTF_8));
        if (r.stderr().length > 0) {
            System.err.print(new String(r.stderr(), StandardCharsets.UTF_8));
        }
        if (r.truncated()) {
            System.err.println("(output beyond " + SshSession.MAX_COLLECTED_OUTPUT + " bytes per stream dropped)");
        }
        out.flush();
        if (check && r.exitStatus() != 0) {
            throw new RemoteCommandFailed("'" + line + "' on " + host + " exited with status " + r.exitStatus()
                    + (r.exitSignal() == null ? "" : " (signal " + r.exitSignal() + ")"), r.exitStatus());
        }
        return r.exitStatus();
    }

    @Descriptor("interactive shell on a pseudo-terminal of the host; ends when the remote shell exits (returns its"
            + " status), at ~. typed after Enter, or when the input ends (Ctrl-D is typed, then the channel is closed)")
    public int shell(CommandSession session,
            @Descriptor("fail when the remote exit status is not 0") @Parameter(names = { "-c", "--check" }, presentValue = "true",
                    absentValue = "false") boolean check,
            @Descriptor("terminal type (default: $TERM of the attached client or the gateway, else xterm)") @Parameter(names = {
                    "-t", "--term" }, absentValue = "") String term,
            @Descriptor("terminal size COLSxROWS (default: the attached client's, else 80x24)") @Parameter(names = { "-s",
                    "--size" }, absentValue = "") String size,
            @Descriptor("escape character ('none' for none)") @Parameter(names = { "-e", "--escape" }, absentValue = "~")
            String escape,
            @Descriptor("configured host name (see ssh:hosts)") String host) throws Exception {
        ShellTerminal t = ShellTerminal.of(session, term, size, escape, consoleTerminal);
        SshHost h = host(host);
        PrintStream console = session.getConsole();
        ShellTerminal.Mode mode = t.enter(console);
        try {
            TerminalPump.Result r = shell(h, host, session.getKeyboard(), console, t, mode);
            if (r.end() != TerminalPump.End.EXITED) {
                console.print("\r\n" + TerminalPump.describe(host, r) + "\r\n");
                console.flush();
            }
            if (check && r.status() != 0) {
                throw new RemoteCommandFailed(TerminalPump.describe(host, r), r.status());
            }
            return r.status();
        } finally {
            t.leave();
        }
    }

    /**
     * The shell of {@code ssh:shell} on its own session: opens it, pumps {@code in} and {@code out}
     * ({@link TerminalPump}), closes the channel and the session. Public for tests (piped streams).
     */
    public static TerminalPump.Result shell(SshHost h, String host, java.io.InputStream in, PrintStream out, ShellTerminal t,
            ShellTerminal.Mode mode) throws Exception {
        SshSession s = await(h.connect(), connectLimit(h));
        try {
            org.rawsockets.ssh.SshShell sh = await(org.rawsockets.ssh.internal.ShellImpl.open(s, t.term(), t.columns(),
                    t.rows(), mode.remoteEcho()), connectLimit(h));
            TerminalPump pump = new TerminalPump(sh, in, out, t.escape(), mode.poll(), host, t::currentSize);
            TerminalPump.Result r = pump.run();
            if (!pump.threadsEnded()) {
                throw new IllegalStateException("ssh:shell on " + host + ": a pump thread did not stop within "
                        + TerminalPump.CLOSE_LIMIT.toSeconds() + " s of the end");
            }
            return r;
        } finally {
            s.close();
        }
    }

    @Descriptor("list a remote directory")
    public String ls(@Descriptor("configured host name") String host, @Descriptor("remote directory") String directory)
            throws Exception {
        SshHost h = host(host);
        List<RemoteFile> files = session(h, s -> s.sftp().list(directory));
        StringBuilder sb = new StringBuilder();
        for (RemoteFile f : files) {
            sb.append(String.format("%s %4o %12d %s  %s%n", f.directory() ? "d" : "-", f.permissions(), f.size(), f.modified(),
                    f.name()));
        }
        return sb.toString().stripTrailing();
    }

    @Descriptor("download a remote file (progress every 10%)")
    public String get(@Descriptor("continue an interrupted download") @Parameter(names = { "-r", "--resume" },
            presentValue = "true", absentValue = "false") boolean resume, @Descriptor("configured host name") String host,
            @Descriptor("remote file") String remote, @Descriptor("local file") String local) throws Exception {
        TransferResult r = session(host(host), s -> s.sftp().get(remote, Path.of(local), resume, progress()));
        return describe(r);
    }

    @Descriptor("upload a local file (progress every 10%)")
    public String put(@Descriptor("continue an interrupted upload") @Parameter(names = { "-r", "--resume" },
            presentValue = "true", absentValue = "false") boolean resume, @Descriptor("configured host name") String host,
            @Descriptor("local file") String local, @Descriptor("remote file") String remote) throws Exception {
        TransferResult r = session(host(host), s -> s.sftp().put(Path.of(local), remote, resume, progress()));
        return describe(r);
    }

    @Descriptor("show the host key the server presents (SHA256 fingerprint), without logging in; with -l add it to the"
            + " host's known_hosts file (check the fingerprint first)")
    public String fingerprint(@Descriptor("learn: append the key to the known_hosts file") @Parameter(names = { "-l",
            "--learn" }, presentValue = "true", absentValue = "false") boolean learn,
            @Descriptor("configured host name") String host) throws Exception {
        SshHostComponent h = (SshHostComponent) host(host);
        String[] key = await(h.hostKey(), connectLimit(h));
        String text = host + "  " + key[0] + "\n" + key[1];
        if (learn) {
            Path file = h.settings().knownHosts().orElseThrow(() -> new IllegalStateException("host " + host
                    + " has no knownHosts file configured"));
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, key[1] + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            text += "\nadded to " + file;
        }
        return text;
    }

    private static String describe(TransferResult r) {
        return String.format("%d bytes (%d transferred%s) in %d ms, %.1f MiB/s", r.size(), r.transferred(),
                r.resumedFrom() > 0 ? ", resumed at " + r.resumedFrom() : "", r.elapsed().toMillis(), r.mibPerSecond());
    }

    private static TransferProgress progress() {
        PrintStream out = System.out;
        int[] shown = {-1};
        return (done, total) -> {
            if (total > 0) {
                int tenth = (int) (done * 10 / total);
                if (tenth != shown[0]) {
                    shown[0] = tenth;
                    out.println(tenth * 10 + "% (" + done + "/" + total + " bytes)");
                }
            }
        };
    }

    private interface Work<T> {
        CompletionStage<T> run(SshSession s);
    }

    private static <T> T session(SshHost h, Work<T> work) throws Exception {
        SshSession s = await(h.connect(), connectLimit(h));
        try {
            return await(work.run(s), Duration.ofHours(24));
        } finally {
            s.close();
        }
    }

    /**
     * How long a command waits for a connect of {@code h}: every hop of its jump chain and every retry
     * ({@link SshHostComponent#connectLimit()}), plus 5 s for the operation's own reply.
     */
    public static Duration connectLimit(SshHost h) {
        Duration connect = h instanceof SshHostComponent c ? c.connectLimit() : h.settings().connectTimeout();
        return connect.plusSeconds(5);
    }

    private SshHost host(String name) {
        SshHost h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no SSH host '" + name + "' (configured: " + new TreeMap<>(hosts).keySet()
                    + "; see ssh:hosts)");
        }
        return h;
    }

    /** Waits; a failure is rethrown as its one-line cause; Ctrl-C or the limit cancels the operation. */
    static <T> T await(CompletionStage<T> stage, Duration limit) throws Exception {
        try {
            return stage.toCompletableFuture().get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            if (c instanceof Exception x) {
                throw x;
            }
            throw e;
        } catch (TimeoutException e) {
            stage.toCompletableFuture().cancel(true);
            throw new TimeoutException("no result within " + limit.toSeconds() + " s");
        } catch (InterruptedException e) {
            stage.toCompletableFuture().cancel(true);
            throw e;
        }
    }
}
