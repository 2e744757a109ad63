package org.rawsockets.bench.irc;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * A real ngIRCd (Debian {@code /usr/sbin/ngircd}) for the latency benchmark, as protocols/irc's tests
 * start it ({@code IrcServers.ngircd}): a free 127.0.0.1 port, a configuration generated in a
 * temporary directory, in the foreground ({@code -n}), its output in {@code ngircd.out} there.
 * {@code MaxPenaltyTime = 0} turns ngIRCd's penalties (its command throttling) off, so neither client
 * is slowed down by the server; {@code MaxConnectionsIP = 0} lets four clients connect from 127.0.0.1.
 * Stopped by {@link #close()} (SIGTERM, then SIGKILL after 10 s; the directory is then removed), and
 * by a shutdown hook if the JVM ends first.
 */
final class Ngircd implements AutoCloseable {

    /** ngIRCd's {@code MaxPenaltyTime}: 0 turns its penalties off (-1, its default, throttles to ~1 line/s). */
    static final int MAX_PENALTY_TIME = 0;

    final Path dir;
    final int port;
    private final Path log;
    private final Process process;
    private final Thread hook;

    private Ngircd(Path dir, int port, Path log, Process process) {
        this.dir = dir;
        this.port = port;
        this.log = log;
        this.process = process;
        this.hook = new Thread(process::destroyForcibly, "ngircd-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts ngIRCd and waits (at most 30 s) until it accepts connections. */
    static Ngircd start() throws Exception {
        Path dir = Files.createTempDirectory("irc-bench-ngircd");
        // ngIRCd started as root drops to nobody: the directory and the file must stay readable.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String conf = "[Global]\nName = irc.bench.test\nInfo = bench server\nListen = 127.0.0.1\nPorts = " + port
                + "\nMotdPhrase = hello\nAdminInfo1 = bench\nAdminInfo2 = bench\nAdminEMail = bench@example.test\n"
                + "[Limits]\nPingTimeout = 120\nPongTimeout = 20\nMaxNickLength = 20\nMaxConnectionsIP = 0\n"
                + "MaxPenaltyTime = " + MAX_PENALTY_TIME + "\n"
                + "[Options]\nPAM = no\nIdent = no\nDNS = no\n";
        Path file = dir.resolve("ngircd.conf");
        Files.writeString(file, conf);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Path log = dir.resolve("ngircd.out");
        Process p = new ProcessBuilder("/usr/sbin/ngircd", "-n", "-f", file.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Ngircd server = new Ngircd(dir, port, log, p);
        try {
            server.awaitListening(30);
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void awaitListening(int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("ngircd exited with " + process.exitValue() + " before listening on 127.0.0.1:"
                        + port + "\n" + describe());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("ngircd not listening on 127.0.0.1:" + port + " within " + seconds + " s\n"
                            + describe(), e);
                }
                Thread.sleep(20);
            }
        }
    }

    /** Where it runs and the tail of its output (for failures). */
    String describe() {
        StringBuilder b = new StringBuilder("ngircd in " + dir + ", port " + port + "\n");
        try {
            if (Files.exists(log)) {
                String s = Files.readString(log, UTF_8);
                b.append("---- ngircd.out (tail)\n").append(s.length() > 4000 ? s.substring(s.length() - 4000) : s);
            }
        } catch (IOException e) {
            b.append(e);
        }
        return b.toString();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs anyway
        }
        if (!process.isAlive()) {
            // its configuration and output (failures carry the output's tail in their message)
            org.rawsockets.bench.BenchSupport.deleteTree(dir);
        }
    }
}
