package org.rawsockets.mqtt.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker (/usr/sbin/mosquitto) started by a test: a generated configuration in a
 * temporary directory, a free loopback port, optional persistence, password file and TLS (a CA, a
 * server and a client certificate generated with openssl). {@link #stop()} ends it with SIGTERM
 * (Mosquitto saves its persistence database), {@link #kill()} with SIGKILL; {@link #start()} starts
 * it again with the same configuration, port and database. Its log is printed by {@link #log()}.
 */
final class Mosquitto implements AutoCloseable {

    static final String BIN = "/usr/sbin/mosquitto";

    final Path dir;
    final int port;
    final List<String> extra = new ArrayList<>();
    boolean tls;
    boolean requireClientCert;
    String user;
    String password;
    boolean persistence;
    private Process process;
    /** The address the listener binds (a fault test's namespace address). */
    String bind = "127.0.0.1";
    /** Words before the command (e.g. {@code ip netns exec NAME}: the broker in a namespace). */
    List<String> launcher = List.of();

    Mosquitto() throws IOException {
        dir = Files.createTempDirectory("mosquitto-test");
        port = freePort();
    }

    /**
     * A broker for clients of {@code version}. Mosquitto 2.0.11 stops sending the QoS 1/2 messages it
     * queued for an MQTT 3.1.1 subscriber beyond its in-flight window (max_inflight_messages, default 20):
     * seen with mosquitto_sub and with this client alike (the broker's log shows every acknowledgement
     * received, then nothing sent). 3.1.1 has no Receive Maximum, so for 3.1.1 the window is unlimited (0)
     * and nothing is queued; MQTT 5 keeps the defaults.
     */
    static Mosquitto forVersion(org.rawsockets.mqtt.MqttVersion version) throws IOException {
        Mosquitto m = new Mosquitto();
        return version == org.rawsockets.mqtt.MqttVersion.V5 ? m : m.config("max_inflight_messages 0");
    }

    /** Ports handed out in this JVM: the kernel may give a closed ephemeral port out again at once. */
    private static final java.util.Set<Integer> GIVEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A free loopback port not handed out before in this JVM (a broker's TCP port and its websockets
     * port once came out equal, and mosquitto could not open the second listener).
     */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (GIVEN.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
        throw new IOException("no loopback port not handed out before in 100 attempts");
    }

    Mosquitto persistence() {
        persistence = true;
        return this;
    }

    Mosquitto config(String line) {
        extra.add(line);
        return this;
    }

    Mosquitto password(String u, String p) {
        user = u;
        password = p;
        return this;
    }

    Mosquitto tls(boolean clientCert) {
        tls = true;
        requireClientCert = clientCert;
        return this;
    }

    Path path(String name) {
        return dir.resolve(name);
    }

    String pem(String name) throws IOException {
        return Files.readString(path(name));
    }

    Mosquitto start() throws Exception {
        if (!Files.exists(path("mosquitto.conf"))) {
            writeConfig();
        }
        long logSize = Files.exists(path("mosquitto.log")) ? Files.size(path("mosquitto.log")) : 0;
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of(BIN, "-c", path("mosquitto.conf").toString()));
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(path("stdout.txt").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            String log = Files.exists(path("mosquitto.log")) ? Files.readString(path("mosquitto.log")) : "";
            if (log.length() > logSize && log.substring((int) logSize).contains(" running")) {
                return this;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("mosquitto did not start on port " + port + ":\n" + log() );
            }
            Thread.sleep(10);
        }
    }

    private void writeConfig() throws Exception {
        StringBuilder c = new StringBuilder();
        c.append("listener ").append(port).append(' ').append(bind).append('\n');
        c.append("log_dest file ").append(path("mosquitto.log")).append('\n');
        c.append("log_type all\n");
        // started as root, mosquitto would switch to the user 'mosquitto', who cannot write this directory
        c.append("user ").append(System.getProperty("user.name")).append('\n');
        if (persistence) {
            c.append("persistence true\npersistence_location ").append(dir).append("/\n");
        }
        if (user != null) {
            run("mosquitto_passwd", "-b", "-c", path("passwd").toString(), user, password);
            c.append("allow_anonymous false\npassword_file ").append(path("passwd")).append('\n');
        } else {
            c.append("allow_anonymous true\n");
        }
        if (tls) {
            certificates();
            c.append("cafile ").append(path("ca.pem")).append('\n');
            c.append("certfile ").append(path("server.pem")).append('\n');
            c.append("keyfile ").append(path("server.key")).append('\n');
            if (requireClientCert) {
                c.append("require_certificate true\n");
            }
        }
        extra.forEach(l -> c.append(l).append('\n'));
        Files.writeString(path("mosquitto.conf"), c.toString());
    }

    /** A CA, a server certificate for localhost/127.0.0.1 and a client certificate, all signed by the CA. */
    private void certificates() throws Exception {
        String d = dir.toString();
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/ca.key", "-out",
                d + "/ca.pem", "-days", "2", "-subj", "/CN=Test MQTT CA");
        for (String who : new String[] {"server", "client"}) {
            run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/" + who + ".key", "-out",
                    d + "/" + who + ".csr", "-subj", "/CN=" + (who.equals("server") ? "localhost" : "test-client"));
            Files.writeString(path(who + ".ext"), who.equals("server")
                    ? "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
                    : "extendedKeyUsage=clientAuth\n");
            run("openssl", "x509", "-req", "-in", d + "/" + who + ".csr", "-CA", d + "/ca.pem", "-CAkey",
                    d + "/ca.key", "-CAcreateserial", "-out", d + "/" + who + ".pem", "-days", "2", "-extfile",
                    d + "/" + who + ".ext");
        }
        // mosquitto runs as the current user; keys readable by it only
    }

    void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** SIGTERM: Mosquitto disconnects its clients and saves its database. */
    /** The broker's process (a fault test freezes it). */
    Process process() {
        return process;
    }

    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** SIGKILL: no goodbye, no save. */
    void kill() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
        }
    }

    String log() {
        try {
            return Files.exists(path("mosquitto.log")) ? Files.readString(path("mosquitto.log")) : "(no log)";
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        // its configuration, log and persistence go with it (every test run left a folder in /tmp); a
        // second close finds nothing to delete
        org.rawsockets.socket.testing.TempDirs.delete(dir);
    }
}
