package org.rawsockets.coap.internal;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * libcoap's {@code coap-server-notls} (Debian libcoap3-bin) on a free loopback UDP port, started by
 * the test; ready when the port shows in {@code /proc/net/udp}. Also runs {@code coap-client-notls}
 * for cross-checks.
 */
final class Libcoap implements AutoCloseable {

    final int port;
    final Path log;
    private final Process process;

    private Libcoap(int port, Path log, Process process) {
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code coap-server-notls -A 127.0.0.1 -p PORT -d 16 -v 5 extra...}. */
    static Libcoap start(String... extra) throws IOException {
        int port = freeUdpPort();
        Path log = Files.createTempFile("coap-server-", ".log");
        List<String> cmd = new ArrayList<>(List.of("coap-server-notls", "-A", "127.0.0.1", "-p", String.valueOf(port),
                "-d", "16", "-v", "5"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Libcoap server = new Libcoap(port, log, p);
        String hex = String.format(Locale.ROOT, "0100007F:%04X", port);
        Waits.until(30_000, "coap-server-notls listening on 127.0.0.1:" + port, () -> {
            if (!p.isAlive()) {
                throw new AssertionError("coap-server-notls exited with " + p.exitValue() + ": " + server.log());
            }
            try {
                return Files.readString(Path.of("/proc/net/udp")).contains(hex);
            } catch (IOException e) {
                return false;
            }
        }, server::log);
        return server;
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String uri(String path) {
        return "coap://127.0.0.1:" + port + path;
    }

    /** Runs coap-client-notls with {@code args} (then the URI of {@code path}); its output and exit code. */
    Result client(String path, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("coap-client-notls", "-B", "30"));
        cmd.addAll(List.of(args));
        cmd.add(uri(path));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("coap-client-notls did not finish in 60 s: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    record Result(int exit, String output) {
    }

    String log() {
        try {
            return "---- coap-server-notls log " + log + "\n" + Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(log);
    }
}
