package org.rawsockets.mqtt.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP proxy program a test starts on a free loopback port with a directory of its own (its
 * configuration and logs); ready when the port accepts, stopped and its directory deleted on close.
 */
abstract class LocalProxy implements AutoCloseable {
    final String name;
    final int port;
    final Path dir;
    private final String[] logs;
    private Process process;

    /** @param logs the files of {@link #dir} {@link #log()} shows (the program's output is stdout.txt) */
    LocalProxy(String name, String... logs) throws IOException {
        this.name = name;
        this.port = Mosquitto.freePort();
        this.dir = Files.createTempDirectory(name + "-");
        this.logs = logs;
    }

    /** Starts {@code command} (its output to stdout.txt) and waits until it listens. */
    void start(List<String> command, long waitMillis) throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.txt").toFile())
                .start();
        Waits.until(waitMillis, name + " listening on 127.0.0.1:" + port, this::listening, this::log);
    }

    private boolean listening() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited (" + process.exitValue() + "): " + log());
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The program's output and its log files, each under its name. */
    String log() {
        StringBuilder b = new StringBuilder();
        for (String f : logs) {
            try {
                b.append("---- ").append(f).append('\n').append(Files.readString(dir.resolve(f), StandardCharsets.UTF_8));
            } catch (IOException e) {
                b.append("(no ").append(f).append(")\n");
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        org.rawsockets.socket.testing.TempDirs.delete(dir);
    }
}
