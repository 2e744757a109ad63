package org.rawsockets.irc.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.rawsockets.irc.IrcDisconnectedException;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.irc.internal.codec.IrcCodec;
import org.rawsockets.irc.internal.codec.IrcLineReader;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsOptions;

/**
 * One connection to the server: the socket, the line reader loop, the outbox (flood control) and the
 * liveness timer (PING after the ping interval without data, lag measurement, ping timeout). Ends
 * once, with a reason, and tells the client. Used on the client's actor.
 */
final class Session {

    private final IrcClientImpl client;
    private final IrcSettings settings;
    private final Actor actor;
    final String where;
    private TcpSocket socket;
    IrcLineReader reader;
    private Outbox outbox;
    private long lastReceived = System.nanoTime();
    private String pingToken;
    private long pingSentAt;
    private ScheduledFuture<?> timer;
    private boolean ended;
    /** The text of the server's ERROR or the KILL reason, for the disconnect message. */
    String serverError;
    /** Whether MONITOR was asked for the configured nick on this connection. */
    boolean monitoring;
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    /** Whether this connection uses TLS (configured, or by an STS policy). */
    final boolean tls;
    /** The port connected to (configured, or the STS policy's). */
    final int port;

    Session(IrcClientImpl client, IrcSettings settings, Actor actor, boolean tls, int port,
            boolean bySts) {
        this.client = client;
        this.settings = settings;
        this.actor = actor;
        this.tls = tls;
        this.port = port;
        this.where = "IRC server " + settings.name() + " (" + (settings.endpoint() != null ? "endpoint "
                + settings.endpoint() : settings.host() + ":" + port) + (tls ? ", TLS" : "")
                + (bySts ? " by the server's STS policy" : "") + ")";
    }

    void open(SocketService sockets) {
        TcpSocketOptions options = TcpSocketOptions.builder().noDelay(true).connectTimeout(settings.connectTimeout())
                .closeTimeout(Duration.ofSeconds(5)).tls(tls ? settings.tlsOptions() : TlsOptions.off()).build();
        try {
            socket = settings.endpoint() != null ? sockets.openTcpEndpoint(settings.endpoint(), options)
                    : sockets.openTcp(settings.host(), port, options);
        } catch (RuntimeException e) {
            end(e);
            return;
        }
        socket.opened().whenComplete((info, t) -> actor.execute(() -> {
            if (t != null) {
                end(unwrap(t));
            } else if (!ended) {
                opened();
            }
        }));
    }

    private void opened() {
        reader = new IrcLineReader(socket.readable(), where);
        outbox = new Outbox(actor, socket.writable(), settings.floodBurst(), settings.floodInterval(),
                settings.sendQueueLimit(), settings.label(), t -> actor.execute(() -> end(unwrap(t))));
        lastReceived = System.nanoTime();
        long tick = Math.max(50, Math.min(settings.pingInterval().toMillis(), settings.pingTimeout().toMillis()) / 4);
        timer = actor.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
        client.sessionOpened(this);
        readLoop();
    }

    /** Reads and handles lines while they are buffered; waits for the socket (off the actor) otherwise. */
    private void readLoop() {
        while (!ended) {
            CompletableFuture<ReadResult<IrcMessage>> f = reader.next().toCompletableFuture();
            if (!f.isDone()) {
                f.whenComplete((r, t) -> actor.execute(() -> {
                    if (received(r, t)) {
                        readLoop();
                    }
                }));
                return;
            }
            ReadResult<IrcMessage> r = null;
            Throwable t = null;
            try {
                r = f.join();
            } catch (CompletionException e) {
                t = e.getCause();
            }
            if (!received(r, t)) {
                return;
            }
        }
    }

    private boolean received(ReadResult<IrcMessage> r, Throwable t) {
        if (ended) {
            return false;
        }
        if (t != null) {
            end(unwrap(t));
            return false;
        }
        if (r.done()) {
            end(new IrcDisconnectedException(where + (serverError != null ? " closed the link: " + serverError
                    : " closed the connection"), serverError, null));
            return false;
        }
        lastReceived = System.nanoTime();
        IrcMessage m = r.value();
        if (m.command().equals("PONG") && pingToken != null && m.trailing().equals(pingToken)) {
            client.lag(Duration.ofNanos(System.nanoTime() - pingSentAt));
            pingToken = null;
        }
        client.handle(this, m);
        return !ended;
    }

    private void tick() {
        if (ended) {
            return;
        }
        long idle = System.nanoTime() - lastReceived;
        if (idle > settings.pingTimeout().toNanos()) {
            long ms = settings.pingTimeout().toMillis();
            end(new IrcDisconnectedException(where + " sent nothing for " + (ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms")
                    + " (ping timeout, setting pingTimeout); connection closed", null, null));
        } else if (idle > settings.pingInterval().toNanos() && pingToken == null) {
            ping();
        }
    }

    /** Sends a PING whose PONG measures the lag. */
    void ping() {
        if (outbox == null || pingToken != null) {
            return;
        }
        pingToken = "rs" + Long.toHexString(System.nanoTime());
        pingSentAt = System.nanoTime();
        send(IrcMessage.of("PING", pingToken), true);
    }

    CompletableFuture<Void> send(IrcMessage m, boolean urgent) {
        if (outbox == null || ended) {
            return CompletableFuture.failedFuture(new IrcDisconnectedException(where + ": not connected"));
        }
        return outbox.send(IrcCodec.encode(m), urgent);
    }

    int queued() {
        return outbox == null ? 0 : outbox.queued();
    }

    boolean ended() {
        return ended;
    }

    /**
     * Ends this connection once {@code last} was written (e.g. AUTHENTICATE * before giving up), or
     * after 3 s if it was not.
     */
    void endAfter(CompletableFuture<?> last, Throwable cause) {
        ScheduledFuture<?> fallback = actor.schedule(() -> end(cause), 3, TimeUnit.SECONDS);
        last.whenComplete((v, t) -> actor.execute(() -> {
            fallback.cancel(false);
            end(cause);
        }));
    }

    /** Ends this connection once: closes the socket, fails the queued lines, tells the client. */
    void end(Throwable cause) {
        if (ended) {
            return;
        }
        ended = true;
        // After a KILL or ERROR the server drops the connection: that, not the socket's reset, is the reason.
        Throwable reason = serverError != null && !(cause instanceof org.rawsockets.irc.IrcException)
                ? new IrcDisconnectedException(where + " closed the link: " + serverError, serverError, cause) : cause;
        if (timer != null) {
            timer.cancel(false);
        }
        if (outbox != null) {
            outbox.close(new IrcDisconnectedException(where + ": connection ended before the line was sent ("
                    + reason.getMessage() + ")", serverError, reason));
        }
        if (socket != null) {
            socket.close().whenComplete((v, t) -> closed.complete(null));
        } else {
            closed.complete(null);
        }
        client.sessionEnded(this, reason);
    }

    private Throwable unwrap(Throwable t) {
        Throwable c = t;
        while (c instanceof CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        if (c.getClass() == NetworkException.class && !String.valueOf(c.getMessage()).startsWith(where)) {
            // the socket service's failure (a reset, a refused connection) with the IRC server's role in
            // front, its reason kept for callers that tell failures apart by it
            NetworkException n = (NetworkException) c;
            return new NetworkException(n.reason(), where + ": " + n.getMessage(), n);
        }
        if (c instanceof NetworkException || c instanceof org.rawsockets.irc.IrcException
                || c instanceof org.rawsockets.socket.RawSocketException) {
            return c;
        }
        return new NetworkException(where + ": " + c, c);
    }
}
