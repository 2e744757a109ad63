package org.rawsockets.print.internal.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

import org.rawsockets.print.HttpStatusException;
import org.rawsockets.print.IppProtocolException;
import org.rawsockets.print.PrintConnectionException;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.PrintTimeoutException;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.FrameTooLongException;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TimedOutException;

/**
 * A small, bounded HTTP/1.1 client for IPP: POST only, one request at a time on one kept-alive
 * connection of the socket service. A request body is a small byte array (the IPP attributes) plus
 * an optional document streamed with chunked transfer coding after {@code Expect: 100-continue},
 * one chunk in memory at a time, each write waiting for the socket to take it (backpressure).
 * Responses are read with {@link FrameReader}: status and header lines bounded, bodies (fixed,
 * chunked or to the end) bounded by {@code maxResponseBytes}, checked before any allocation.
 * Basic and Digest authentication answer a 401 once; every failure is a typed {@link PrintException}.
 *
 * <p>Blocking: call it from a worker thread, never from an I/O thread of the socket service.
 */
public final class HttpClient implements AutoCloseable {

    private static final int MAX_LINE = 8 * 1024;
    private static final int MAX_HEADERS = 128;
    private static final Duration TICK = Duration.ofMillis(250);

    private final SocketService sockets;
    private final HttpSettings s;
    private final HttpAuth auth;
    private TcpSocket socket;
    private FrameReader frames;
    private long lastUsed;
    private boolean reusable;

    public HttpClient(SocketService sockets, HttpSettings settings, HttpAuth auth) {
        this.sockets = sockets;
        this.s = settings;
        this.auth = auth;
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
                close();
                documentStarted |= x.documentStarted;
                if (reused && !x.responseStarted && !documentStarted && attempt == 0) {
                    continue; // the kept-alive connection was closed by the printer meanwhile: once more on a new one
                }
                throw e;
            } catch (PrintException e) {
                close();
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
            String a = auth.authorization("POST", path);
            if (a != null) {
                h.append("Authorization: ").append(a).append("\r\n");
            }
        }
        if (x.document == null) {
            h.append("Content-Length: ").append(head.length).append("\r\n\r\n");
            byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer all = ByteBuffer.allocate(hb.length + head.length).put(hb).put(head).flip();
            write(all, "the request");
            return readResponse(x, false);
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
        return readResponse(x, false);
    }

    /** Waits up to expectTimeout for 100 Continue; returns a final response that came instead, else null. */
    private HttpResponse awaitContinue(Exchange x) throws PrintException {
        long until = System.nanoTime() + s.expectTimeout().toNanos();
        while (System.nanoTime() < until) {
            byte[] line;
            try {
                line = readLineOnce();
            } catch (TimedOutException e) {
                continue;
            }
            if (line == null) {
                throw new PrintConnectionException("printer " + s.label() + " closed the connection instead of answering"
                        + " Expect: 100-continue");
            }
            x.responseStarted = true;
            Status st = statusLine(line);
            List<Map.Entry<String, String>> headers = headers();
            if (st.code == 100) {
                return null;
            }
            if (st.code > 100 && st.code < 200) {
                continue;
            }
            return body(st, headers);
        }
        return null; // RFC 9110 10.1.1: a client that waited long enough sends the body anyway
    }

    /** Writes in flight while the document is streamed (each holds one chunk buffer). */
    static final int IN_FLIGHT = 4;

    /**
     * Streams the document in pieces of at most chunkSize bytes, each read straight into a new
     * buffer: unframed when the length is known (Content-Length), else as chunks whose buffer already
     * holds room for the chunk header (8 hex digits, leading zeros are allowed by RFC 9112 7.1) and
     * trailer. No copy either way. The socket takes ownership of a buffer it is given (it may still
     * hold it after the write's stage completed), so a buffer is never reused. Up to
     * {@value #IN_FLIGHT} writes are in flight: memory is the socket's high-water mark plus that many
     * pieces; each wait is bounded by the write timeout.
     */
    private void streamDocument(Exchange x) throws PrintException {
        int cs = s.chunkSize();
        boolean chunked = x.length < 0;
        int pre = chunked ? 10 : 0;
        int post = chunked ? 2 : 0;
        java.util.ArrayDeque<CompletionStage<Void>> pending = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<Integer> sizes = new java.util.ArrayDeque<>();
        long issued = 0;
        long taken = 0;
        while (true) {
            if (pending.size() == IN_FLIGHT) {
                await(pending.poll(), s.writeTimeout(), "take the document (" + taken + " bytes taken)");
                taken += sizes.poll();
                if (x.progress != null) {
                    x.progress.accept(taken);
                }
            }
            int want = chunked ? cs : (int) Math.min(cs, x.length - issued);
            byte[] b = new byte[pre + Math.max(want, 1) + post];
            int n;
            try {
                n = want == 0 ? x.document.read(b, 0, 1) : x.document.readNBytes(b, pre, want);
            } catch (IOException e) {
                throw new PrintException("reading the document to send to printer " + s.label() + " failed: " + e, e);
            }
            if (!chunked && (want == 0 ? n > 0 : n < want)) {
                close(); // the printer was promised exactly x.length bytes: this request cannot be completed
                throw new PrintException("the document for printer " + s.label() + " was declared " + x.length
                        + " bytes long but " + (want == 0 ? "has more" : "ended after " + (issued + n) + " bytes")
                        + "; the job was not sent");
            }
            if (n <= 0) {
                break;
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
            pending.add(socket.writable().write(ByteBuffer.wrap(b, 0, pre + n + post)));
            sizes.add(n);
            issued += n;
        }
        while (!pending.isEmpty()) {
            await(pending.poll(), s.writeTimeout(), "take the document (" + taken + " of " + issued + " bytes taken)");
            taken += sizes.poll();
            if (x.progress != null) {
                x.progress.accept(taken);
            }
        }
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
            close();
            throw new PrintTimeoutException("printer " + s.label() + " did not " + what + " within " + limit.toMillis()
                    + " ms; connection closed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new PrintException("interrupted while waiting for printer " + s.label() + " to " + what);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), what);
        }
    }

    private PrintException failure(Throwable c, String what) {
        if (c instanceof TimedOutException) {
            return new PrintTimeoutException("printer " + s.label() + " did not " + what + " in time: " + c.getMessage(), c);
        }
        if (c instanceof FrameTooLongException) {
            return new IppProtocolException("printer " + s.label() + " sent an HTTP line longer than " + MAX_LINE
                    + " bytes", c);
        }
        if (c instanceof NetworkException ne) {
            return new PrintConnectionException("printer " + s.label() + ": the connection failed (" + ne.reason()
                    + ") while waiting to " + what + ": " + ne.getMessage(), ne);
        }
        return new PrintConnectionException("printer " + s.label() + ": " + what + " failed: " + c, c);
    }

    // ---------------------------------------------------------------- responses

    private record Status(int code, String reason, boolean http10) {
    }

    private HttpResponse readResponse(Exchange x, boolean unused) throws PrintException {
        while (true) {
            byte[] line = readLine("the response");
            if (line == null) {
                throw new PrintConnectionException("printer " + s.label() + " closed the connection without a response");
            }
            x.responseStarted = true;
            Status st = statusLine(line);
            List<Map.Entry<String, String>> headers = headers();
            if (st.code >= 100 && st.code < 200) {
                continue; // interim (a late 100 Continue)
            }
            return body(st, headers);
        }
    }

    private Status statusLine(byte[] line) throws IppProtocolException {
        String l = new String(line, StandardCharsets.ISO_8859_1);
        if (!l.startsWith("HTTP/1.") || l.length() < 12 || l.charAt(8) != ' ') {
            throw new IppProtocolException("printer " + s.label() + " did not answer with an HTTP/1.x status line: "
                    + printable(l));
        }
        int code;
        try {
            code = Integer.parseInt(l.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IppProtocolException("printer " + s.label() + " sent a malformed HTTP status: " + printable(l));
        }
        return new Status(code, l.length() > 13 ? l.substring(13) : "", l.startsWith("HTTP/1.0"));
    }

    private List<Map.Entry<String, String>> headers() throws PrintException {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        while (true) {
            byte[] line = readLine("the response headers");
            if (line == null) {
                throw new PrintConnectionException("printer " + s.label() + " closed the connection in the response headers");
            }
            if (line.length == 0) {
                return out;
            }
            if (out.size() >= MAX_HEADERS) {
                throw new IppProtocolException("printer " + s.label() + " sent more than " + MAX_HEADERS + " HTTP headers");
            }
            String l = new String(line, StandardCharsets.ISO_8859_1);
            int c = l.indexOf(':');
            if (c <= 0) {
                throw new IppProtocolException("printer " + s.label() + " sent a malformed HTTP header: " + printable(l));
            }
            out.add(new AbstractMap.SimpleImmutableEntry<>(l.substring(0, c).strip().toLowerCase(Locale.ROOT),
                    l.substring(c + 1).strip()));
        }
    }

    private HttpResponse body(Status st, List<Map.Entry<String, String>> headers) throws PrintException {
        String te = value(headers, "transfer-encoding");
        String cl = value(headers, "content-length");
        String conn = value(headers, "connection");
        boolean close = conn != null && conn.toLowerCase(Locale.ROOT).contains("close")
                || st.http10 && (conn == null || !conn.toLowerCase(Locale.ROOT).contains("keep-alive"));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            while (true) {
                byte[] sizeLine = readLine("a chunk size");
                if (sizeLine == null) {
                    throw truncated(body.size());
                }
                String sz = new String(sizeLine, StandardCharsets.ISO_8859_1);
                int semi = sz.indexOf(';');
                long n;
                try {
                    n = Long.parseLong((semi >= 0 ? sz.substring(0, semi) : sz).strip(), 16);
                } catch (NumberFormatException e) {
                    throw new IppProtocolException("printer " + s.label() + " sent a malformed chunk size: " + printable(sz));
                }
                if (n < 0 || n > s.maxResponseBytes() - body.size()) {
                    throw tooLarge(n + body.size(), "its chunks");
                }
                if (n == 0) {
                    while (true) { // trailers
                        byte[] t = readLine("the chunk trailer");
                        if (t == null || t.length == 0) {
                            break;
                        }
                    }
                    break;
                }
                readBody(body, (int) n);
                byte[] crlf = readLine("the end of a chunk");
                if (crlf == null || crlf.length != 0) {
                    throw new IppProtocolException("printer " + s.label() + " sent a chunk longer than its declared size");
                }
            }
        } else if (cl != null) {
            long n;
            try {
                n = Long.parseLong(cl.strip());
            } catch (NumberFormatException e) {
                throw new IppProtocolException("printer " + s.label() + " sent a malformed Content-Length: " + printable(cl));
            }
            if (n < 0 || n > s.maxResponseBytes()) {
                throw tooLarge(n, "Content-Length");
            }
            readBody(body, (int) n);
        } else if (st.code != 204 && st.code != 304) {
            close = true;
            readToEnd(body);
        }
        reusable = !close;
        lastUsed = System.nanoTime();
        if (close) {
            close();
        }
        return new HttpResponse(st.code, st.reason, headers, body.toByteArray());
    }

    private IppProtocolException tooLarge(long n, String by) {
        close();
        return new IppProtocolException("printer " + s.label() + " declares a response of " + n + " bytes (" + by
                + "), over the limit of " + s.maxResponseBytes() + " bytes (maxResponseBytes); connection closed");
    }

    private IppProtocolException truncated(int got) {
        close();
        return new IppProtocolException("printer " + s.label() + " closed the connection after " + got
                + " bytes of the response body, before its end");
    }

    private void readBody(ByteArrayOutputStream body, int n) throws PrintException {
        int left = n;
        while (left > 0) {
            int take = Math.min(left, 32 * 1024);
            ReadResult<byte[]> r = awaitRead(() -> frames.readExactly(take), "the response body");
            if (r.done()) {
                throw truncated(body.size());
            }
            body.writeBytes(r.value());
            left -= take;
        }
    }

    private void readToEnd(ByteArrayOutputStream body) throws PrintException {
        while (true) {
            int avail = Math.max(1, Math.min(frames.buffered(), 32 * 1024));
            ReadResult<byte[]> r;
            try {
                r = awaitRead(() -> frames.readExactly(avail), "the response body");
            } catch (PrintConnectionException e) {
                if (e.getCause() instanceof NetworkException ne && ne.reason() == NetworkException.Reason.CLOSED_BY_PEER) {
                    throw truncated(body.size()); // ended inside our read size: bytes may be lost; rare
                }
                throw e;
            }
            if (r.done()) {
                return;
            }
            if (body.size() + r.value().length > s.maxResponseBytes()) {
                throw tooLarge(body.size() + r.value().length, "bytes received");
            }
            body.writeBytes(r.value());
        }
    }

    private interface Read {
        CompletionStage<ReadResult<byte[]>> start();
    }

    /** One framed read, its waits bounded by readTimeout (the reader's ticks add up to it). */
    private ReadResult<byte[]> awaitRead(Read read, String what) throws PrintException {
        long until = System.nanoTime() + s.readTimeout().toNanos();
        while (true) {
            try {
                return read.start().toCompletableFuture().get(s.readTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TimedOutException && System.nanoTime() < until) {
                    continue;
                }
                if (e.getCause() instanceof TimedOutException) {
                    close();
                    throw new PrintTimeoutException("printer " + s.label() + " sent nothing of " + what + " for "
                            + s.readTimeout().toMillis() + " ms; connection closed");
                }
                PrintException f = failure(e.getCause(), "send " + what);
                close();
                throw f;
            } catch (TimeoutException e) {
                close();
                throw new PrintTimeoutException("printer " + s.label() + " sent nothing of " + what + " for "
                        + s.readTimeout().toMillis() + " ms; connection closed");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new PrintException("interrupted while reading " + what + " from printer " + s.label());
            }
        }
    }

    private byte[] readLine(String what) throws PrintException {
        ReadResult<byte[]> r = awaitRead(() -> frames.readUntil(FrameReader.CRLF, MAX_LINE), what);
        return r.done() ? null : r.value();
    }

    /** One read of a line limited to one tick (for the 100-continue wait). */
    private byte[] readLineOnce() throws PrintException, TimedOutException {
        try {
            ReadResult<byte[]> r = frames.readUntil(FrameReader.CRLF, MAX_LINE).toCompletableFuture()
                    .get(TICK.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return r.done() ? null : r.value();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimedOutException t) {
                throw t;
            }
            PrintException f = failure(e.getCause(), "answer Expect: 100-continue");
            close();
            throw f;
        } catch (TimeoutException e) {
            throw new TimedOutException("no line within a tick");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new PrintException("interrupted while waiting for printer " + s.label());
        }
    }

    private static String value(List<Map.Entry<String, String>> headers, String name) {
        for (Map.Entry<String, String> e : headers) {
            if (e.getKey().equals(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static String printable(String s) {
        String t = s.length() > 120 ? s.substring(0, 120) + "..." : s;
        return "'" + t.replaceAll("[\\p{Cntrl}]", "?") + "'";
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
        frames = new FrameReader(sock.readable(), 64 * 1024, TICK);
        return false;
    }

    @Override
    public synchronized void close() {
        TcpSocket sock = socket;
        socket = null;
        frames = null;
        reusable = false;
        if (sock != null) {
            sock.close();
        }
    }
}
