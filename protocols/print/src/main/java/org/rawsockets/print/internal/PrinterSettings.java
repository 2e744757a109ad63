package org.rawsockets.print.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import org.rawsockets.socket.TlsOptions;

/**
 * How one printer is reached: the name and URI, time limits, bounds and credentials.
 *
 * @param timeout the longest wait for the printer's next bytes, or for it to take the next chunk
 * @param password read when needed (from a secret file), never held by the settings
 * @param pjlJobStatus raw 9100 with PJL: ask for unsolicited status (USTATUS) and wait for the job's end
 */
public record PrinterSettings(String name, PrinterUri uri, Duration connectTimeout, Duration timeout,
        Duration jobTimeout, int maxResponseBytes, int chunkSize, String user, Optional<Supplier<char[]>> password,
        TlsOptions tls, boolean pjl, boolean pjlJobStatus) {

    public String label() {
        return name + " (" + uri.text() + ")";
    }

    public static PrinterSettings defaults(String name, String uri) {
        return new PrinterSettings(name, PrinterUri.parse(uri), Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofMinutes(5), 4 * 1024 * 1024, 128 * 1024, "rawsockets", Optional.empty(),
                TlsOptions.off(), false, false);
    }

    public PrinterSettings withTimeout(Duration t) {
        return new PrinterSettings(name, uri, connectTimeout, t, jobTimeout, maxResponseBytes, chunkSize, user, password,
                tls, pjl, pjlJobStatus);
    }

    public PrinterSettings withTls(TlsOptions t) {
        return new PrinterSettings(name, uri, connectTimeout, timeout, jobTimeout, maxResponseBytes, chunkSize, user,
                password, t, pjl, pjlJobStatus);
    }

    public PrinterSettings withCredentials(String u, Supplier<char[]> p) {
        return new PrinterSettings(name, uri, connectTimeout, timeout, jobTimeout, maxResponseBytes, chunkSize, u,
                Optional.ofNullable(p), tls, pjl, pjlJobStatus);
    }

    public PrinterSettings withPjl(boolean on) {
        return new PrinterSettings(name, uri, connectTimeout, timeout, jobTimeout, maxResponseBytes, chunkSize, user,
                password, tls, on, pjlJobStatus);
    }

    public PrinterSettings withPjlJobStatus(boolean on) {
        return new PrinterSettings(name, uri, connectTimeout, timeout, jobTimeout, maxResponseBytes, chunkSize, user,
                password, tls, pjl, on);
    }

    public PrinterSettings withChunkSize(int n) {
        return new PrinterSettings(name, uri, connectTimeout, timeout, jobTimeout, maxResponseBytes, n, user, password, tls,
                pjl, pjlJobStatus);
    }

    public PrinterSettings withMaxResponseBytes(int n) {
        return new PrinterSettings(name, uri, connectTimeout, timeout, jobTimeout, n, chunkSize, user, password, tls, pjl, pjlJobStatus);
    }
}
