package org.rawsockets.ssh;

import java.time.Duration;

/**
 * A finished SFTP transfer.
 *
 * @param size the file's size now at the destination
 * @param transferred bytes moved by this transfer (less than {@code size} when resumed)
 * @param resumedFrom the offset this transfer started at (0 when not resumed)
 * @param elapsed how long it took
 */
public record TransferResult(long size, long transferred, long resumedFrom, Duration elapsed) {

    /** Transfer rate in MiB/s. */
    public double mibPerSecond() {
        double s = Math.max(1, elapsed.toNanos()) / 1e9;
        return transferred / (1024.0 * 1024.0) / s;
    }
}
