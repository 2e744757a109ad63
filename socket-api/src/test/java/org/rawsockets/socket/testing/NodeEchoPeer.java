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
 * datagram back to its sender, both on 127.0.0.1 with free ports, and, when given a certificate and
 * key, a TLS server (node's {@code tls}, OpenSSL underneath) that pipes every connection back to
 * itself too. A missing node fails the test ({@link PeerProcess#start}); {@link #close()} stops the
 * process.
 *
 * @param process the node process (its log holds the script's output)
 * @param tcpPort the TCP echo server's port on 127.0.0.1
 * @param udpPort the UDP echo socket's port on 127.0.0.1
 * @param tlsPort the TLS echo server's port on 127.0.0.1, 0 when started without a certificate
 */
public record NodeEchoPeer(PeerProcess process, int tcpPort, int udpPort, int tlsPort) implements AutoCloseable {

    private static final String ECHO_JS = """
            const net = require('net'), dgram = require('dgram'), tls = require('tls'), fs = require('fs');
            const echo = s => { s.on('error', () => {}); s.pipe(s); };
            const t = net.createServer(echo);
            const [cert, key] = process.argv.slice(2);
            const listening = new Promise(r => t.listen({port: 0, host: '127.0.0.1', backlog: 4096}, r));
            const secure = !cert ? Promise.resolve(null) : new Promise(r => {
              const ts = tls.createServer({cert: fs.readFileSync(cert), key: fs.readFileSync(key)}, echo);
              ts.on('tlsClientError', () => {});
              ts.listen({port: 0, host: '127.0.0.1', backlog: 4096}, () => r(ts));
            });
            Promise.all([listening, secure]).then(([, ts]) => {
              const u = dgram.createSocket('udp4');
              u.on('message', (m, r) => u.send(m, r.port, r.address));
              u.bind(0, '127.0.0.1', () => console.log('READY ' + t.address().port + ' ' + u.address().port
                  + ' ' + (ts ? ts.address().port : 0)));
            });
            """;

    /**
     * Writes the script into {@code dir} as {@code echo.js}, starts it and waits up to 30 s until both
     * sockets are bound (fails the test otherwise, the process stopped).
     */
    public static NodeEchoPeer start(Path dir) throws IOException {
        return start(dir, null, null);
    }

    /**
     * As {@link #start(Path)}, with a TLS echo server too when {@code certPem} (the server's chain)
     * and {@code keyPem} are given.
     */
    public static NodeEchoPeer start(Path dir, Path certPem, Path keyPem) throws IOException {
        Path js = Files.writeString(dir.resolve("echo.js"), ECHO_JS);
        PeerProcess p = certPem == null ? PeerProcess.start(true, "node", js.toString())
                : PeerProcess.start(true, "node", js.toString(), certPem.toString(), keyPem.toString());
        try {
            Matcher ready = p.awaitLog("READY (\\d+) (\\d+) (\\d+)", Duration.ofSeconds(30));
            return new NodeEchoPeer(p, Integer.parseInt(ready.group(1)), Integer.parseInt(ready.group(2)),
                    Integer.parseInt(ready.group(3)));
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
