package org.rawsockets.smtp;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The SMTP envelope of one message: the reverse path ({@code MAIL FROM}), the recipients
 * ({@code RCPT TO}; this is where Bcc recipients go, never into headers), body type and RFC 3461
 * delivery status notification requests. Immutable; build with {@link #builder(String)}.
 *
 * <p>DSN parameters are sent only when the server offers DSN; otherwise they are left out (a DSN
 * request is advice to the server, not a condition of delivery).
 */
public final class Envelope {

    /** RFC 3461 {@code RET}: what a failure notification returns. */
    public enum DsnReturn {
        FULL, HDRS
    }

    /** RFC 3461 {@code NOTIFY} conditions; {@code NEVER} excludes the others. */
    public enum DsnNotify {
        NEVER, SUCCESS, FAILURE, DELAY
    }

    private final String from;
    private final List<String> recipients;
    private final boolean eightBitMime;
    private final boolean smtpUtf8;
    private final DsnReturn dsnReturn;
    private final String envelopeId;
    private final Set<DsnNotify> notify;

    private Envelope(Builder b) {
        this.from = b.from;
        this.recipients = List.copyOf(b.recipients);
        this.eightBitMime = b.eightBitMime;
        this.smtpUtf8 = b.smtpUtf8 || !isAscii(b.from) || b.recipients.stream().anyMatch(r -> !isAscii(r));
        this.dsnReturn = b.dsnReturn;
        this.envelopeId = b.envelopeId;
        this.notify = b.notify == null ? null : Set.copyOf(b.notify);
    }

    /** A builder with reverse path {@code from} ({@code ""} for the null reverse path). */
    public static Builder builder(String from) {
        return new Builder(from);
    }

    /** An envelope from {@code from} to {@code recipients} with no options. */
    public static Envelope of(String from, String... recipients) {
        Builder b = builder(from);
        for (String r : recipients) {
            b.to(r);
        }
        return b.build();
    }

    public String from() {
        return from;
    }

    public List<String> recipients() {
        return recipients;
    }

    /** Whether the body contains 8-bit data ({@code BODY=8BITMIME}). */
    public boolean eightBitMime() {
        return eightBitMime;
    }

    /**
     * Whether the message needs SMTPUTF8 (set explicitly for UTF-8 headers, and automatically when an
     * address is not ASCII).
     */
    public boolean smtpUtf8() {
        return smtpUtf8;
    }

    public Optional<DsnReturn> dsnReturn() {
        return Optional.ofNullable(dsnReturn);
    }

    public Optional<String> envelopeId() {
        return Optional.ofNullable(envelopeId);
    }

    /** NOTIFY for every recipient; empty: the server's default. */
    public Optional<Set<DsnNotify>> dsnNotify() {
        return Optional.ofNullable(notify);
    }

    /** Whether any DSN parameter is requested. */
    public boolean wantsDsn() {
        return dsnReturn != null || envelopeId != null || notify != null;
    }

    static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 128);
    }

    @Override
    public String toString() {
        return "Envelope[from=<" + from + ">, recipients=" + recipients.size() + ", eightBitMime=" + eightBitMime
                + ", smtpUtf8=" + smtpUtf8 + "]";
    }

    /** Builds an {@link Envelope}; addresses are checked at once. */
    public static final class Builder {
        private final String from;
        private final List<String> recipients = new ArrayList<>();
        private boolean eightBitMime;
        private boolean smtpUtf8;
        private DsnReturn dsnReturn;
        private String envelopeId;
        private Set<DsnNotify> notify;

        private Builder(String from) {
            Objects.requireNonNull(from, "from");
            if (!from.isEmpty()) {
                checkAddress("from", from);
            }
            this.from = from;
        }

        /** Adds a recipient (To, Cc or Bcc alike: the envelope does not tell them apart). */
        public Builder to(String address) {
            recipients.add(checkAddress("recipient", address));
            return this;
        }

        public Builder to(List<String> addresses) {
            addresses.forEach(this::to);
            return this;
        }

        public Builder eightBitMime(boolean eightBit) {
            this.eightBitMime = eightBit;
            return this;
        }

        public Builder smtpUtf8(boolean smtpUtf8) {
            this.smtpUtf8 = smtpUtf8;
            return this;
        }

        public Builder dsnReturn(DsnReturn ret) {
            this.dsnReturn = ret;
            return this;
        }

        /** 1..100 printable ASCII characters. */
        public Builder envelopeId(String envid) {
            if (envid != null && (envid.isEmpty() || envid.length() > 100
                    || !envid.chars().allMatch(c -> c >= 32 && c < 127))) {
                throw new IllegalArgumentException("smtp envelopeId must be 1..100 printable ASCII characters");
            }
            this.envelopeId = envid;
            return this;
        }

        public Builder dsnNotify(Set<DsnNotify> notify) {
            if (notify != null && (notify.isEmpty() || notify.contains(DsnNotify.NEVER) && notify.size() > 1)) {
                throw new IllegalArgumentException("smtp DSN notify must be NEVER alone or some of SUCCESS, FAILURE, DELAY");
            }
            this.notify = notify == null ? null : EnumSet.copyOf(notify);
            return this;
        }

        public Envelope build() {
            if (recipients.isEmpty()) {
                throw new IllegalArgumentException("smtp envelope needs at least one recipient");
            }
            return new Envelope(this);
        }

        static String checkAddress(String what, String address) {
            if (address == null || address.isEmpty() || address.length() > 320) {
                throw new IllegalArgumentException("smtp " + what + " address must be 1..320 characters, was '" + address + "'");
            }
            for (int i = 0; i < address.length(); i++) {
                char c = address.charAt(i);
                if (c <= 32 || c == 127 || c == '<' || c == '>') {
                    throw new IllegalArgumentException("smtp " + what + " address '" + address
                            + "' contains a space, control character or angle bracket; give the bare address (local@domain)");
                }
            }
            int at = address.lastIndexOf('@');
            if (at <= 0 || at == address.length() - 1) {
                throw new IllegalArgumentException("smtp " + what + " address '" + address + "' must be local@domain");
            }
            return address;
        }
    }
}
