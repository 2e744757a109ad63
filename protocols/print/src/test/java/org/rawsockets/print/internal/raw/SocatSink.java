package org.rawsockets.print.internal.raw;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.rawsockets.print.internal.Peers;
import org.rawsockets.socket.netfault.FaultNetwork;

/**
 * A raw 9100 sink independent of the client: socat in the namespace of a fault network, listening on
 * port 9100 of the namespace's address; each connection's bytes go to a file of their own, named by
 * the nanosecond the connection came (so the names sort in the order of the connections).
 */
final class SocatSink implements AutoCloseable {

    static final int PORT = 9100;

    final Path jobs;
    private final FaultNetwork net;
    private final Process socat;

    SocatSink(FaultNetwork net) throws IOException {
        this.net = net;
        jobs = Files.createDirectories(net.dir.resolve("jobs"));
        socat = net.start("sink", List.of("socat", "-u", "TCP-LISTEN:" + PORT + ",bind=" + net.peerAddress
                + ",reuseaddr,fork", "SYSTEM:exec cat > " + jobs + "/$(date +%s%N).job"));
        Peers.waitFor("socat listening on port " + PORT + " in " + net.name, Duration.ofSeconds(20),
                () -> Peers.listeningIn(net, PORT), socat, net.log("sink"));
    }

    String uri() {
        return "socket://" + net.peerAddress + ":" + PORT;
    }

    /** The socat process, to freeze it ({@code FaultNetwork.freeze} stops its children too). */
    Process process() {
        return socat;
    }

    /** The connections' files so far, in the order the connections came. */
    List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(jobs)) {
            return s.sorted().toList();
        }
    }

    /**
     * Waits (30 s at most) until a file not in {@code before} holds exactly {@code bytes}: the sink
     * writes what it reads after the client has returned (raw 9100 ends when the socket took the bytes).
     */
    Path awaitJob(Set<Path> before, byte[] bytes) throws IOException {
        Path[] found = {null};
        Peers.waitFor("a job of " + bytes.length + " bytes at the sink (files: " + before.size() + " before)",
                Duration.ofSeconds(30), () -> {
            try {
                for (Path f : files()) {
                    if (!before.contains(f) && Files.size(f) == bytes.length && Arrays.equals(bytes, Files.readAllBytes(f))) {
                        found[0] = f;
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        }, socat, net.log("sink"), this::describe);
        return found[0];
    }

    /**
     * The files and their sizes, and both ends' TCP state (for a failure's message): {@code ss} of the
     * client's side and of the namespace, so a job that does not arrive shows where its bytes wait
     * (the client's send queue and its retransmissions, or the sink's receive queue).
     */
    String describe() {
        StringBuilder b = new StringBuilder();
        try {
            for (Path f : files()) {
                b.append(f.getFileName()).append(' ').append(Files.size(f)).append(" bytes; ");
            }
        } catch (IOException e) {
            b.append(e);
        }
        try {
            b.append("\nclient side: ").append(org.rawsockets.socket.netfault.Programs.run(Duration.ofSeconds(10), "ss",
                    "-tnie", "dst", net.peerAddress));
            b.append("\nsink side: ").append(net.ns("ss", "-tnie", "src", net.peerAddress));
        } catch (IOException | InterruptedException e) {
            b.append("\n(ss: ").append(e).append(')');
        }
        return b.toString();
    }

    /** Stops socat and the children still serving a connection (one cut by a fault may wait on it for ever). */
    @Override
    public void close() {
        List<ProcessHandle> children = socat.descendants().toList();
        Peers.stop(socat);
        for (ProcessHandle c : children) {
            c.destroyForcibly();
        }
    }
}
