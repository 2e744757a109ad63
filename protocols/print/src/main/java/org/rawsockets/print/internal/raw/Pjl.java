package org.rawsockets.print.internal.raw;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rawsockets.print.PrinterState;
import org.rawsockets.print.PrinterStatus;

/**
 * HP's Printer Job Language, the parts a raw 9100 client needs: the job wrapper (UEL, {@code @PJL JOB},
 * {@code @PJL EOJ}) and {@code @PJL INFO STATUS} with its answer (CODE, DISPLAY, ONLINE; ended by a
 * form feed).
 */
public final class Pjl {

    /** Universal Exit Language: ESC %-12345X. */
    public static final String UEL = "\u001B%-12345X";

    private Pjl() {
    }

    /** A name safe inside PJL's double quotes (printable ASCII, no quote), at most 80 characters. */
    static String safe(String name) {
        StringBuilder b = new StringBuilder();
        for (char c : name.toCharArray()) {
            b.append(c >= 32 && c < 127 && c != '"' ? c : '_');
        }
        return b.length() > 80 ? b.substring(0, 80) : b.toString();
    }

    public static byte[] jobStart(String name, int copies) {
        return jobStart(name, copies, false);
    }

    /** The job header; with {@code ustatus} it asks for unsolicited job and device status first. */
    public static byte[] jobStart(String name, int copies, boolean ustatus) {
        StringBuilder b = new StringBuilder(UEL).append("@PJL\r\n");
        if (ustatus) {
            b.append("@PJL USTATUS JOB=ON\r\n@PJL USTATUS DEVICE=ON\r\n");
        }
        b.append("@PJL JOB NAME=\"").append(safe(name)).append("\"\r\n");
        if (copies > 1) {
            b.append("@PJL SET COPIES=").append(copies).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    public static byte[] jobEnd(String name) {
        return (UEL + "@PJL\r\n@PJL EOJ NAME=\"" + safe(name) + "\"\r\n" + UEL).getBytes(StandardCharsets.US_ASCII);
    }

    public static byte[] infoStatus() {
        return (UEL + "@PJL\r\n@PJL INFO STATUS\r\n" + UEL).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * An unsolicited status message ({@code @PJL USTATUS JOB|DEVICE|PAGE|TIMED}, then its lines, without
     * the form feed): its kind, the first word line of a JOB message (START or END) and its variables.
     */
    public record Ustatus(String kind, String event, Map<String, String> values) {

        /** Parses a message, or null when it is not a USTATUS message. */
        public static Ustatus parse(String text) {
            String[] lines = text.strip().split("\r?\n");
            if (lines.length == 0 || !lines[0].strip().toUpperCase(java.util.Locale.ROOT).startsWith("@PJL USTATUS ")) {
                return null;
            }
            String kind = lines[0].strip().substring(13).strip().toUpperCase(java.util.Locale.ROOT);
            String event = lines.length > 1 && lines[1].indexOf('=') < 0 ? lines[1].strip().toUpperCase(java.util.Locale.ROOT)
                    : "";
            return new Ustatus(kind, event, Pjl.parse(text));
        }
    }

    /** Parses the lines of an INFO STATUS answer (without the form feed). */
    public static Map<String, String> parse(String answer) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : answer.split("\r?\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("@PJL")) {
                String v = line.substring(eq + 1).strip();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                out.put(line.substring(0, eq).strip().toUpperCase(java.util.Locale.ROOT), v);
            }
        }
        return out;
    }

    /** Maps the PJL status code (HP's PJL Technical Reference, status codes) to a printer status. */
    public static PrinterStatus status(Map<String, String> info) {
        int code;
        try {
            code = Integer.parseInt(info.getOrDefault("CODE", "0"));
        } catch (NumberFormatException e) {
            code = 0;
        }
        boolean online = !"FALSE".equalsIgnoreCase(info.getOrDefault("ONLINE", "TRUE"));
        List<String> reasons = new ArrayList<>();
        PrinterState state;
        int group = code / 1000;
        if (code == 10001 || code == 10002) {
            state = PrinterState.IDLE;
        } else if (code == 10023 || code == 10024 || code == 10003 || code == 10004 || code == 10005) {
            state = PrinterState.PROCESSING;
        } else if (code == 10006 || code == 10014) {
            state = PrinterState.IDLE;
            reasons.add("toner-low-warning");
        } else if (group == 40) {
            state = PrinterState.STOPPED;
            reasons.add(code == 40021 ? "door-open-error" : "other-error");
        } else if (group == 41) {
            state = PrinterState.STOPPED;
            reasons.add("media-empty-error");
        } else if (group == 42 || group == 44) {
            state = PrinterState.STOPPED;
            reasons.add("media-jam-error");
        } else if (group == 30 || group == 35) {
            state = PrinterState.IDLE;
            reasons.add("other-warning");
        } else {
            state = PrinterState.UNKNOWN;
        }
        if (!online) {
            state = PrinterState.STOPPED;
            reasons.add("offline-report");
        }
        String display = info.getOrDefault("DISPLAY", "");
        return new PrinterStatus(state, reasons, (display.isEmpty() ? "" : display + " ") + "(PJL code " + code + ")",
                online);
    }
}
