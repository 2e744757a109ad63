package org.rawsockets.print;

/** Told how far a document's transfer got, after each chunk the printer accepted. */
@FunctionalInterface
public interface ProgressListener {
    /**
     * @param sent document bytes the printer accepted so far
     * @param total the document's length, or -1 when unknown
     */
    void progress(long sent, long total);
}
