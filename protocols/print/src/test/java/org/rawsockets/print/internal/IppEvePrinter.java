package org.rawsockets.print.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * CUPS's ippeveprinter (Debian cups-ipp-utils) on a free port of localhost, with its own spool
 * directory (jobs kept: {@code -k}), a self-signed certificate for IPPS made here, {@code /bin/true}
 * as the print command (jobs complete at once), and DNS-SD off ({@code -r off}; ippeveprinter still
 * wants a D-Bus to talk to, so a private dbus-daemon is started for it).
 */
public final class IppEvePrinter implements AutoCloseable {

    public final Path dir;
    public final Path spool;
    public final int port;
    public final String certificatePem;
    private final Path log;
    /** The bus socket's folder in /tmp (a short path), deleted by {@link #close()}. */
    private final Path busDir;
    private final Process dbus;
    private final Process printer;

    /** The printer's host in its URIs: localhost, or the fault network's address of its namespace. */
    private final String host;
    /** The relay in the namespace ({@link #startIn}), else null. */
    private final Process relay;

    public static IppEvePrinter start(String... extraArgs) throws IOException, InterruptedException {
        return new IppEvePrinter(null, extraArgs);
    }

    /**
     * Starts ippeveprinter in the network namespace of {@code net} (issue 21's fault network),
     * reached at {@code ipp://<net.peerAddress>:631/ipp/print}. ippeveprinter listens on the
     * addresses of its name (-n) only and ends when it gets no IPv6 one (an IPv4 literal has none),
     * so it listens on the namespace's localhost and socat relays the namespace's address, port 631,
     * to it: the faults act on the veth pair, between the client and the relay. Its D-Bus stays
     * outside (a Unix socket crosses namespaces).
     */
    public static IppEvePrinter startIn(org.rawsockets.socket.netfault.FaultNetwork net, String... extraArgs)
            throws IOException, InterruptedException {
        return new IppEvePrinter(net, extraArgs);
    }

    private IppEvePrinter(org.rawsockets.socket.netfault.FaultNetwork net, String... extraArgs)
            throws IOException, InterruptedException {
        host = net == null ? "localhost" : net.peerAddress;
        dir = Peers.workDir("ippeve");
        spool = Files.createDirectories(dir.resolve("spool"));
        Path keys = Files.createDirectories(dir.resolve("keys"));
        Peers.run(dir, Duration.ofSeconds(30), "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keys.resolve("localhost.key").toString(), "-out",
                keys.resolve("localhost.crt").toString(), "-days", "2", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1");
        certificatePem = Files.readString(keys.resolve("localhost.crt"), StandardCharsets.US_ASCII);
        busDir = Files.createTempDirectory("rs-dbus");
        Path busSock = busDir.resolve("bus.sock"); // unix socket paths: at most 107 bytes
        Files.writeString(dir.resolve("bus.xml"), "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration"
                + " 1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n<busconfig><type>session</type>"
                + "<listen>unix:path=" + busSock + "</listen><auth>EXTERNAL</auth><policy context=\"default\">"
                + "<allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/><allow own=\"*\"/>"
                + "</policy></busconfig>\n");
        Path busLog = dir.resolve("dbus.log");
        dbus = Peers.start(dir, busLog, List.of("dbus-daemon", "--config-file=" + dir.resolve("bus.xml"), "--nofork"));
        Peers.waitFor("dbus-daemon socket", Duration.ofSeconds(10), () -> Files.exists(busSock), dbus, busLog);
        int listen = net == null ? Peers.freePort() : 8631;
        port = net == null ? listen : 631;
        log = dir.resolve("ippeveprinter.log");
        List<String> cmd = new java.util.ArrayList<>(List.of("ippeveprinter", "-v", "-r", "off", "-c", "/bin/true", "-k",
                "-p", Integer.toString(listen), "-d", spool.toString(), "-K", keys.toString(), "-n", "localhost", "-f",
                "application/pdf,image/pwg-raster,application/octet-stream"));
        cmd.addAll(List.of(extraArgs));
        cmd.add("rawsockets-test");
        if (net == null) {
            printer = Peers.start(dir, log, cmd, "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + busSock);
            Peers.waitFor("ippeveprinter listening on " + port, Duration.ofSeconds(20), () -> Peers.listening(port), printer,
                    log);
            relay = null;
        } else {
            cmd.addAll(0, List.of("ip", "netns", "exec", net.name));
            printer = Peers.start(dir, log, cmd, "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + busSock);
            Peers.waitFor("ippeveprinter listening on localhost:" + listen + " in " + net.name, Duration.ofSeconds(20),
                    () -> Peers.listeningIn(net, listen), printer, log);
            relay = Peers.start(dir, dir.resolve("relay.log"), List.of("ip", "netns", "exec", net.name, "socat",
                    "TCP-LISTEN:" + port + ",bind=" + host + ",fork,reuseaddr", "TCP:127.0.0.1:" + listen));
            Peers.waitFor("socat relaying " + host + ":" + port, Duration.ofSeconds(20), () -> Peers.listening(host, port),
                    relay, dir.resolve("relay.log"));
        }
    }

    public String uri(String scheme) {
        return scheme + "://" + host + ":" + port + "/ipp/print";
    }

    public String log() {
        return Peers.tail(log);
    }

    /** The ippeveprinter process (to freeze it). */
    public Process process() {
        return printer;
    }

    /** The kept spool file of a job (ippeveprinter names it "id-jobname.ext"). */
    public Path spoolFile(int jobId, String ext) throws IOException {
        try (var files = Files.list(spool)) {
            return files.filter(p -> p.getFileName().toString().startsWith(jobId + "-")
                    && p.getFileName().toString().endsWith("." + ext)).findFirst()
                    .orElseThrow(() -> new IOException("no spool file of job " + jobId + " in " + spool + "; log:\n" + log()));
        }
    }

    /** Runs ipptool against this printer with a test file from the test resources (or the CUPS ones). */
    public String ipptool(String scheme, String testFile, String... defines) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("ipptool", "-tv"));
        for (String d : defines) {
            cmd.add("-d");
            cmd.add(d);
        }
        cmd.add(uri(scheme));
        cmd.add(testFile);
        return Peers.run(dir, Duration.ofSeconds(60), cmd.toArray(String[]::new));
    }

    @Override
    public void close() {
        if (relay != null) {
            Peers.stop(relay);
        }
        Peers.stop(printer);
        Peers.stop(dbus);
        org.rawsockets.socket.testing.TempDirs.delete(busDir);
    }
}
