package org.rawsockets.print.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

import org.rawsockets.print.HttpStatusException;
import org.rawsockets.print.PrintConnectionException;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.PrintTimeoutException;
import org.rawsockets.protocols.httpauth.HttpAuth;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TimedOutException;

/**
 * A small, bounded HTTP/1.1 client for IPP: POST only, one request at a time on one kept-alive
 * connection of the socket service. A request body is a small byte array (the IPP attributes) plus
 * an optional document streamed with chunked transfer coding after {@code Expect: 100-continue},
 * one chunk in memory at a time, each write waiting for the socket to take it (backpressure).
 * Responses are read by {@link HttpResponseReader} with a {@link FrameReader}: status and header
 * lines bounded, bodies (fixed, chunked or to the end) bounded by {@code maxResponseBytes}, checked
 * before any allocation.
 * Basic and Digest authentication answer a 401 once; every failure is a typed {@link PrintException}.
 *
 * <p>Blocking: call it from a worker thread, never from an I/O thread of the socket service.
 */
public final class HttpClient implements AutoCloseable {

    private final SocketService sockets;
    private final HttpSettings s;
    /** Basic or Digest for the printer's 401, or {@code null} without a password. */
    private final HttpAuth auth;
    private final Supplier<char[]> password;
    private TcpSocket socket;
    private HttpResponseReader reader;
    private long lastUsed;
    private boolean reusable;

    /**
     * @param user the user of Basic or Digest authentication (with {@code password})
     * @param password read at each authorization (from a secret file), never kept; {@code null}: none
     */
    public HttpClient(SocketService sockets, HttpSettings settings, String user, Supplier<char[]> password) {
        this.sockets = sockets;
        this.s = settings;
        this.auth = password == null ? null : new HttpAuth(user, false);
        this.password = password;
    }

    /**
     * POSTs {@code head} (and, when {@code document} is not null, the document after it, chunked).
     *
     * @param progress called with the document bytes sent so far after each chunk (may be null)
     * @return the final response with status 2xx
     */
    public HttpResponse post(String path, String contentType, byte[] head, InputStream document, LongConsumer progress)
            throws PrintException {
        return post(path, contentType, head, document, -1, progress);
    }

    /**
     * POSTs {@code head} and the document after it: with {@code Content-Length} when the document's
     * length is known ({@code documentLength >= 0}; a stream that ends earlier or goes on is an
     * error and the connection is closed), else chunked.
     *
     * @param progress called with the document bytes sent so far after each chunk (may be null)
     * @return the final response with status 2xx
     */
    public synchronized HttpResponse post(String path, String contentType, byte[] head, InputStream document,
            long documentLength, LongConsumer progress) throws PrintException {
        boolean authTried = false;
        boolean documentStarted = false;
        for (int attempt = 0;; attempt++) {
            boolean reused = ensureConnected();
            Exchange x = new Exchange(document, document == null ? -1 : documentLength, progress);
            HttpResponse r;
            try {
                r = exchange(path, contentType, head, x);
            } catch (PrintConnectionException e) {
                drop();
                documentStarted |= x.documentStarted;
                if (reused && !x.responseStarted && !documentStarted && attempt == 0) {
                    continue; // the kept-alive connection was closed by the printer meanwhile: once more on a new one
                }
                throw e;
            } catch (PrintException e) {
                drop();
                throw e;
            }
            documentStarted |= x.documentStarted;
            if (r.status() == 401 && auth != null && !documentStarted
                    && auth.challenge(r.headers("www-authenticate"), authTried)) {
                authTried = true;
                continue;
            }
            return check(r, documentStarted);
        }
    }

    private HttpResponse check(HttpResponse r, boolean documentSent) throws HttpStatusException {
        int st = r.status();
        if (st >= 200 && st < 300) {
            return r;
        }
        String where = "printer " + s.label() + " answered HTTP " + st + " " + r.reason();
        String msg = switch (st) {
            case 401 -> where + ": " + (auth == null ? "it wants authentication; configure a user and a password"
                    : documentSent ? "authentication asked only after the document was sent; the job was not accepted"
                    : "the configured user and password were refused (" + auth.scheme() + ")")
                    + r.header("www-authenticate").map(h -> " (WWW-Authenticate: " + h + ")").orElse("");
            case 403 -> where + ": the configured user may not do this";
            case 404 -> where + ": no printer at this path; check the printer URI";
            case 413 -> where + ": the document is too large for this printer";
            case 426 -> where + ": the printer requires TLS" + r.header("upgrade").map(u -> " (Upgrade: " + u + ")").orElse("")
                    + "; use an ipps:// URI";
            default -> st >= 500 ? where + ": a server failure on the printer; the job's state is unknown until"
                    + " queried (try again later)" : where;
        };
        throw new HttpStatusException(st, msg);
    }

    private final class Exchange {
        final InputStream document;
        /** The document's length when known: sent with Content-Length, unframed; -1: chunked. */
        final long length;
        final LongConsumer progress;
        boolean documentStarted;
        boolean responseStarted;

        Exchange(InputStream document, long length, LongConsumer progress) {
            this.document = document;
            this.length = length;
            this.progress = progress;
        }
    }

    private HttpResponse exchange(String path, String contentType, byte[] head, Exchange x) throws PrintException {
        StringBuilder h = new StringBuilder(256);
        h.append("POST ").append(path).append(" HTTP/1.1\r\n");
        h.append("Host: ").append(hostHeader()).append("\r\n");
        h.append("User-Agent: RawSockets-Print/1.0\r\n");
        h.append("Content-Type: ").append(contentType).append("\r\n");
        if (auth != null) {
            char[] pw = password.get();
            ByteBuffer encoded = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(pw));
            byte[] utf8 = new byte[encoded.remaining()];
            encoded.get(utf8);
            String a;
            try {
                a = auth.authorization("POST", path, utf8);
            } finally {
                java.util.Arrays.fill(pw, '\0');
                java.util.Arrays.fill(encoded.array(), (byte) 0);
                java.util.Arrays.fill(utf8, (byte) 0);
            }
            if (a != null) {
                h.append("Authorization: ").append(a).append("\r\n");
            }
        }
        if (x.document == null) {
            h.append("Content-Length: ").append(head.length).append("\r\n\r\n");
            byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer all = ByteBuffer.allocate(hb.length + head.length).put(hb).put(head).flip();
            write(all, "the request");
            return readResponse(x);
        }
        h.append(x.length >= 0 ? "Content-Length: " + (head.length + x.length) + "\r\n" : "Transfer-Encoding: chunked\r\n");
        h.append("Expect: 100-continue\r\n\r\n");
        // The headers and the IPP request go out together, as CUPS does: printers (ippeveprinter, cupsd)
        // read and check the IPP request before answering 100 Continue for the document that follows it.
        byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer first = x.length >= 0
                ? ByteBuffer.allocate(hb.length + head.length).put(hb).put(head).flip()
                : ByteBuffer.allocate(hb.length + head.length + 16).put(hb).put(chunk(head, head.length)).flip();
        write(first, "the request");
        HttpResponse early = awaitContinue(x);
        if (early != null) {
            reusable = false; // the body announced was not sent whole: this connection cannot carry another request
            return early;
        }
        x.documentStarted = true;
        streamDocument(x);
        if (x.length < 0) {
            write(ByteBuffer.wrap("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)), "the end of the document");
        }
        return readResponse(x);
    }

    /** Waits up to expectTimeout for 100 Continue; returns a final response that came instead, else null. */
    private HttpResponse awaitContinue(Exchange x) throws PrintException {
        long until = System.nanoTime() + s.expectTimeout().toNanos();
        while (System.nanoTime() < until) {
            byte[] line;
            try {
                line = reader.readLineOnce();
            } catch (TimedOutException e) {
                continue;
            }
            if (line == null) {
                throw new PrintConnectionException("printer " + s.label() + " closed the connection instead of answering"
                        + " Expect: 100-continue");
            }
            x.responseStarted = true;
            HttpResponseReader.Status st = reader.statusLine(line);
            List<Map.Entry<String, String>> headers = reader.headers();
            if (st.code() == 100) {
                return null;
            }
            if (st.code() > 100 && st.code() < 200) {
                continue;
            }
            return finish(reader.body(st, headers));
        }
        return null; // RFC 9110 10.1.1: a client that waited long enough sends the body anyway
    }

    /**
     * Streams the document in pieces of at most chunkSize bytes through the socket's blocking
     * {@link OutputStream} view: unframed when the length is known (Content-Length), else as chunks
     * (8 hex digits of size, leading zeros are allowed by RFC 9112 7.1, then the bytes and CRLF). One
     * buffer serves the whole document: the view copies each piece into the socket's pooled buffers
     * and returns once the socket accepted it under its high-water mark, so the next piece is read
     * into the same array. (A fresh array per piece, as before, made the client's CPU per GiB 5-10
     * times ipptool's: zeroing and first-touch page faults of the new arrays, measured with perf.)
     * Memory: this buffer plus the socket's high-water mark; each write waits at most writeTimeout.
     */
    private void streamDocument(Exchange x) throws PrintException {
        int cs = s.chunkSize();
        boolean chunked = x.length < 0;
        int pre = chunked ? 10 : 0;
        int post = chunked ? 2 : 0;
        OutputStream out = socket.writable().outputStream(s.writeTimeout());
        byte[] b = new byte[pre + cs + post];
        long sent = 0;
        while (true) {
            int want = chunked ? cs : (int) Math.min(cs, x.length - sent);
            int n;
            try {
                n = want == 0 ? x.document.read(b, 0, 1) : x.document.readNBytes(b, pre, want);
            } catch (IOException e) {
                throw new PrintException("reading the document to send to printer " + s.label() + " failed: " + e, e);
            }
            if (!chunked && (want == 0 ? n > 0 : n < want)) {
                drop(); // the printer was promised exactly x.length bytes: this request cannot be completed
                throw new PrintException("the document for printer " + s.label() + " was declared " + x.length
                        + " bytes long but " + (want == 0 ? "has more" : "ended after " + (sent + n) + " bytes")
                        + "; the job was not sent");
            }
            if (n <= 0) {
                return;
            }
            if (chunked) {
                for (int k = 7, v = n; k >= 0; k--, v >>>= 4) {
                    b[k] = (byte) Character.forDigit(v & 0xF, 16);
                }
                b[8] = '\r';
                b[9] = '\n';
                b[10 + n] = '\r';
                b[11 + n] = '\n';
            }
            try {
                out.write(b, 0, pre + n + post);
            } catch (IOException e) {
                throw documentFailure(e, sent);
            }
            sent += n;
            if (x.progress != null) {
                x.progress.accept(sent);
            }
        }
    }

    private PrintException documentFailure(IOException e, long sent) {
        String what = "take the document (" + sent + " bytes taken)";
        if (e instanceof TimedOutException) {
            drop();
            return new PrintTimeoutException("printer " + s.label() + " did not " + what + " within "
                    + s.writeTimeout().toMillis() + " ms; connection closed", e);
        }
        if (e instanceof java.io.InterruptedIOException) {
            drop();
            return new PrintException("interrupted while waiting for printer " + s.label() + " to " + what, e);
        }
        return failure(e, what);
    }

    private static ByteBuffer chunk(byte[] b, int n) {
        byte[] size = (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(size.length + n + 2).put(size).put(b, 0, n).put((byte) '\r').put((byte) '\n').flip();
    }

    private void write(ByteBuffer b, String what) throws PrintException {
        await(socket.writable().write(b), s.writeTimeout(), "take " + what);
    }

    private <T> T await(CompletionStage<T> stage, Duration limit, String what) throws PrintException {
        try {
            return stage.toCompletableFuture().get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            drop();
            throw new PrintTimeoutException("printer " + s.label() + " did not " + what + " within " + limit.toMillis()
                    + " ms; connection closed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drop();
            throw new PrintException("interrupted while waiting for printer " + s.label() + " to " + what);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), what);
        }
    }

    private PrintException failure(Throwable c, String what) {
        return HttpResponseReader.failure(s.label(), c, what);
    }

    private HttpResponse readResponse(Exchange x) throws PrintException {
        while (true) {
            byte[] line = reader.readLine("the response");
            if (line == null) {
                throw new PrintConnectionException("printer " + s.label() + " closed the connection without a response");
            }
            x.responseStarted = true;
            HttpResponseReader.Status st = reader.statusLine(line);
            List<Map.Entry<String, String>> headers = reader.headers();
            if (st.code() >= 100 && st.code() < 200) {
                continue; // interim (a late 100 Continue)
            }
            return finish(reader.body(st, headers));
        }
    }

    /** Keeps the connection for the next request when the response allows it, else closes it. */
    private HttpResponse finish(HttpResponseReader.Result r) {
        reusable = r.keepAlive();
        lastUsed = System.nanoTime();
        if (!r.keepAlive()) {
            close();
        }
        return r.response();
    }

    // ---------------------------------------------------------------- connection

    private String hostHeader() {
        String h = s.host().contains(":") ? "[" + s.host() + "]" : s.host();
        return h + ":" + s.port();
    }

    /** @return true when an existing kept-alive connection is reused */
    private boolean ensureConnected() throws PrintException {
        if (socket != null && reusable && System.nanoTime() - lastUsed < s.idleReuse().toNanos()) {
            reusable = false;
            return true;
        }
        close();
        TcpSocketOptions options = TcpSocketOptions.builder().noDelay(true).connectTimeout(s.connectTimeout())
                .tls(s.tls()).build();
        TcpSocket sock = sockets.openTcp(s.host(), s.port(), options);
        socket = sock;
        await(sock.opened(), s.connectTimeout().plusSeconds(5), "accept the connection");
        reader = new HttpResponseReader(s, new FrameReader(sock.readable(), 64 * 1024, HttpResponseReader.TICK),
                this::drop, sock.writable()::queuedBytes);
        return false;
    }

    /**
     * Ends the connection after a failure: reset at once, dropping what is still queued, so that the
     * rest of a request reported as failed never reaches the printer later (a job the caller was told
     * failed must not print, and a retry must not print twice) and no close waits on a printer that
     * takes nothing.
     */
    private synchronized void drop() {
        TcpSocket sock = socket;
        socket = null;
        reader = null;
        reusable = false;
        if (sock != null) {
            sock.writable().abort(new PrintException("the request to printer " + s.label() + " failed"));
        }
    }

    @Override
    public synchronized void close() {
        TcpSocket sock = socket;
        socket = null;
        reader = null;
        reusable = false;
        if (sock != null) {
            sock.close();
        }
    }
}
