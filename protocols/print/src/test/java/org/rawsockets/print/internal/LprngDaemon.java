package org.rawsockets.print.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * LPRng's lpd (Debian lprng) in the foreground on a free port with its own configuration, printcap and
 * spool directories. LPRng reads its configuration only from /etc/lprng (its LPD_CONF variable is off
 * in Debian's build), so the daemon runs in a private mount namespace ({@code unshare -m}) where this
 * test's directory is bind-mounted over /etc/lprng; the machine's /etc is not touched. Queues:
 * {@code raw} prints to {@code out/raw.out} (no filter: the data file's bytes), {@code held} holds
 * every job ({@code :ah}) so that queue listings and removal can be tested. {@link #startIn} runs it in
 * the network namespace of issue 21's fault network instead, on port 515 of the namespace's address.
 */
public final class LprngDaemon implements AutoCloseable {

    public final Path dir;
    public final int port;
    /** The daemon's address: 127.0.0.1, or the fault network's address of its namespace. */
    public final String host;
    private final Path log;
    private final Process lpd;

    public LprngDaemon() throws IOException {
        this(false);
    }

    /**
     * lpd in the namespace of {@code net} (issue 21's fault network), listening on every address there
     * and reached at {@code net.peerAddress}, port 515; the faults act on the veth pair in front of it.
     * {@code ip netns exec} runs {@code unshare -m} for the bind mount there.
     */
    public static LprngDaemon startIn(org.rawsockets.socket.netfault.FaultNetwork net) throws IOException {
        return new LprngDaemon(false, net, 0);
    }

    /**
     * As {@link #startIn(org.rawsockets.socket.netfault.FaultNetwork)}, with lpd's limit on each read
     * and write of a job it receives ({@code send_job_rw_timeout}, 6000 s by default). lpd receives one
     * job per queue at a time, and a receive whose client vanished (a reset that the fault network
     * answered for lpd, which lpd never sees) holds the queue until that limit. A short limit also ends
     * a receive that waited for a packet the loss delayed that long (lpd then closes without an
     * answer), so only the reset test sets one.
     */
    public static LprngDaemon startIn(org.rawsockets.socket.netfault.FaultNetwork net, int receiveTimeoutSeconds)
            throws IOException {
        return new LprngDaemon(false, net, receiveTimeoutSeconds);
    }

    /**
     * @param reservedPortsOnly refuse connections that do not come from one of RFC 1179's source ports
     *            721-731 (an lpd.perms PORT rule)
     */
    public LprngDaemon(boolean reservedPortsOnly) throws IOException {
        this(reservedPortsOnly, null, 0);
    }

    private LprngDaemon(boolean reservedPortsOnly, org.rawsockets.socket.netfault.FaultNetwork net, int receiveTimeoutSeconds)
            throws IOException {
        dir = Peers.workDir("lprng");
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Path out = Files.createDirectories(dir.resolve("out"));
        port = net == null ? Peers.freePort() : 515;
        host = net == null ? "127.0.0.1" : net.peerAddress;
        for (String q : List.of("raw", "held")) {
            Files.createDirectories(dir.resolve("spool").resolve(q));
            Files.write(out.resolve(q + ".out"), new byte[0]);
        }
        Files.writeString(etc.resolve("lpd.conf"), "printcap_path=" + etc.resolve("printcap") + "\n"
                + "lpd_printcap_path=" + etc.resolve("printcap") + "\nperms_path=" + etc.resolve("lpd.perms") + "\n"
                + "lockfile=" + dir.resolve("lpd.lock") + "\nlpd_port=" + port + "\nunix_socket_path=off\n"
                + (receiveTimeoutSeconds > 0 ? "send_job_rw_timeout=" + receiveTimeoutSeconds + "\n" : ""));
        Files.writeString(etc.resolve("printcap"),
                "raw:sd=" + dir.resolve("spool/raw") + ":lp=" + out.resolve("raw.out") + ":sh:mx=0\n"
                + "held:sd=" + dir.resolve("spool/held") + ":lp=" + out.resolve("held.out") + ":sh:mx=0:ah\n");
        Files.writeString(etc.resolve("lpd.perms"), (reservedPortsOnly ? "REJECT SERVICE=X NOT PORT=721-731\n" : "")
                + "DEFAULT ACCEPT\n");
        // lpd drops to the daemon user: it must reach and write these
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxrwxrwx" : "rw-rw-rw-"));
            }
        }
        Path d = dir;
        while ((d = d.getParent()) != null) {
            if (!Files.isWritable(d) || d.toString().equals("/")) {
                break;
            }
            var perms = Files.getPosixFilePermissions(d);
            perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(d, perms);
        }
        log = dir.resolve("lpd.log");
        List<String> cmd = new java.util.ArrayList<>(List.of("unshare", "-m", "sh", "-c", "mount --bind '" + etc
                + "' /etc/lprng && exec /usr/sbin/lpd -F -p " + port + " -P off"));
        if (net == null) {
            lpd = Peers.start(dir, log, cmd);
            Peers.waitFor("lprng lpd listening on " + port, Duration.ofSeconds(20), () -> Peers.listening(port), lpd, log);
        } else {
            cmd.addAll(0, List.of("ip", "netns", "exec", net.name));
            lpd = Peers.start(dir, log, cmd);
            Peers.waitFor("lprng lpd listening on port " + port + " in " + net.name, Duration.ofSeconds(20),
                    () -> Peers.listeningIn(net, port), lpd, log);
        }
    }

    /** {@code lpd://host:port/queue}. */
    public String uri(String queue) {
        return "lpd://" + host + ":" + port + "/" + queue;
    }

    /**
     * The lpd process started, to freeze it ({@code FaultNetwork.freeze} stops its children too: a child,
     * "lpd Waiting", accepts the connections, and each is served by a child of that one).
     */
    public Process process() {
        return lpd;
    }

    public Path output(String queue) {
        return dir.resolve("out").resolve(queue + ".out");
    }

    public String log() {
        return Peers.tail(log);
    }

    @Override
    public void close() {
        Peers.stop(lpd);
    }
}
