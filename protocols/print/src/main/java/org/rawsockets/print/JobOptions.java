package org.rawsockets.print;

import java.util.Optional;

/**
 * What to ask of a job. Empty options are left to the printer's defaults. IPP sends them as job
 * attributes (copies, media, sides, document-format); LPD uses the name, copies and format (as its
 * l/f/o file type); raw 9100 uses the name and copies in the PJL wrapper.
 *
 * @param jobName job-name
 * @param userName requesting-user-name (IPP) / the control file's P line (LPD)
 * @param copies 1 or more
 * @param media a media keyword such as {@code iso_a4_210x297mm}, or empty
 * @param sides {@code one-sided}, {@code two-sided-long-edge}, {@code two-sided-short-edge}, or empty
 * @param format the document's MIME type ({@code application/pdf}); empty: application/octet-stream
 *        (the printer detects it)
 */
public record JobOptions(String jobName, String userName, int copies, Optional<String> media, Optional<String> sides,
        Optional<String> format) {

    public JobOptions {
        if (copies < 1 || copies > 9999) {
            throw new IllegalArgumentException("copies must be 1..9999, was " + copies);
        }
        jobName = jobName == null || jobName.isBlank() ? "job" : jobName;
        userName = userName == null || userName.isBlank() ? "rawsockets" : userName;
    }

    public static JobOptions named(String jobName) {
        return new JobOptions(jobName, null, 1, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public JobOptions withCopies(int n) {
        return new JobOptions(jobName, userName, n, media, sides, format);
    }

    public JobOptions withMedia(String m) {
        return new JobOptions(jobName, userName, copies, Optional.ofNullable(m), sides, format);
    }

    public JobOptions withSides(String s) {
        return new JobOptions(jobName, userName, copies, media, Optional.ofNullable(s), format);
    }

    public JobOptions withFormat(String f) {
        return new JobOptions(jobName, userName, copies, media, sides, Optional.ofNullable(f));
    }

    public JobOptions withUser(String u) {
        return new JobOptions(jobName, u, copies, media, sides, format);
    }
}
