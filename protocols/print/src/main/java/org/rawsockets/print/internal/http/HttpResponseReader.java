package org.rawsockets.print.internal.http;

import java.io.ByteArrayOutputStream;
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

import org.rawsockets.print.IppProtocolException;
import org.rawsockets.print.PrintConnectionException;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.PrintTimeoutException;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.FrameTooLongException;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TimedOutException;

/**
 * Reads HTTP/1.x responses from one connection's {@link FrameReader} for {@link HttpClient}: the
 * status line and header lines bounded ({@value #MAX_LINE} bytes, {@value #MAX_HEADERS} headers),
 * bodies (fixed, chunked or to the end of the connection) bounded by {@code maxResponseBytes},
 * checked before anything is read; every wait bounded by {@code readTimeout}. On a failure the
 * connection is closed through the callback given, and a typed {@link PrintException} thrown.
 */
final class HttpResponseReader {

    static final int MAX_LINE = 8 * 1024;
    static final int MAX_HEADERS = 128;
    /** How long one framed read waits before the reader looks at its own deadline again. */
    static final Duration TICK = Duration.ofMillis(250);

    private final HttpSettings s;
    private final FrameReader frames;
    private final Runnable closeConnection;
    /** Bytes of the request the socket service still holds (not yet handed to the network). */
    private final java.util.function.LongSupplier unsent;

    HttpResponseReader(HttpSettings settings, FrameReader frames, Runnable closeConnection,
            java.util.function.LongSupplier unsent) {
        this.s = settings;
        this.frames = frames;
        this.closeConnection = closeConnection;
        this.unsent = unsent;
    }

    /**
     * The message of a response that did not come: says whether the gateway still held part of the
     * request (the network did not take it: a stalled or lossy path) or had sent it all (the printer
     * did not answer).
     */
    private String silent(String what) {
        long left = unsent.getAsLong();
        return "printer " + s.label() + " sent nothing of " + what + " for " + s.readTimeout().toMillis() + " ms"
                + (left > 0 ? " (" + left + " bytes of the request were still waiting to be sent: the network did not"
                        + " take them)" : "") + "; connection closed";
    }

    record Status(int code, String reason, boolean http10) {
    }

    /** A final response and whether the connection may carry another request. */
    record Result(HttpResponse response, boolean keepAlive) {
    }

    Status statusLine(byte[] line) throws IppProtocolException {
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

    List<Map.Entry<String, String>> headers() throws PrintException {
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

    Result body(Status st, List<Map.Entry<String, String>> headers) throws PrintException {
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
        return new Result(new HttpResponse(st.code, st.reason, headers, body.toByteArray()), !close);
    }

    private IppProtocolException tooLarge(long n, String by) {
        closeConnection.run();
        return new IppProtocolException("printer " + s.label() + " declares a response of " + n + " bytes (" + by
                + "), over the limit of " + s.maxResponseBytes() + " bytes (maxResponseBytes); connection closed");
    }

    private IppProtocolException truncated(int got) {
        closeConnection.run();
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
                    String message = silent(what);
                    closeConnection.run();
                    throw new PrintTimeoutException(message);
                }
                PrintException f = failure(s.label(), e.getCause(), "send " + what);
                closeConnection.run();
                throw f;
            } catch (TimeoutException e) {
                String message = silent(what);
                closeConnection.run();
                throw new PrintTimeoutException(message);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closeConnection.run();
                throw new PrintException("interrupted while reading " + what + " from printer " + s.label());
            }
        }
    }

    byte[] readLine(String what) throws PrintException {
        ReadResult<byte[]> r = awaitRead(() -> frames.readUntil(FrameReader.CRLF, MAX_LINE), what);
        return r.done() ? null : r.value();
    }

    /** One read of a line limited to one tick (for the 100-continue wait). */
    byte[] readLineOnce() throws PrintException, TimedOutException {
        try {
            ReadResult<byte[]> r = frames.readUntil(FrameReader.CRLF, MAX_LINE).toCompletableFuture()
                    .get(TICK.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return r.done() ? null : r.value();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimedOutException t) {
                throw t;
            }
            PrintException f = failure(s.label(), e.getCause(), "answer Expect: 100-continue");
            closeConnection.run();
            throw f;
        } catch (TimeoutException e) {
            throw new TimedOutException("no line within a tick");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeConnection.run();
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

    static String printable(String s) {
        String t = s.length() > 120 ? s.substring(0, 120) + "..." : s;
        return "'" + t.replaceAll("[\\p{Cntrl}]", "?") + "'";
    }

    /** The typed failure of a socket stage that completed exceptionally while waiting to {@code what}. */
    static PrintException failure(String label, Throwable c, String what) {
        if (c instanceof TimedOutException) {
            return new PrintTimeoutException("printer " + label + " did not " + what + " in time: " + c.getMessage(), c);
        }
        if (c instanceof FrameTooLongException) {
            return new IppProtocolException("printer " + label + " sent an HTTP line longer than " + MAX_LINE
                    + " bytes", c);
        }
        if (c instanceof NetworkException ne) {
            return new PrintConnectionException("printer " + label + ": the connection failed (" + ne.reason()
                    + ") while waiting to " + what + ": " + ne.getMessage(), ne);
        }
        return new PrintConnectionException("printer " + label + ": " + what + " failed: " + c, c);
    }
}
