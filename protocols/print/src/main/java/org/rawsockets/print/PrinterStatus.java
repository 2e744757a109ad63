package org.rawsockets.print;

import java.util.List;

/**
 * What a printer says about itself.
 *
 * @param state printer-state; UNKNOWN where the protocol has none
 * @param reasons printer-state-reasons keywords
 * @param message printer-state-message, an LPD short queue listing, or a PJL status display
 * @param acceptingJobs printer-is-accepting-jobs (true when the protocol does not say)
 */
public record PrinterStatus(PrinterState state, List<String> reasons, String message, boolean acceptingJobs) {

    public PrinterStatus {
        reasons = List.copyOf(reasons);
        message = message == null ? "" : message;
    }

    public String describe() {
        String r = StateReasons.describe(reasons);
        StringBuilder b = new StringBuilder(state.name().toLowerCase(java.util.Locale.ROOT));
        if (!acceptingJobs) {
            b.append(", not accepting jobs");
        }
        if (!r.isEmpty()) {
            b.append(": ").append(r);
        }
        if (!message.isEmpty()) {
            b.append(" (").append(message.strip()).append(')');
        }
        return b.toString();
    }
}
