package org.rawsockets.print;

import java.util.List;

/**
 * What a printer says about a job.
 *
 * @param id the job id (IPP job-id, LPD job number); 0 when the protocol has none (raw 9100)
 * @param state the state as reported; {@link JobState#UNKNOWN} when the protocol does not say
 * @param reasons IPP job-state-reasons keywords (empty for LPD and raw)
 * @param message the printer's own job-state-message, or what the protocol reported
 * @param name the job's name, or empty
 * @param impressionsCompleted job-impressions-completed, or -1 when not reported
 */
public record JobStatus(int id, JobState state, List<String> reasons, String message, String name,
        int impressionsCompleted) {

    public JobStatus {
        reasons = List.copyOf(reasons);
        message = message == null ? "" : message;
        name = name == null ? "" : name;
    }

    /** One line for people: "job 3 completed: printed successfully (the printer's message)". */
    public String describe() {
        String r = StateReasons.describe(reasons);
        StringBuilder b = new StringBuilder("job ").append(id).append(' ')
                .append(state.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        if (!r.isEmpty()) {
            b.append(": ").append(r);
        }
        if (!message.isEmpty()) {
            b.append(" (").append(message).append(')');
        }
        return b.toString();
    }
}
