package org.rawsockets.print;

/**
 * The printer's HTTP server answered an IPP request with an error status: 401 (credentials missing
 * or wrong), 403, 404 (wrong printer path), 426 (TLS required: use {@code ipps://}), 5xx (server
 * failure; the job state is unknown unless a later query says otherwise).
 */
public class HttpStatusException extends PrintException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public HttpStatusException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status code. */
    public int status() {
        return status;
    }
}
