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
    private final Process dbus;
    private final Process printer;

    public static IppEvePrinter start(String... extraArgs) throws IOException, InterruptedException {
        return new IppEvePrinter(extraArgs);
    }

    private IppEvePrinter(String... extraArgs) throws IOException, InterruptedException {
        dir = Peers.workDir("ippeve");
        spool = Files.createDirectories(dir.resolve("spool"));
        Path keys = Files.createDirectories(dir.resolve("keys"));
        Peers.run(dir, Duration.ofSeconds(30), "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keys.resolve("localhost.key").toString(), "-out",
                keys.resolve("localhost.crt").toString(), "-days", "2", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1");
        certificatePem = Files.readString(keys.resolve("localhost.crt"), StandardCharsets.US_ASCII);
        Path busSock = Files.createTempDirectory("rs-dbus").resolve("bus.sock"); // unix socket paths: at most 107 bytes
        Files.writeString(dir.resolve("bus.xml"), "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration"
                + " 1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n<busconfig><type>session</type>"
                + "<listen>unix:path=" + busSock + "</listen><auth>EXTERNAL</auth><policy context=\"default\">"
                + "<allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/><allow own=\"*\"/>"
                + "</policy></busconfig>\n");
        Path busLog = dir.resolve("dbus.log");
        dbus = Peers.start(dir, busLog, List.of("dbus-daemon", "--config-file=" + dir.resolve("bus.xml"), "--nofork"));
        Peers.waitFor("dbus-daemon socket", Duration.ofSeconds(10), () -> Files.exists(busSock), dbus, busLog);
        port = Peers.freePort();
        log = dir.resolve("ippeveprinter.log");
        List<String> cmd = new java.util.ArrayList<>(List.of("ippeveprinter", "-v", "-r", "off", "-c", "/bin/true", "-k",
                "-p", Integer.toString(port), "-d", spool.toString(), "-K", keys.toString(), "-n", "localhost", "-f",
                "application/pdf,image/pwg-raster,application/octet-stream"));
        cmd.addAll(List.of(extraArgs));
        cmd.add("rawsockets-test");
        printer = Peers.start(dir, log, cmd, "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + busSock);
        Peers.waitFor("ippeveprinter listening on " + port, Duration.ofSeconds(20), () -> Peers.listening(port), printer,
                log);
    }

    public String uri(String scheme) {
        return scheme + "://localhost:" + port + "/ipp/print";
    }

    public String log() {
        return Peers.tail(log);
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
        Peers.stop(printer);
        Peers.stop(dbus);
    }
}
