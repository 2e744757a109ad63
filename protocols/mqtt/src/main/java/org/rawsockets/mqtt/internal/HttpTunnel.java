package org.rawsockets.mqtt.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttException;
import org.rawsockets.protocols.httpauth.HttpAuth;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpSocket;

/**
 * An HTTP CONNECT tunnel (RFC 9110 §9.3.6) through a proxy: asks the proxy for a connection to the
 * broker's {@code host:port} and checks its answer; the socket then carries the broker's bytes (TLS
 * and the WebSocket upgrade run inside it). A proxy that asks for credentials (407) gets them as its
 * challenge and {@link MqttSettings#httpProxyAuth} allow — Digest or Basic, see {@link HttpAuth} — on
 * the same connection when the proxy keeps it open, else on a new one ({@link #open} then completes with
 * false). One tunnel is one connect: at most {@value #MAX_REQUESTS} CONNECT requests. Each answer's head
 * is read with a bound and a time limit; anything but a 2xx in the end, or bytes after the head, fails
 * the connection with a message naming the proxy, the broker and the proxy's status line.
 */
final class HttpTunnel {

    /** The most bytes of the proxy's answer head. */
    static final int MAX_HEAD = 8192;
    /** The most bytes of a 407's body read past to answer on the same connection; longer: a new connection. */
    static final int MAX_SKIPPED_BODY = 64 * 1024;
    /** CONNECT requests of one tunnel: the first, the answer to the challenge, once more for a stale Digest nonce. */
    static final int MAX_REQUESTS = 3;
    private static final byte[] END = { '\r', '\n', '\r', '\n' };
    private static final byte[] CRLF = { '\r', '\n' };

    private final MqttSettings s;
    private final String authority;
    private final String via;
    /** The proxy's authentication, {@code null} without credentials. */
    private final HttpAuth auth;
    private int requests;
    /** Whether the last request carried credentials. */
    private boolean sentCredentials;

    HttpTunnel(MqttSettings s, String where) {
        this.s = s;
        this.authority = s.brokerAuthority();
        this.via = where + ": HTTP proxy " + s.httpProxy() + " ";
        this.auth = s.httpProxyUser == null ? null
                : new HttpAuth(s.httpProxyUser, s.httpProxyAuth == MqttSettings.ProxyAuth.DIGEST);
        if (auth != null && s.httpProxyAuth == MqttSettings.ProxyAuth.BASIC) {
            auth.basicFirst();
        }
    }

    /**
     * Opens the tunnel on {@code socket} (open, plain, to the proxy).
     *
     * @return true when the proxy answered 2xx: the socket is the tunnel; false when the proxy closed the
     *         connection after a challenge this tunnel will answer: call again with a new connection to the
     *         proxy. Fails with {@link MqttConnectionException} otherwise.
     */
    CompletionStage<Boolean> open(TcpSocket socket) {
        FrameReader in = new FrameReader(socket.readable(), MAX_HEAD + END.length, s.connectTimeout);
        return exchange(socket, in);
    }

    private CompletionStage<Boolean> exchange(TcpSocket socket, FrameReader in) {
        byte[] request;
        try {
            request = request();
        } catch (MqttException e) {
            return CompletableFuture.failedFuture(e);
        }
        requests++;
        return socket.writable().write(ByteBuffer.wrap(request)) // the socket's from now on (its contract)
                .thenCompose(v -> in.readUntil(END, MAX_HEAD))
                .handle((head, e) -> answer(head, e, in))
                .thenCompose(h -> {
                    if (h == null) {
                        return CompletableFuture.completedFuture(true);
                    }
                    if (!h.reusable()) {
                        socket.close();
                        return CompletableFuture.completedFuture(false);
                    }
                    return skip(in, h.contentLength).thenCompose(v -> exchange(socket, in));
                });
    }

    /**
     * The CONNECT request, with the credentials when a challenge was taken (or Basic is sent first); the
     * password is read now, and the copies made on the way are cleared (the request itself belongs to the
     * socket once written, which may still hold it after the write's stage).
     */
    byte[] request() throws MqttException {
        byte[] head = ("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n").getBytes(StandardCharsets.US_ASCII);
        sentCredentials = auth != null && auth.hasChallenge();
        if (!sentCredentials) {
            return concat(head, CRLF);
        }
        byte[] password = s.httpProxyPassword.get();
        byte[] line;
        try {
            line = ("Proxy-Authorization: " + auth.authorization("CONNECT", authority, password) + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        byte[] all = concat(head, line);
        Arrays.fill(line, (byte) 0);
        return all;
    }

    /** The answer's verdict: {@code null} for an open tunnel, a 407 to answer, or a thrown connection error. */
    private Head answer(ReadResult<byte[]> read, Throwable e, FrameReader in) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t != null) {
            throw new CompletionException(new MqttConnectionException(via + "did not answer CONNECT "
                    + authority + " with a complete response head (at most " + MAX_HEAD + " bytes): " + t, t));
        }
        if (read.done()) {
            throw new CompletionException(new MqttConnectionException(via + "closed the connection"
                    + " before answering CONNECT " + authority));
        }
        Head h = new Head(new String(read.value(), StandardCharsets.ISO_8859_1));
        if (h.status.matches("HTTP/1\\.[01] 2\\d\\d( .*)?")) {
            if (in.buffered() > 0) {
                throw new CompletionException(new MqttConnectionException(via + "sent " + in.buffered()
                        + " bytes after its answer to CONNECT " + authority + " before the client spoke: not a tunnel"));
            }
            return null;
        }
        List<String> challenges = h.values("proxy-authenticate");
        if (h.code == 407 && auth != null && requests < MAX_REQUESTS && auth.challenge(challenges, sentCredentials)) {
            return h;
        }
        String why = "";
        if (h.code == 407 || h.code == 401) {
            String offered = challenges.isEmpty() ? "" : "; it offers " + HttpAuth.offered(challenges);
            if (auth == null) {
                why = " (the proxy wants credentials: set httpProxyUser and .httpProxyPassword" + offered + ")";
            } else if (sentCredentials || h.code == 401) {
                why = " (the proxy refused the credentials of user '" + s.httpProxyUser + "', " + auth.scheme() + ")";
            } else {
                why = " (the proxy asks for " + HttpAuth.offered(challenges) + "; this client answers "
                        + HttpAuth.answers(s.httpProxyAuth == MqttSettings.ProxyAuth.DIGEST)
                        + (s.httpProxyAuth == MqttSettings.ProxyAuth.DIGEST ? ", as httpProxyAuth = digest says" : "")
                        + ")";
            }
        }
        throw new CompletionException(new MqttConnectionException(via + "refused CONNECT " + authority + ": "
                + (h.status.length() > 200 ? h.status.substring(0, 200) + "..." : h.status) + why));
    }

    /** Reads past {@code n} bytes of a body, in pieces the reader holds. */
    private static CompletionStage<Void> skip(FrameReader in, long n) {
        if (n == 0) {
            return CompletableFuture.completedFuture(null);
        }
        int piece = (int) Math.min(n, MAX_HEAD);
        return in.readExactly(piece).thenCompose(r -> {
            if (r.done()) {
                throw new CompletionException(new MqttConnectionException("the HTTP proxy closed the connection"
                        + " within its 407 answer's body"));
            }
            return skip(in, n - piece);
        });
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** A response head: its status line and fields. */
    private static final class Head {
        final String status;
        final int code;
        final List<String[]> fields = new ArrayList<>();
        /** The body's length, -1 when not given by one well-formed Content-Length. */
        final long contentLength;

        Head(String text) {
            String[] lines = text.split("\r\n");
            status = lines[0].strip();
            int c = -1;
            if (status.matches("HTTP/1\\.[01] \\d\\d\\d( .*)?")) {
                c = Integer.parseInt(status.substring(9, 12));
            }
            code = c;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    fields.add(new String[] { lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip() });
                }
            }
            List<String> lengths = values("content-length");
            long n = -1;
            if (lengths.size() == 1 && lengths.get(0).matches("\\d{1,12}")) {
                n = Long.parseLong(lengths.get(0));
            }
            contentLength = n;
        }

        List<String> values(String name) {
            List<String> v = new ArrayList<>();
            for (String[] f : fields) {
                if (f[0].equals(name)) {
                    v.add(f[1]);
                }
            }
            return v;
        }

        /**
         * Whether the connection can carry the next request: HTTP/1.1 without "Connection: close" (or
         * HTTP/1.0 with keep-alive), a body of a known length within {@link #MAX_SKIPPED_BODY}, no chunks.
         */
        boolean reusable() {
            String connection = String.join(",", values("connection")).toLowerCase(Locale.ROOT)
                    + "," + String.join(",", values("proxy-connection")).toLowerCase(Locale.ROOT);
            boolean keepAlive = status.startsWith("HTTP/1.1") ? !connection.contains("close") : connection.contains("keep-alive");
            return keepAlive && values("transfer-encoding").isEmpty() && contentLength >= 0
                    && contentLength <= MAX_SKIPPED_BODY;
        }
    }
}
