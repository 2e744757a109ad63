package org.rawsockets.bench.print;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.rawsockets.bench.BenchSupport;
import org.rawsockets.print.Document;
import org.rawsockets.print.JobOptions;
import org.rawsockets.print.JobStatus;
import org.rawsockets.print.internal.PrinterSettings;
import org.rawsockets.print.internal.ipp.IppPrinter;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * IPP Print-Job of one large document to CUPS's ippeveprinter (on loopback, print command
 * /bin/true): this project's client (chunked upload through the socket service) against
 * {@code ipptool} printing the same file, alternating, in one run. Prints MiB/s and the client's
 * CPU seconds per run (this JVM's process CPU for ours, and the part of it its Java threads used, so
 * the JIT compiler's and GC's share in early rounds shows; ipptool's user+sys from /usr/bin/time).
 *
 * <pre>
 * ./mvnw -q -pl bench -am package -DskipTests &amp;&amp; bench/run.sh print [MiB] [rounds] [chunk KiB]
 * </pre>
 */
public final class PrintBench {

    private PrintBench() {
    }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int chunkKib = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        Path dir = Files.createTempDirectory("print-bench");
        List<Process> peers = new ArrayList<>();
        try {
            Path file = dir.resolve("doc.pdf");
            try (OutputStream out = Files.newOutputStream(file)) {
                byte[] block = new byte[1 << 20];
                for (int i = 0; i < block.length; i++) {
                    block[i] = (byte) (i * 31 + (i >>> 9));
                }
                out.write("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < mib; i++) {
                    out.write(block);
                }
            }
            long size = Files.size(file);
            int port = startPrinter(dir, peers);
            Path test = dir.resolve("print.test");
            Files.writeString(test, "{\n NAME \"Print\"\n OPERATION Print-Job\n GROUP operation-attributes-tag\n"
                    + " ATTR charset attributes-charset utf-8\n ATTR language attributes-natural-language en\n"
                    + " ATTR uri printer-uri $uri\n ATTR name requesting-user-name bench\n"
                    + " ATTR mimeMediaType document-format application/pdf\n FILE $filename\n STATUS successful-ok\n}\n");
            String uri = "ipp://localhost:" + port + "/ipp/print";
            System.out.println(BenchSupport.banner());
            System.out.printf(Locale.ROOT, "print suite: IPP Print-Job of %d MiB to ippeveprinter on loopback, %d round(s), chunks of %d KiB%n",
                    mib, rounds, chunkKib);
            MinaSocketEngine engine = MinaSocketEngine.standalone();
            MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.print"));
            try (IppPrinter printer = new IppPrinter(sockets, PrinterSettings.defaults("bench", uri)
                    .withTimeout(Duration.ofSeconds(120)).withChunkSize(chunkKib * 1024))) {
                for (int r = 1; r <= rounds; r++) {
                    long cpu0 = BenchSupport.processCpuNanos();
                    long java0 = BenchSupport.javaThreadsCpuNanos();
                    long t0 = System.nanoTime();
                    JobStatus j = printer.print(Document.of(file), JobOptions.named("bench").withFormat("application/pdf"),
                            null);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    double cpu = (BenchSupport.processCpuNanos() - cpu0) / 1e9;
                    double javaCpu = (BenchSupport.javaThreadsCpuNanos() - java0) / 1e9;
                    printer.awaitJob(j.id(), Duration.ofMinutes(2));
                    double ours = size / 1048576.0 / secs;
                    System.out.printf(Locale.ROOT, "round %d rawsockets IppPrinter: %.2f s, %.1f MiB/s, client CPU %.2f s"
                            + " (%.2f CPU s per GiB; of it the Java threads %.2f s = %.2f per GiB, the JVM's JIT"
                            + " compiler and GC threads the rest)%n", r, secs, ours, cpu, cpu / (size / 1073741824.0),
                            javaCpu, javaCpu / (size / 1073741824.0));
                    long t1 = System.nanoTime();
                    Process p = new ProcessBuilder("/usr/bin/time", "-f", "cpu %U %S", "ipptool", "-d",
                            "filename=" + file, uri, test.toString()).redirectErrorStream(true)
                            .redirectOutput(dir.resolve("ipptool.out").toFile()).start();
                    if (!p.waitFor(5, TimeUnit.MINUTES)) {
                        p.destroyForcibly();
                        throw new IllegalStateException("ipptool did not finish in 5 minutes");
                    }
                    double toolSecs = (System.nanoTime() - t1) / 1e9;
                    String out = Files.readString(dir.resolve("ipptool.out"));
                    if (p.exitValue() != 0) {
                        throw new IllegalStateException("ipptool failed:\n" + out);
                    }
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("cpu ([0-9.]+) ([0-9.]+)").matcher(out);
                    double toolCpu = m.find() ? Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2)) : -1;
                    double tool = size / 1048576.0 / toolSecs;
                    System.out.printf(Locale.ROOT, "round %d ipptool:               %.2f s, %.1f MiB/s, client CPU %.2f s"
                            + " (%.2f CPU s per GiB)%n", r, toolSecs, tool, toolCpu, toolCpu / (size / 1073741824.0));
                    System.out.printf(Locale.ROOT, "round %d ratio rawsockets/ipptool: %.2fx (target >= 1.0x)%n", r,
                            ours / tool);
                    // ippeveprinter answers server-error-busy while ipptool's job is still processing
                    long idleBy = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                    while (printer.status().state() != org.rawsockets.print.PrinterState.IDLE) {
                        if (System.nanoTime() > idleBy) {
                            throw new IllegalStateException("the printer did not become idle after ipptool's job");
                        }
                        Thread.sleep(20);
                    }
                }
            } finally {
                sockets.close();
                engine.close();
            }
        } finally {
            for (Process p : peers) {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            org.rawsockets.bench.BenchSupport.deleteTree(dir);
        }
    }

    static int startPrinter(Path dir, List<Process> peers) throws Exception {
        Path spool = Files.createDirectories(dir.resolve("spool"));
        Path bus = dir.resolve("bus.sock");
        Files.writeString(dir.resolve("bus.xml"), "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus"
                + " Configuration 1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n<busconfig>"
                + "<type>session</type><listen>unix:path=" + bus + "</listen><auth>EXTERNAL</auth><policy context=\"default\">"
                + "<allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/><allow own=\"*\"/>"
                + "</policy></busconfig>\n");
        peers.add(new ProcessBuilder("dbus-daemon", "--config-file=" + dir.resolve("bus.xml"), "--nofork")
                .redirectErrorStream(true).redirectOutput(dir.resolve("dbus.log").toFile()).start());
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!Files.exists(bus)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("dbus-daemon did not start: " + Files.readString(dir.resolve("dbus.log")));
            }
            Thread.sleep(20);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder("ippeveprinter", "-r", "off", "-c", "/bin/true", "-p",
                Integer.toString(port), "-d", spool.toString(), "-n", "localhost", "-f", "application/pdf", "bench")
                .redirectErrorStream(true).redirectOutput(dir.resolve("ippeveprinter.log").toFile());
        pb.environment().put("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + bus);
        peers.add(pb.start());
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return port;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("ippeveprinter did not start: "
                            + Files.readString(dir.resolve("ippeveprinter.log")));
                }
                Thread.sleep(20);
            }
        }
    }
}
