package org.rawsockets.print;

/** A job's state: IPP's job-state values (RFC 8011 5.3.7), and UNKNOWN where the protocol has none. */
public enum JobState {
    PENDING(3), PENDING_HELD(4), PROCESSING(5), PROCESSING_STOPPED(6), CANCELED(7), ABORTED(8), COMPLETED(9),
    /** The protocol (raw 9100, LPD after the queue forgot the job) does not tell; never guessed. */
    UNKNOWN(0);

    private final int code;

    JobState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** True for COMPLETED, CANCELED and ABORTED: the job will not change any more. */
    public boolean isTerminal() {
        return this == COMPLETED || this == CANCELED || this == ABORTED;
    }

    public static JobState of(int code) {
        for (JobState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
