package org.rawsockets.print;

/** A printer's state: IPP's printer-state (RFC 8011 5.4.11), UNKNOWN where the protocol has none. */
public enum PrinterState {
    IDLE(3), PROCESSING(4), STOPPED(5), UNKNOWN(0);

    private final int code;

    PrinterState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static PrinterState of(int code) {
        for (PrinterState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
