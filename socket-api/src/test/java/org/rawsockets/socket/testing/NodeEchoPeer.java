package org.rawsockets.socket.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;

import org.rawsockets.socket.contract.PeerProcess;

/**
 * An independent echo peer for the soaks (socket-impl-mina's {@code SocketSoakTest}, the soak
 * module's {@code Peers}): node's {@code net} and {@code dgram} in a process of its own, a TCP server
 * (backlog 4096) that pipes every connection back to itself and a UDP socket that sends every
 * datagram back to its sender, both on 127.0.0.1 with free ports. A missing node fails the test
 * ({@link PeerProcess#start}); {@link #close()} stops the process.
 *
 * @param process the node process (its log holds the script's output)
 * @param tcpPort the TCP echo server's port on 127.0.0.1
 * @param udpPort the UDP echo socket's port on 127.0.0.1
 */
public record NodeEchoPeer(PeerProcess process, int tcpPort, int udpPort) implements AutoCloseable {

    private static final String ECHO_JS = """
            const net = require('net'), dgram = require('dgram');
            const t = net.createServer(s => { s.on('error', () => {}); s.pipe(s); });
            t.listen({port: 0, host: '127.0.0.1', backlog: 4096}, () => {
              const u = dgram.createSocket('udp4');
              u.on('message', (m, r) => u.send(m, r.port, r.address));
              u.bind(0, '127.0.0.1', () => console.log('READY ' + t.address().port + ' ' + u.address().port));
            });
            """;

    /**
     * Writes the script into {@code dir} as {@code echo.js}, starts it and waits up to 30 s until both
     * sockets are bound (fails the test otherwise, the process stopped).
     */
    public static NodeEchoPeer start(Path dir) throws IOException {
        Path js = Files.writeString(dir.resolve("echo.js"), ECHO_JS);
        PeerProcess p = PeerProcess.start(true, "node", js.toString());
        try {
            Matcher ready = p.awaitLog("READY (\\d+) (\\d+)", Duration.ofSeconds(30));
            return new NodeEchoPeer(p, Integer.parseInt(ready.group(1)), Integer.parseInt(ready.group(2)));
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
