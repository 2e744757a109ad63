package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The print bundle deployed alone into a running gateway (issue 15): the bundle is copied into
 * {@code deploy/}, a printer configuration into {@code etc/} points at CUPS's ippeveprinter (Debian
 * cups-ipp-utils) started by the test on a free loopback port, and {@code print:send} prints a PDF,
 * following the job to completed; the spooled file is the PDF byte for byte. A missing program fails.
 */
class PrintGatewayProcessIT {

    private final List<Process> processes = new ArrayList<>();
    /** The D-Bus socket's folder in /tmp (a short path), deleted after the test. */
    private Path busDir;

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
        org.rawsockets.socket.testing.TempDirs.delete(busDir);
    }

    @Test
    void printSendPrintsToIppevePrinterUntilCompleted(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        Path jar = printBundle();
        Files.copy(jar, home.resolve("deploy").resolve(jar.getFileName()));
        Path peer = Files.createDirectories(home.resolve("ippeve"));
        int port = startIppevePrinter(peer);
        Path pdf = Files.write(home.resolve("letter.pdf"), pdf());
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.print.printer-office.cfg"), String.join("\n",
                "name=office", "uri=ipp://127.0.0.1:" + port + "/ipp/print", "user=gateway-it", "jobTimeoutMillis=60000", ""));

        try (EndpointGatewayProcessIT.Shell shell = new EndpointGatewayProcessIT().new Shell(home)) {
            processes.add(shell.g.process);
            shell.await("print:printers", out -> out.contains("office ") && out.contains("idle"));
            String attrs = shell.run("print:attrs office printer-name document-format-supported");
            assertTrue(attrs.contains("printer-name = gateway-it-printer") && attrs.contains("application/pdf"), attrs);
            String sent = shell.run("print:send -copies 1 office " + pdf);
            assertTrue(sent.contains("sent " + Files.size(pdf) + " of " + Files.size(pdf) + " bytes"), sent);
            assertTrue(sent.matches("(?s).*job \\d+ completed.*"), sent);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("job (\\d+) completed").matcher(sent);
            assertTrue(m.find());
            Path spooled;
            try (DirectoryStream<Path> files = Files.newDirectoryStream(peer.resolve("spool"), m.group(1) + "-*.pdf")) {
                spooled = files.iterator().next();
            }
            assertTrue(java.util.Arrays.equals(pdf(), Files.readAllBytes(spooled)), "spooled file = the PDF");
            String job = shell.run("print:job office " + m.group(1));
            assertTrue(job.contains("job " + m.group(1) + " completed"), job);
            String none = shell.run("print:jobs nosuch");
            assertTrue(none.contains("no printer 'nosuch'"), none);
        }
    }

    static Path printBundle() throws IOException {
        Path bundles = Paths.get(System.getProperty("gateway.dir"), "bundles");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(bundles, "print-*.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        }
        throw new AssertionError("no print bundle in " + bundles + " (the protocol-print profile builds it)");
    }

    /** ippeveprinter with DNS-SD off, /bin/true as print command, jobs kept; a private dbus-daemon for it. */
    int startIppevePrinter(Path dir) throws Exception {
        Path spool = Files.createDirectories(dir.resolve("spool"));
        busDir = Files.createTempDirectory("rs-dbus");
        Path bus = busDir.resolve("bus.sock"); // a unix socket path has at most 107 bytes
        Files.writeString(dir.resolve("bus.xml"), "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus"
                + " Configuration 1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n<busconfig>"
                + "<type>session</type><listen>unix:path=" + bus + "</listen><auth>EXTERNAL</auth><policy context=\"default\">"
                + "<allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/><allow own=\"*\"/>"
                + "</policy></busconfig>\n");
        processes.add(new ProcessBuilder("dbus-daemon", "--config-file=" + dir.resolve("bus.xml"), "--nofork")
                .redirectErrorStream(true).redirectOutput(dir.resolve("dbus.log").toFile()).start());
        await("dbus socket", () -> Files.exists(bus), dir.resolve("dbus.log"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder("ippeveprinter", "-v", "-r", "off", "-c", "/bin/true", "-k", "-p",
                Integer.toString(port), "-d", spool.toString(), "-n", "localhost", "-f", "application/pdf,image/pwg-raster",
                "gateway-it-printer").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ippeveprinter.log").toFile());
        pb.environment().put("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + bus);
        processes.add(pb.start());
        int p = port;
        await("ippeveprinter on " + port, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        }, dir.resolve("ippeveprinter.log"));
        return port;
    }

    void await(String what, java.util.function.BooleanSupplier ok, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!ok.getAsBoolean()) {
            for (Process pr : processes) {
                if (!pr.isAlive()) {
                    throw new AssertionError(what + ": a peer process ended:\n" + Files.readString(log));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not ready in 20 s:\n" + Files.readString(log));
            }
            Thread.sleep(20);
        }
    }

    /** A one-page PDF. */
    static byte[] pdf() {
        String stream = "BT /F1 24 Tf 72 720 Td (Gateway IT) Tj ET";
        String[] objs = {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"};
        StringBuilder b = new StringBuilder("%PDF-1.4\n");
        List<Integer> offs = new ArrayList<>();
        for (int i = 0; i < objs.length; i++) {
            offs.add(b.length());
            b.append(i + 1).append(" 0 obj\n").append(objs[i]).append("\nendobj\n");
        }
        offs.add(b.length());
        b.append("4 0 obj\n<< /Length ").append(stream.length()).append(" >>\nstream\n").append(stream)
                .append("\nendstream\nendobj\n");
        int x = b.length();
        b.append("xref\n0 5\n0000000000 65535 f \n");
        for (int o : offs) {
            b.append(String.format("%010d 00000 n \n", o));
        }
        b.append("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n").append(x).append("\n%%EOF\n");
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
