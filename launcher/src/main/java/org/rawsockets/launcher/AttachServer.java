package org.rawsockets.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.framework.BundleContext;

/**
 * The gateway side of {@code bin/gateway-client}: Gogo commands run in this running gateway for a
 * local operator. The channel is a Unix domain socket {@value AttachProtocol#SOCKET} (0600) in the
 * owner-only (0700) {@code data/} folder, so only the gateway's user (and root) can open it; every
 * connection must first present the random token of {@value AttachProtocol#TOKEN_FILE} (0600,
 * rewritten at every start), and on Linux the peer's user (SO_PEERCRED) must be the owner of
 * {@code data/} or root.
 * <p>
 * This is the launcher's own operator channel, not protocol traffic: the rule that protocol bundles
 * use no {@code java.net} and open no sockets does not apply here.
 * <p>
 * Bounds: at most {@value #MAX_CLIENTS} clients at once (more are refused with a message), the
 * token must arrive within {@value #HELLO_TIMEOUT_SECONDS} s, frames are at most
 * {@value AttachProtocol#MAX_FRAME} bytes, output is written straight to the socket (a client that
 * stops reading holds up only its own command).
 */
final class AttachServer implements AutoCloseable {

    static final int MAX_CLIENTS = 8;
    static final int HELLO_TIMEOUT_SECONDS = 10;
    /** How long, and how much, a refused client may still send before the gateway closes on it. */
    static final int REFUSED_DRAIN_SECONDS = 2;
    static final int REFUSED_DRAIN_BYTES = 64 * 1024;

    private final Path socket;
    private final Path tokenFile;
    private final byte[] token;
    private final ServerSocketChannel server;
    private final BundleContext ctx;
    private final PrintStream log;
    private final Thread acceptor;
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile boolean closed;
    /** Where the socket really is: {@link #socket}, or the target of that symbolic link for a long gateway path. */
    private volatile Path bound;

    /** Longest socket path bound directly (sun_path holds 108 bytes including the terminating NUL). */
    static final int MAX_SOCKET_PATH = 100;

    private AttachServer(Path socket, Path tokenFile, byte[] token, ServerSocketChannel server, BundleContext ctx,
            PrintStream log) {
        this.socket = socket;
        this.tokenFile = tokenFile;
        this.token = token;
        this.server = server;
        this.ctx = ctx;
        this.log = log;
        this.acceptor = new Thread(this::acceptLoop, "gateway-attach");
        this.acceptor.setDaemon(true);
    }

    /**
     * Writes a new token, binds the socket (owner-only) and starts accepting clients.
     *
     * @throws IOException the socket cannot be bound (the message says where and why)
     * @throws IllegalStateException another gateway already answers on this folder's socket
     */
    static AttachServer open(Path home, BundleContext ctx, PrintStream log) throws IOException {
        Path socket = AttachProtocol.socket(home);
        Path tokenFile = AttachProtocol.tokenFile(home);
        GatewayFolders.ownerOnlyDir(socket.getParent());
        if (Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Path target = Files.isSymbolicLink(socket) ? Files.readSymbolicLink(socket) : socket;
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(target))) {
                throw new IllegalStateException("another gateway already runs in " + home + " (it answers on " + socket
                        + "); stop it first");
            } catch (IOException stale) {
                Files.deleteIfExists(socket); // left by a gateway that did not stop cleanly
            }
        }
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        byte[] token = HexFormat.of().formatHex(raw).getBytes(StandardCharsets.US_ASCII);
        Files.deleteIfExists(tokenFile);
        boolean posix = tokenFile.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix) {
            Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(GatewayFolders.OWNER_FILE));
        } else {
            Files.createFile(tokenFile);
        }
        Files.write(tokenFile, token);
        Path bound = socket;
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            // Unix socket paths are limited to about 107 bytes: bind in a short owner-only folder
            // and leave a symbolic link in data/ (the client follows it).
            bound = shortSocketPath(home);
            Files.deleteIfExists(bound);
            int swept = sweepStale(bound.getParent(), STALE_AFTER);
            if (swept > 0) {
                log.println("gateway: removed " + swept + " stale attach socket(s) from " + bound.getParent()
                        + " (left by gateways that did not stop cleanly)");
            }
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(bound), MAX_CLIENTS);
            if (posix) {
                Files.setPosixFilePermissions(bound, GatewayFolders.OWNER_FILE);
            }
            if (!bound.equals(socket)) {
                Files.createSymbolicLink(socket, bound);
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw new IOException("cannot open the attach socket " + bound + " (bin/gateway-client will not work): " + e, e);
        }
        AttachServer s = new AttachServer(socket, tokenFile, token, server, ctx, log);
        s.bound = bound;
        s.acceptor.start();
        return s;
    }

    Path socket() {
        return socket;
    }

    /**
     * {@code <java.io.tmpdir>/rawsockets-<user>/<hash of the gateway folder>.sock}, in a folder that
     * must be owned by this user and owner-only (0700): created so, refused otherwise.
     */
    static Path shortSocketPath(Path home) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "rawsockets-" + System.getProperty("user.name"));
        GatewayFolders.ownerOnlyDir(dir);
        String me = System.getProperty("user.name");
        String owner = Files.getOwner(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName();
        if (Files.isSymbolicLink(dir) || !owner.equals(me)) {
            throw new IOException(dir + " is not a folder of " + me + " (owner " + owner + "): cannot put the attach socket there");
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(home.toString().getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(h, 0, 8) + ".sock");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How old a socket file without a listener must be before {@link #sweepStale} removes it. */
    static final Duration STALE_AFTER = Duration.ofMinutes(1);

    /**
     * Removes the sockets in the short folder that nobody listens on any more: a gateway killed
     * without stopping leaves its socket there, and its own folder (with the link to it) may be gone
     * for good, so no later start of that gateway would reuse the name. A socket counts as stale when
     * connecting to it is refused (no listener; a live gateway accepts, or its backlog is full and the
     * non-blocking connect does not complete) and it is older than {@code minAge} (a gateway that
     * just bound its socket is listening already: bind and listen are one call, the age only covers
     * clocks and races). Only socket files named {@code *.sock} are touched. Best effort: a file that
     * cannot be read or removed is left.
     *
     * @return how many were removed
     */
    static int sweepStale(Path dir, Duration minAge) {
        int removed = 0;
        Instant before = Instant.now().minus(minAge);
        try (DirectoryStream<Path> socks = Files.newDirectoryStream(dir, "*.sock")) {
            for (Path p : socks) {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (!a.isOther() || a.lastModifiedTime().toInstant().isAfter(before) || !refused(p)) {
                        continue;
                    }
                    if (Files.deleteIfExists(p)) {
                        removed++;
                    }
                } catch (IOException | RuntimeException skipped) {
                    // best effort: left as it is
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // best effort
        }
        return removed;
    }

    /** Whether a connection to the socket at {@code p} is refused (nothing listens on it). */
    private static boolean refused(Path p) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(p));
            return false;
        } catch (ConnectException e) {
            return true;
        }
    }

    /** Stops accepting, ends every client's connection (its running command is interrupted), removes the socket and token. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (SocketChannel c : clients) {
            closeQuietly(c);
        }
        try {
            Files.deleteIfExists(socket);
            if (bound != null && !bound.equals(socket)) {
                Files.deleteIfExists(bound);
            }
            Files.deleteIfExists(tokenFile);
        } catch (IOException e) {
            log.println("gateway: cannot remove " + socket + " or " + tokenFile + ": " + e);
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.println("gateway: attach socket " + socket + " failed, no more clients accepted: " + e);
                }
                return;
            }
            if (clients.size() >= MAX_CLIENTS) {
                // on a thread of its own: the refusal waits (bounded) for the client to close
                SocketChannel refused = ch;
                Thread r = new Thread(() -> refuse(refused, "refused: " + MAX_CLIENTS
                        + " clients are already attached to this gateway"), "gateway-attach-refused");
                r.setDaemon(true);
                r.start();
                continue;
            }
            clients.add(ch);
            Thread t = new Thread(() -> serve(ch), "gateway-attach-" + ids.incrementAndGet());
            t.setDaemon(true);
            t.start();
        }
    }

    /** One client: check it, then run its commands in one Gogo session until it disconnects. */
    private void serve(SocketChannel ch) {
        Thread executor = null;
        // Whether a command runs: cleared before its status is sent, so a client that sends its next
        // command as soon as the status arrives never finds the finished command's thread still alive.
        AtomicBoolean busy = new AtomicBoolean();
        AttachProtocol.FrameWriter writer = null;
        try {
            String denied = checkPeer(ch);
            if (denied != null) {
                refuse(ch, denied);
                return;
            }
            // The token must come quickly: a connection that sends nothing is closed.
            CompletableFuture<Void> hello = new CompletableFuture<>();
            hello.orTimeout(HELLO_TIMEOUT_SECONDS, TimeUnit.SECONDS).exceptionally(t -> {
                closeQuietly(ch);
                return null;
            });
            AttachProtocol.Frame first = AttachProtocol.read(ch);
            hello.complete(null);
            if (first == null || first.type() != AttachProtocol.TOKEN || !MessageDigest.isEqual(first.payload(), token)) {
                refuse(ch, "refused: wrong or missing token (the client must read " + tokenFile
                        + ", which only the gateway's user can)");
                return;
            }
            AttachProtocol.write(ch, AttachProtocol.ACCEPTED, "");
            writer = new AttachProtocol.FrameWriter(ch, Thread.currentThread().getName() + "-out");
            AttachProtocol.FrameWriter w = writer;
            PrintStream out = new PrintStream(new AttachProtocol.FrameOutputStream(w, AttachProtocol.OUT), true,
                    StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(new AttachProtocol.FrameOutputStream(w, AttachProtocol.ERR), true,
                    StandardCharsets.UTF_8);
            AttachInput input = new AttachInput(mode -> w.send(AttachProtocol.MODE, mode.getBytes(StandardCharsets.UTF_8)));
            GatewayScript.Session session;
            try {
                session = GatewayScript.Session.open(ctx, input, out, err);
            } catch (IllegalStateException e) {
                refuse(ch, "refused: " + e.getMessage());
                return;
            }
            session.put(AttachInput.HOOK, input.hook());
            try {
                // Commands run on their own thread: this one keeps reading, for Ctrl-C and disconnects.
                while (true) {
                    AttachProtocol.Frame f = AttachProtocol.read(ch);
                    if (f == null) {
                        break;
                    }
                    if (f.type() == AttachProtocol.INPUT) {
                        input.offer(f.payload());
                    } else if (f.type() == AttachProtocol.INPUT_END) {
                        input.end();
                    } else if (f.type() == AttachProtocol.TERMINAL) {
                        terminal(session, input, f.text());
                    } else if (f.type() == AttachProtocol.INTERRUPT) {
                        if (executor != null && executor.isAlive()) {
                            session.interrupt();
                            executor.interrupt();
                        }
                    } else if (f.type() == AttachProtocol.COMMAND) {
                        if (!busy.compareAndSet(false, true)) {
                            w.send(AttachProtocol.ERR, "gateway: a command is still running\n".getBytes(StandardCharsets.UTF_8));
                            w.sendStatus(Main.EXIT_COMMAND_FAILED);
                            continue;
                        }
                        String script = f.text();
                        executor = new Thread(() -> {
                            int status;
                            try {
                                status = session.run(script);
                            } finally {
                                input.stop(); // the client's terminal back in line mode before the status
                                busy.set(false);
                            }
                            try {
                                Thread.interrupted(); // the status goes out even after an interrupt
                                w.sendStatus(status);
                            } catch (IOException gone) {
                                // the client left; the reader ends the session
                            }
                        }, Thread.currentThread().getName() + "-command");
                        executor.setDaemon(true);
                        executor.start();
                    } else {
                        throw new IOException("unexpected attach frame type '" + (char) f.type() + "'");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                input.close();
                // Disconnected (or Ctrl-C killed the client): whatever still runs for it is interrupted.
                if (executor != null && executor.isAlive()) {
                    session.interrupt();
                    executor.interrupt();
                    try {
                        executor.join(5000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (executor.isAlive()) {
                        log.println("gateway: an attached client's command did not stop within 5 s of its interrupt");
                    }
                }
                session.close();
            }
        } catch (IOException e) {
            // the client went away or sent garbage: its connection ends
        } finally {
            if (writer != null) {
                writer.finish(2000);
            }
            clients.remove(ch);
            closeQuietly(ch);
        }
    }

    /**
     * A {@link AttachProtocol#TERMINAL} frame: {@code "<TERM> <columns> <rows>"} sets the session
     * variables {@code TERM}, {@code COLUMNS} and {@code LINES} and lets commands ask for raw input;
     * {@code "pipe"} lets them ask for the client's standard input as it comes.
     */
    private static void terminal(GatewayScript.Session session, AttachInput input, String text) {
        String[] p = text.trim().split(" ");
        if (p.length == 3) {
            session.put("TERM", p[0]);
            session.put("COLUMNS", p[1]);
            session.put("LINES", p[2]);
            input.capability("raw");
        } else if (p.length == 1 && p[0].equals("pipe")) {
            input.capability("line");
        }
    }

    /** {@code null} when the peer may attach; else why not (Linux SO_PEERCRED: same user as data/'s owner, or root). */
    private String checkPeer(SocketChannel ch) {
        try {
            jdk.net.UnixDomainPrincipal peer = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
            String owner = Files.getOwner(socket.getParent()).getName();
            String user = peer.user().getName();
            if (user.equals(owner) || user.equals("root")) {
                return null;
            }
            return "refused: user " + user + " is not the gateway's user (" + owner + ")";
        } catch (UnsupportedOperationException | IOException e) {
            return null; // no peer credentials here: the folder and socket modes and the token decide
        }
    }

    /**
     * Sends the refusal, then reads and drops what the client still sends until it closes (at most
     * {@value #REFUSED_DRAIN_BYTES} bytes within {@value #REFUSED_DRAIN_SECONDS} s) before closing: a
     * close right after the REFUSED frame made the client's next write (its token or command) fail with
     * a broken pipe before it read why (seen in CI: exit 4 "lost the connection" instead of 5 "refused").
     */
    private static void refuse(SocketChannel ch, String why) {
        CompletableFuture<Void> drained = new CompletableFuture<>();
        drained.orTimeout(REFUSED_DRAIN_SECONDS, TimeUnit.SECONDS).exceptionally(t -> {
            closeQuietly(ch);
            return null;
        });
        try {
            AttachProtocol.write(ch, AttachProtocol.REFUSED, why);
            ch.shutdownOutput();
            java.nio.ByteBuffer sink = java.nio.ByteBuffer.allocate(4096);
            long dropped = 0;
            for (int n; dropped < REFUSED_DRAIN_BYTES && (n = ch.read(sink.clear())) >= 0;) {
                dropped += n;
            }
        } catch (IOException ignored) {
            // gone already, or closed by the drain's time limit
        } finally {
            drained.complete(null);
            closeQuietly(ch);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
