package org.rawsockets.print;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Clear messages for IPP's printer-state-reasons and job-state-reasons keywords (RFC 8011 5.3.8,
 * 5.4.12, PWG 5100.x). A reason's -report, -warning and -error suffix is kept as its severity.
 */
public final class StateReasons {

    private StateReasons() {
    }

    private static final Map<String, String> TEXT = Map.ofEntries(
            Map.entry("none", "no problem"),
            Map.entry("other", "a problem the printer does not name"),
            Map.entry("media-empty", "out of paper"),
            Map.entry("media-needed", "paper needed (load the requested media)"),
            Map.entry("media-low", "paper low"),
            Map.entry("media-jam", "paper jam"),
            Map.entry("input-tray-missing", "an input tray is missing"),
            Map.entry("output-area-full", "the output tray is full"),
            Map.entry("output-tray-missing", "the output tray is missing"),
            Map.entry("toner-low", "toner low"),
            Map.entry("toner-empty", "out of toner"),
            Map.entry("marker-supply-low", "ink or toner low"),
            Map.entry("marker-supply-empty", "out of ink or toner"),
            Map.entry("marker-waste-almost-full", "the waste container is almost full"),
            Map.entry("marker-waste-full", "the waste container is full"),
            Map.entry("door-open", "a door is open"),
            Map.entry("cover-open", "a cover is open"),
            Map.entry("interlock-open", "an interlock is open"),
            Map.entry("offline", "the printer is offline"),
            Map.entry("paused", "the printer is paused by an operator"),
            Map.entry("moving-to-paused", "the printer is pausing"),
            Map.entry("shutdown", "the printer is shutting down"),
            Map.entry("connecting-to-device", "the printer is connecting to its device"),
            Map.entry("timed-out", "the printer's device does not answer"),
            Map.entry("spool-area-full", "the printer's spool area is full: it cannot take jobs"),
            Map.entry("stopped-partly", "some of the printer's functions are stopped"),
            Map.entry("stopping", "the printer is stopping"),
            Map.entry("identify-printer-requested", "the printer was asked to identify itself"),
            Map.entry("job-incoming", "the job is still being received"),
            Map.entry("job-data-insufficient", "not enough data yet to start the job"),
            Map.entry("job-queued", "waiting in the queue"),
            Map.entry("job-transforming", "the document is being converted"),
            Map.entry("job-printing", "printing"),
            Map.entry("job-fetchable", "waiting to be fetched by the printer"),
            Map.entry("job-hold-until-specified", "held until a set time"),
            Map.entry("job-held-for-review", "held for review by an operator"),
            Map.entry("job-password-wait", "held until its password is entered at the printer"),
            Map.entry("printer-stopped", "waiting: the printer is stopped"),
            Map.entry("printer-stopped-partly", "waiting: the printer is partly stopped"),
            Map.entry("processing-to-stop-point", "canceling: finishing the current page"),
            Map.entry("job-completed-successfully", "printed successfully"),
            Map.entry("job-completed-with-warnings", "printed, with warnings"),
            Map.entry("job-completed-with-errors", "printed, with errors"),
            Map.entry("job-canceled-by-user", "canceled by a user"),
            Map.entry("job-canceled-by-operator", "canceled by an operator"),
            Map.entry("job-canceled-at-device", "canceled at the printer"),
            Map.entry("aborted-by-system", "aborted by the printer"),
            Map.entry("unsupported-document-format", "aborted: the printer does not support the document format"),
            Map.entry("document-format-error", "aborted: the document could not be read (format error)"),
            Map.entry("document-access-error", "aborted: the printer could not fetch the document"),
            Map.entry("compression-error", "aborted: the document could not be decompressed"),
            Map.entry("unsupported-compression", "aborted: unsupported compression"),
            Map.entry("submission-interrupted", "aborted: the document did not arrive completely"),
            Map.entry("service-off-line", "aborted: the printer's service is offline"),
            Map.entry("queued-in-device", "queued in the printing device"),
            Map.entry("resources-are-not-ready", "waiting for resources (fonts, forms) to be ready"));

    /** One reason in words, with its severity, e.g. "paper jam (error)". */
    public static String describe(String keyword) {
        String k = keyword.toLowerCase(Locale.ROOT);
        String severity = null;
        for (String suffix : List.of("-report", "-warning", "-error")) {
            if (k.endsWith(suffix)) {
                severity = suffix.substring(1);
                k = k.substring(0, k.length() - suffix.length());
                break;
            }
        }
        String text = TEXT.getOrDefault(k, k.replace('-', ' '));
        return severity == null ? text : text + " (" + severity + ")";
    }

    /** Several reasons, "none" left out; empty when there is nothing to say. */
    public static String describe(List<String> keywords) {
        return keywords.stream().filter(k -> !k.equals("none")).map(StateReasons::describe)
                .collect(Collectors.joining("; "));
    }
}
