package org.rawsockets.console.internal;

/** A request the console refuses: the HTTP status and a message for the caller (never a secret). */
public final class HttpError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final long retryAfter;

    public HttpError(int status, String message) {
        this(status, message, 0);
    }

    public HttpError(int status, String message, long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfterSeconds;
    }

    public int status() {
        return status;
    }
}
