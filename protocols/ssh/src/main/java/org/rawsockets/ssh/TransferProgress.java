package org.rawsockets.ssh;

/** Told how far an SFTP transfer is, from the worker thread that moves the bytes (keep it quick). */
@FunctionalInterface
public interface TransferProgress {

    /** Nothing to tell. */
    TransferProgress NONE = (done, total) -> {
    };

    /**
     * @param done bytes of the file now in place (for a resumed transfer, counting what was already there)
     * @param total the file's size, -1 when unknown
     */
    void progress(long done, long total);
}
