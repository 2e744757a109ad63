package org.rawsockets.smtp;

/**
 * An RFC 3463 enhanced mail system status code, {@code class.subject.detail} (e.g. {@code 5.1.1}).
 *
 * @param statusClass 2 (success), 4 (persistent transient failure) or 5 (permanent failure)
 * @param subject 0..999
 * @param detail 0..999
 */
public record EnhancedStatusCode(int statusClass, int subject, int detail) {

    public EnhancedStatusCode {
        if (statusClass != 2 && statusClass != 4 && statusClass != 5) {
            throw new IllegalArgumentException("enhanced status class must be 2, 4 or 5, was " + statusClass);
        }
        if (subject < 0 || subject > 999 || detail < 0 || detail > 999) {
            throw new IllegalArgumentException("enhanced status subject and detail must be 0..999");
        }
    }

    /**
     * Parses an enhanced status code at the start of {@code text} (followed by a space or the end).
     *
     * @return the code, or {@code null} when {@code text} does not start with one
     */
    public static EnhancedStatusCode parseAtStart(String text) {
        int[] parts = new int[3];
        int i = 0;
        for (int p = 0; p < 3; p++) {
            int start = i;
            int value = 0;
            while (i < text.length() && i - start < 3 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                value = value * 10 + (text.charAt(i) - '0');
                i++;
            }
            if (i == start || (p == 0 && i - start != 1)) {
                return null;
            }
            parts[p] = value;
            if (p < 2) {
                if (i >= text.length() || text.charAt(i) != '.') {
                    return null;
                }
                i++;
            }
        }
        if (i < text.length() && text.charAt(i) != ' ') {
            return null;
        }
        if (parts[0] != 2 && parts[0] != 4 && parts[0] != 5) {
            return null;
        }
        return new EnhancedStatusCode(parts[0], parts[1], parts[2]);
    }

    @Override
    public String toString() {
        return statusClass + "." + subject + "." + detail;
    }
}
