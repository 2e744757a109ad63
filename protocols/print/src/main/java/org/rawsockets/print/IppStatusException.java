package org.rawsockets.print;

/**
 * The printer answered an IPP request with an unsuccessful status code (RFC 8011 section 4.1.6 and
 * appendix B), e.g. client-error-document-format-not-supported or server-error-busy.
 */
public class IppStatusException extends PrintException {
    private static final long serialVersionUID = 1L;
    private final int statusCode;

    public IppStatusException(int statusCode, String message) {
        super(message);
        this.statusCode = statusCode;
    }

    /** The IPP status code. */
    public int statusCode() {
        return statusCode;
    }

    /** The status code's keyword, e.g. {@code client-error-not-found}. */
    public String statusName() {
        return IppStatus.name(statusCode);
    }
}
