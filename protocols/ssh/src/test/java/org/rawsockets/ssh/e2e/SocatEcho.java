package org.rawsockets.ssh.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** An independent echo peer: socat on a free 127.0.0.1 port, each connection echoed ({@code PIPE}). */
final class SocatEcho implements AutoCloseable {

    final int port;
    private final Process process;
    private final Path log;

    private SocatEcho(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    static SocatEcho start(Path dir) throws Exception {
        Files.createDirectories(dir);
        int port = OpenSshServer.freePort();
        Path log = dir.resolve("socat-" + port + ".log");
        Process p = new ProcessBuilder("socat", "-d", "-d", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork", "PIPE")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        SocatEcho e = new SocatEcho(port, p, log);
        TestSockets.waitUntil(() -> "socat listening on " + port + ": " + e.log(), Duration.ofSeconds(30), () -> {
            if (!p.isAlive()) {
                return true;
            }
            return e.log().contains("listening on");
        });
        if (!p.isAlive()) {
            throw new IllegalStateException("socat exited (" + p.exitValue() + "): " + e.log());
        }
        return e;
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException x) {
            return "(no log: " + x + ")";
        }
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
    static boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
