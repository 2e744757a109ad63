package org.rawsockets.smtp;

/**
 * Told as message data goes out. Called on the session's worker thread after each block handed
 * to the socket; keep it short.
 */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that does nothing. */
    ProgressListener NONE = (sent, total) -> {
    };

    /**
     * @param bytesRead message bytes read from the source so far
     * @param totalBytes the source size, or -1 when unknown
     */
    void progress(long bytesRead, long totalBytes);
}
