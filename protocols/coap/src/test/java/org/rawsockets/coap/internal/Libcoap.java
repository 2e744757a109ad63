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
 * the test; ready when the port shows in {@code /proc/net/udp}; or {@code coap-server-openssl} with a
 * pre-shared key, ready when its DTLS port shows. Also runs {@code coap-client-notls} and
 * {@code coap-client-openssl} for cross-checks.
 */
final class Libcoap implements AutoCloseable {

    final int port;
    final Path log;
    private final Process process;
    private final String binary;

    private Libcoap(int port, Path log, Process process, String binary) {
        this.port = port;
        this.log = log;
        this.process = process;
        this.binary = binary;
    }

    /** Starts {@code coap-server-notls -A 127.0.0.1 -p PORT -d 16 -v 5 extra...}. */
    static Libcoap start(String... extra) throws IOException {
        return start("coap-server-notls", freeUdpPort(), 0, extra);
    }

    /**
     * Starts {@code coap-server-openssl} (DTLS by OpenSSL) with the pre-shared key {@code key}
     * ({@code -k}, any identity): plain CoAP on {@link #port}, coaps on {@link #dtlsPort()}.
     */
    static Libcoap startDtls(String key, String... extra) throws IOException {
        int port = freeUdpPortPair();
        List<String> args = new ArrayList<>(List.of("-k", key));
        args.addAll(List.of(extra));
        return start("coap-server-openssl", port, 1, args.toArray(String[]::new));
    }

    /**
     * Starts {@code coap-server-openssl} with a certificate ({@code -c}, {@code -j}); with {@code ca}
     * ({@code -C}) it asks every client for a certificate issued by that CA and refuses the handshake
     * without one. coaps on {@link #dtlsPort()}.
     */
    static Libcoap startPki(Path cert, Path key, Path ca, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("-c", cert.toString(), "-j", key.toString()));
        if (ca != null) {
            args.addAll(List.of("-C", ca.toString()));
        }
        args.addAll(List.of(extra));
        return start("coap-server-openssl", freeUdpPortPair(), 1, args.toArray(String[]::new));
    }

    /**
     * Starts {@code coap-server-gnutls} with a raw public key (RFC 7250, {@code -M}: a PEM file with
     * the private and the public key); coaps on {@link #dtlsPort()}.
     */
    static Libcoap startRpk(Path rpkFile, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("-M", rpkFile.toString()));
        args.addAll(List.of(extra));
        return start("coap-server-gnutls", freeUdpPortPair(), 1, args.toArray(String[]::new));
    }

    /** libcoap listens for DTLS on the plain port + 1. */
    int dtlsPort() {
        return port + 1;
    }

    private static Libcoap start(String binary, int port, int readyOffset, String... extra) throws IOException {
        Path log = Files.createTempFile("coap-server-", ".log");
        List<String> cmd = new ArrayList<>(List.of(binary, "-A", "127.0.0.1", "-p", String.valueOf(port),
                "-d", "16", "-v", "5"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Libcoap server = new Libcoap(port, log, p, binary);
        String hex = String.format(Locale.ROOT, "0100007F:%04X", port + readyOffset);
        Waits.until(30_000, binary + " listening on 127.0.0.1:" + (port + readyOffset), () -> {
            if (!p.isAlive()) {
                throw new AssertionError(binary + " exited with " + p.exitValue() + ": " + server.log());
            }
            try {
                return Files.readString(Path.of("/proc/net/udp")).contains(hex);
            } catch (IOException e) {
                return false;
            }
        }, server::log);
        return server;
    }

    /** A free loopback UDP port whose successor is free too (checked by binding both). */
    static int freeUdpPortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p = freeUdpPort();
            if (p >= 65535) {
                continue;
            }
            try (DatagramSocket a = new DatagramSocket(p, InetAddress.getLoopbackAddress());
                    DatagramSocket b = new DatagramSocket(p + 1, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (java.net.BindException e) {
                // taken meanwhile: try another
            }
        }
        throw new IOException("no two consecutive free UDP ports on loopback after 50 tries");
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
        return run(cmd);
    }

    /** Runs coap-client-openssl over DTLS with a PSK, then {@code args} and the coaps URI of {@code path}. */
    Result dtlsClient(String identity, String key, String path, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("coap-client-openssl", "-B", "30", "-u", identity, "-k", key));
        cmd.addAll(List.of(args));
        cmd.add("coaps://127.0.0.1:" + dtlsPort() + path);
        return run(cmd);
    }

    private static Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd.get(0) + " did not finish in 60 s: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    record Result(int exit, String output) {
    }

    String log() {
        try {
            return "---- " + binary + " log " + log + "\n" + Files.readString(log);
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
