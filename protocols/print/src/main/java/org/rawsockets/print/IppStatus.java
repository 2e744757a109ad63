package org.rawsockets.print;

import java.util.Map;

/** IPP status codes (RFC 8011 appendix B, PWG 5100.x) and their keywords and meanings. */
public final class IppStatus {

    public static final int SUCCESSFUL_OK = 0x0000;

    private IppStatus() {
    }

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0x0000, "successful-ok"),
            Map.entry(0x0001, "successful-ok-ignored-or-substituted-attributes"),
            Map.entry(0x0002, "successful-ok-conflicting-attributes"),
            Map.entry(0x0400, "client-error-bad-request"),
            Map.entry(0x0401, "client-error-forbidden"),
            Map.entry(0x0402, "client-error-not-authenticated"),
            Map.entry(0x0403, "client-error-not-authorized"),
            Map.entry(0x0404, "client-error-not-possible"),
            Map.entry(0x0405, "client-error-timeout"),
            Map.entry(0x0406, "client-error-not-found"),
            Map.entry(0x0407, "client-error-gone"),
            Map.entry(0x0408, "client-error-request-entity-too-large"),
            Map.entry(0x0409, "client-error-request-value-too-long"),
            Map.entry(0x040A, "client-error-document-format-not-supported"),
            Map.entry(0x040B, "client-error-attributes-or-values-not-supported"),
            Map.entry(0x040C, "client-error-uri-scheme-not-supported"),
            Map.entry(0x040D, "client-error-charset-not-supported"),
            Map.entry(0x040E, "client-error-conflicting-attributes"),
            Map.entry(0x040F, "client-error-compression-not-supported"),
            Map.entry(0x0410, "client-error-compression-error"),
            Map.entry(0x0411, "client-error-document-format-error"),
            Map.entry(0x0412, "client-error-document-access-error"),
            Map.entry(0x0418, "client-error-not-fetchable"),
            Map.entry(0x0500, "server-error-internal-error"),
            Map.entry(0x0501, "server-error-operation-not-supported"),
            Map.entry(0x0502, "server-error-service-unavailable"),
            Map.entry(0x0503, "server-error-version-not-supported"),
            Map.entry(0x0504, "server-error-device-error"),
            Map.entry(0x0505, "server-error-temporary-error"),
            Map.entry(0x0506, "server-error-not-accepting-jobs"),
            Map.entry(0x0507, "server-error-busy"),
            Map.entry(0x0508, "server-error-job-canceled"),
            Map.entry(0x0509, "server-error-multiple-document-jobs-not-supported"));

    private static final Map<Integer, String> MEANINGS = Map.ofEntries(
            Map.entry(0x0400, "the printer could not understand the request"),
            Map.entry(0x0401, "the printer refuses this request from this user"),
            Map.entry(0x0402, "the printer wants authentication: configure a user and a password"),
            Map.entry(0x0403, "the configured user may not do this"),
            Map.entry(0x0404, "the request is not possible in the printer's or job's current state"),
            Map.entry(0x0406, "no such job or printer"),
            Map.entry(0x0407, "the job or printer is gone"),
            Map.entry(0x0408, "the document is too large for this printer"),
            Map.entry(0x040A, "the printer does not accept this document format: see document-format-supported"),
            Map.entry(0x040B, "the printer does not support some requested attributes or values"),
            Map.entry(0x0411, "the printer could not read the document"),
            Map.entry(0x0501, "the printer does not support this operation"),
            Map.entry(0x0502, "the printer's service is unavailable: try again later"),
            Map.entry(0x0503, "the printer does not support this IPP version"),
            Map.entry(0x0504, "the printer reports a device error"),
            Map.entry(0x0505, "a temporary printer error: try again later"),
            Map.entry(0x0506, "the printer is not accepting jobs"),
            Map.entry(0x0507, "the printer is busy: try again later"),
            Map.entry(0x0508, "the job was canceled"));

    /** The keyword of a status code, or {@code 0x....} when unknown. */
    public static String name(int code) {
        String n = NAMES.get(code);
        return n != null ? n : String.format("0x%04x", code);
    }

    /** What a status code means for the user, or its keyword. */
    public static String meaning(int code) {
        return MEANINGS.getOrDefault(code, name(code));
    }
}
