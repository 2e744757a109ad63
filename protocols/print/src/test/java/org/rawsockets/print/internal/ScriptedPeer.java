package org.rawsockets.print.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;

/** One of the Python peers in the test resources, started on a free port with its own directory. */
public final class ScriptedPeer implements AutoCloseable {

    public final Path dir;
    public final int port;
    public final Path log;
    private final Process process;

    public ScriptedPeer(String script, String mode) throws Exception {
        dir = Peers.workDir(script.replace(".py", "") + "-" + mode);
        log = dir.resolve("peer.log");
        port = Peers.freePort();
        Path file = Paths.get(ScriptedPeer.class.getResource("/" + script).toURI());
        process = Peers.start(dir, log, List.of("python3", "-u", file.toString(), mode, Integer.toString(port),
                dir.toString()));
        Peers.waitFor(script + " " + mode, Duration.ofSeconds(10), () -> logContains("listening"), process, log);
    }

    public boolean logContains(String s) {
        try {
            return Files.exists(log) && Files.readString(log).contains(s);
        } catch (IOException e) {
            return false;
        }
    }

    public String log() {
        return Peers.tail(log);
    }

    @Override
    public void close() {
        Peers.stop(process);
    }
}
