package org.rawsockets.ssh.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Public access to the test's OpenSSH sshd for tests in other packages. */
public final class OpenSshTestServer implements AutoCloseable {

    private final OpenSshServer server;

    private OpenSshTestServer(OpenSshServer server) {
        this.server = server;
    }

    public static OpenSshTestServer start(Path dir, List<Path> authorizedPublicKeys) throws Exception {
        return new OpenSshTestServer(OpenSshServer.start(dir, "ed25519", authorizedPublicKeys));
    }

    /** Starts again on {@code port} with the same directory (so the same host key). */
    public static OpenSshTestServer start(Path dir, List<Path> authorizedPublicKeys, int port) throws Exception {
        return new OpenSshTestServer(OpenSshServer.start(dir, "ed25519", authorizedPublicKeys, port));
    }

    public static Path keygen(String type, Path file, String passphrase) throws Exception {
        return OpenSshServer.keygen(type, file, passphrase);
    }

    public int port() {
        return server.port;
    }

    public String knownHostsLine(String host) throws Exception {
        return server.knownHostsLine(host);
    }

    public String hostKeyFingerprint() throws Exception {
        return server.hostKeyFingerprint();
    }

    public String log() {
        return server.log();
    }

    public void waitForLog(String line, Duration limit) throws Exception {
        server.waitForLog(line, limit);
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
    }
}
