package org.rawsockets.console.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

import javax.net.SocketFactory;
import javax.net.ssl.SSLException;

import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketService;

/**
 * "Update from URL": fetches a bundle jar with one HTTP/1.1 GET per hop through the console bundle's
 * own {@link SocketService} (its {@code socketFactory()} / {@code sslSocketFactory()}), so the
 * operator's socket policy decides which repositories the console may reach, the fetch shows in the
 * socket list and audit as the console's, and the socket is closed when the console stops.
 *
 * <p>Bounded everywhere: the status line and headers together at most {@link #MAX_HEAD} bytes, the
 * body at most {@code maxBytes} (a larger {@code Content-Length} is refused before the body is read;
 * chunked and close-delimited bodies are counted as they arrive), at most {@link #MAX_REDIRECTS}
 * redirects (http and https only, never from https down to http), and one deadline for the whole
 * download, redirects included. {@code https} verifies the server's certificate and host name
 * against the JDK's trust store (the socket service's TLS defaults).
 *
 * <p>Blocking: runs on the servlet thread that asked for it.
 */
final class BundleDownload {

    static final int MAX_REDIRECTS = 5;
    static final int MAX_HEAD = 16 * 1024;

    private final SocketService sockets;
    private final long maxBytes;
    private final Duration timeout;

    BundleDownload(SocketService sockets, long maxBytes, Duration timeout) {
        this.sockets = sockets;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
    }

    /** Checks that {@code url} is an http(s) URL the console can fetch, or a 400 saying why not. */
    static URI parse(String url) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new HttpError(400, "url is not a URL: " + e.getMessage());
        }
        checkTarget(uri, "url");
        return uri;
    }

    private static void checkTarget(URI uri, String what) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new HttpError(400, what + " must be an http:// or https:// URL with a host, was '" + printable(uri.toString()) + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new HttpError(400, what + " carries credentials (user@host): the console does not send them;"
                    + " publish the jar where it can be fetched without a login");
        }
    }

    /** The jar at {@code uri} (status 200 after at most {@link #MAX_REDIRECTS} redirects). */
    byte[] fetch(URI uri) {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI current = uri;
        for (int hop = 0;; hop++) {
            Response r = get(current, deadline);
            if (r.body != null) {
                return r.body;
            }
            if (hop == MAX_REDIRECTS) {
                throw new HttpError(502, "fetching " + uri + " was redirected more than " + MAX_REDIRECTS + " times (last to "
                        + current + ")");
            }
            URI next;
            try {
                next = current.resolve(new URI(r.location.trim()));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new HttpError(502, current + " redirected to '" + printable(r.location) + "', which is not a URL");
            }
            try {
                checkTarget(next, "the redirect from " + current);
            } catch (HttpError e) {
                throw new HttpError(502, e.getMessage());
            }
            if (current.getScheme().equalsIgnoreCase("https") && next.getScheme().equalsIgnoreCase("http")) {
                throw new HttpError(502, current + " redirected to " + next + ": a redirect from https to plain http is"
                        + " refused (the jar would arrive unauthenticated)");
            }
            current = next;
        }
    }

    /** The answer to one GET: the body when 200, else the location of a redirect. */
    private record Response(byte[] body, String location) {
    }

    private Response get(URI uri, long deadline) {
        boolean tls = uri.getScheme().equalsIgnoreCase("https");
        String host = uri.getHost();
        String hostOnly = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
        SocketFactory factory = tls ? sockets.sslSocketFactory() : sockets.socketFactory();
        Socket s = null;
        try {
            s = factory.createSocket();
            s.connect(InetSocketAddress.createUnresolved(hostOnly, port), remainingMillis(deadline, uri));
            OutputStream out = s.getOutputStream();
            out.write(request(uri, host, port, tls).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(new DeadlineInput(s, deadline, uri), 8192);
            return response(uri, in);
        } catch (NotAllowedException e) {
            throw new HttpError(403, "the socket policy does not let the console fetch " + uri + ": " + e.getMessage());
        } catch (SocketTimeoutException e) {
            throw new HttpError(504, "fetching " + uri + " did not complete within " + timeout.toSeconds()
                    + " s (connect, redirects and download together); the server is unreachable or too slow");
        } catch (SSLException e) {
            throw new HttpError(502, "cannot fetch " + uri + ": the TLS handshake failed (" + e.getMessage()
                    + "); the server's certificate must be valid for " + hostOnly + " and trusted by the JDK's trust store");
        } catch (IOException e) {
            throw new HttpError(502, "cannot fetch " + uri + ": " + e);
        } finally {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing a socket we are done with: nothing left to lose
                }
            }
        }
    }

    private int remainingMillis(long deadline, URI uri) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("deadline reached before " + uri);
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static String request(URI uri, String host, int port, boolean tls) {
        String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            target += "?" + uri.getRawQuery();
        }
        boolean defaultPort = port == (tls ? 443 : 80);
        return "GET " + target + " HTTP/1.1\r\n"
                + "Host: " + host + (defaultPort ? "" : ":" + port) + "\r\n"
                + "User-Agent: RawSockets-Console\r\n"
                + "Accept: application/java-archive, application/octet-stream, */*\r\n"
                + "Accept-Encoding: identity\r\n"
                + "Connection: close\r\n\r\n";
    }

    private Response response(URI uri, InputStream in) throws IOException {
        int[] headBudget = { MAX_HEAD };
        String status = line(uri, in, headBudget);
        if (status == null) {
            throw new HttpError(502, uri + " closed the connection without an HTTP response");
        }
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("\\d{3}")) {
            throw new HttpError(502, uri + " did not answer HTTP/1.x: " + printable(status));
        }
        int code = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        String location = null;
        while (true) {
            String h = line(uri, in, headBudget);
            if (h == null) {
                throw new HttpError(502, uri + " closed the connection inside the response headers");
            }
            if (h.isEmpty()) {
                break;
            }
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new HttpError(502, uri + " sent a malformed header line: " + printable(h));
            }
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> {
                    try {
                        long n = Long.parseLong(value);
                        if (n < 0 || length >= 0 && length != n) {
                            throw new NumberFormatException();
                        }
                        length = n;
                    } catch (NumberFormatException e) {
                        throw new HttpError(502, uri + " sent an invalid or conflicting Content-Length: " + printable(value));
                    }
                }
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
                case "location" -> location = value;
                default -> {
                    // not needed for a download
                }
            }
        }
        if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
            if (location == null || location.isBlank()) {
                throw new HttpError(502, uri + " answered HTTP " + code + " without a Location header");
            }
            return new Response(null, location);
        }
        if (code != 200) {
            throw new HttpError(502, "fetching " + uri + " answered HTTP " + code
                    + (parts.length > 2 ? " " + printable(parts[2]) : ""));
        }
        if (chunked) {
            return new Response(chunked(uri, in, headBudget), null);
        }
        if (length >= 0) {
            if (length > maxBytes) {
                throw tooLarge(uri, length + " bytes (Content-Length)");
            }
            byte[] body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new HttpError(502, uri + " closed the connection after " + body.length + " of " + length + " bytes");
            }
            return new Response(body, null);
        }
        byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (body.length > maxBytes) {
            throw tooLarge(uri, "more than " + maxBytes + " bytes");
        }
        return new Response(body, null);
    }

    /** A chunked body (RFC 9112 §7.1): sizes in hex, extensions ignored, trailers read and dropped. */
    private byte[] chunked(URI uri, InputStream in, int[] headBudget) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int[] lineBudget = { 1024 };
            String sizeLine = line(uri, in, lineBudget);
            if (sizeLine == null) {
                throw new HttpError(502, uri + " closed the connection inside the chunked body after " + body.size() + " bytes");
            }
            int semi = sizeLine.indexOf(';');
            String hex = (semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim();
            long size;
            try {
                if (hex.isEmpty() || hex.length() > 15) {
                    throw new NumberFormatException();
                }
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new HttpError(502, uri + " sent an invalid chunk size: " + printable(sizeLine));
            }
            if (size == 0) {
                String trailer;
                do {
                    trailer = line(uri, in, headBudget);
                } while (trailer != null && !trailer.isEmpty());
                return body.toByteArray();
            }
            if (body.size() + size > maxBytes) {
                throw tooLarge(uri, "more than " + maxBytes + " bytes (chunked)");
            }
            byte[] chunk = in.readNBytes((int) size);
            if (chunk.length < size) {
                throw new HttpError(502, uri + " closed the connection inside a chunk after " + (body.size() + chunk.length) + " bytes");
            }
            body.writeBytes(chunk);
            int cr = in.read();
            int lf = in.read();
            if (cr != '\r' || lf != '\n') {
                throw new HttpError(502, uri + " sent a chunk without its closing CRLF (the chunk size is wrong)");
            }
        }
    }

    private HttpError tooLarge(URI uri, String size) {
        return new HttpError(413, "the jar at " + uri + " is " + size + ", larger than " + maxBytes + " bytes (maxBundleBytes)");
    }

    /**
     * One CRLF- (or LF-) terminated line of at most {@code budget[0]} bytes, which it decrements;
     * null at the end of the stream before any byte.
     */
    private static String line(URI uri, InputStream in, int[] budget) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        while (true) {
            int c = in.read();
            if (c < 0) {
                return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
            }
            if (--budget[0] < 0) {
                throw new HttpError(502, uri + " sent a response head (status line and headers) longer than the limit");
            }
            if (c == '\n') {
                byte[] l = b.toByteArray();
                int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
                return new String(l, 0, n, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
    }

    static String printable(String s) {
        String t = s.length() > 120 ? s.substring(0, 120) + "..." : s;
        return "'" + t.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    /** The socket's input with every read limited to what is left of the download's deadline. */
    private static final class DeadlineInput extends FilterInputStream {

        private final Socket socket;
        private final long deadline;
        private final URI uri;

        DeadlineInput(Socket socket, long deadline, URI uri) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
            this.deadline = deadline;
            this.uri = uri;
        }

        private void arm() throws IOException {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("deadline reached while reading " + uri);
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        }

        @Override
        public int read() throws IOException {
            arm();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return super.read(b, off, len);
        }
    }
}
