package org.rawsockets.print;

/** The IPP operations this client sends (RFC 8011 section 5.2, PWG 5100.13 for Identify-Printer). */
public enum IppOperation {
    PRINT_JOB(0x0002), VALIDATE_JOB(0x0004), CREATE_JOB(0x0005), SEND_DOCUMENT(0x0006), CANCEL_JOB(0x0008),
    GET_JOB_ATTRIBUTES(0x0009), GET_JOBS(0x000A), GET_PRINTER_ATTRIBUTES(0x000B), IDENTIFY_PRINTER(0x003C);

    private final int code;

    IppOperation(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
