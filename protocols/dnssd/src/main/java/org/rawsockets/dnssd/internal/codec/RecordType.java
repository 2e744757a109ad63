package org.rawsockets.dnssd.internal.codec;

/** The record types this codec knows the data of, and their names; others are kept as raw bytes. */
public final class RecordType {

    public static final int A = 1;
    public static final int PTR = 12;
    public static final int TXT = 16;
    public static final int AAAA = 28;
    public static final int SRV = 33;
    public static final int NSEC = 47;
    public static final int ANY = 255;
    public static final int CLASS_IN = 1;

    private RecordType() {
    }

    public static String name(int type) {
        return switch (type) {
            case A -> "A";
            case PTR -> "PTR";
            case TXT -> "TXT";
            case AAAA -> "AAAA";
            case SRV -> "SRV";
            case NSEC -> "NSEC";
            case ANY -> "ANY";
            default -> "TYPE" + type;
        };
    }

    /** A type by name ({@code PTR}, {@code srv}) or as {@code TYPE<n>} / a number. */
    public static int parse(String s) {
        String t = s.strip().toUpperCase(java.util.Locale.ROOT);
        for (int k : new int[] { A, PTR, TXT, AAAA, SRV, NSEC, ANY }) {
            if (name(k).equals(t)) {
                return k;
            }
        }
        try {
            int n = Integer.parseInt(t.startsWith("TYPE") ? t.substring(4) : t);
            if (n >= 1 && n <= 65535) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("'" + s + "' is not a DNS record type; use A, AAAA, PTR, SRV, TXT, NSEC,"
                + " ANY or TYPE<1..65535>");
    }
}
