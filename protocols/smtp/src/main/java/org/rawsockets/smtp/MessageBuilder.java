package org.rawsockets.smtp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.rawsockets.smtp.internal.MimeComposer;

/**
 * Composes a common message (From, To, Cc, Bcc, Subject, a text and/or HTML body, attachments) as
 * MIME with Apache James mime4j, and its envelope. Bcc recipients go into the envelope only, never
 * into a header. Non-ASCII subjects and display names are encoded (RFC 2047); bodies are
 * quoted-printable UTF-8, attachments base64, so the result is 7-bit clean.
 *
 * <p>The composed message is held in memory (its size bounded by {@link #MAX_SIZE}); send large
 * content as a {@link MessageSource#of(Path)} instead.
 */
public final class MessageBuilder {

    /** Largest composed message, in bytes (attachments included, after base64). */
    public static final int MAX_SIZE = 32 * 1024 * 1024;

    /** A name and an address. */
    public record Mailbox(String name, String address) {
        public Mailbox {
            Envelope.Builder.checkAddress("mailbox", address);
        }
    }

    /** An attachment. */
    public record Attachment(String fileName, String contentType, byte[] data) {
        public Attachment {
            Objects.requireNonNull(fileName, "fileName");
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(data, "data");
        }
    }

    private Mailbox from;
    private final List<Mailbox> to = new ArrayList<>();
    private final List<Mailbox> cc = new ArrayList<>();
    private final List<Mailbox> bcc = new ArrayList<>();
    private final List<Mailbox> replyTo = new ArrayList<>();
    private String subject = "";
    private String text;
    private String html;
    private final List<Attachment> attachments = new ArrayList<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private ZonedDateTime date;
    private long attachmentBytes;

    private MessageBuilder() {
    }

    public static MessageBuilder create() {
        return new MessageBuilder();
    }

    public MessageBuilder from(String address) {
        return from(null, address);
    }

    public MessageBuilder from(String name, String address) {
        this.from = new Mailbox(name, address);
        return this;
    }

    public MessageBuilder to(String address) {
        return to(null, address);
    }

    public MessageBuilder to(String name, String address) {
        to.add(new Mailbox(name, address));
        return this;
    }

    public MessageBuilder cc(String address) {
        return cc(null, address);
    }

    public MessageBuilder cc(String name, String address) {
        cc.add(new Mailbox(name, address));
        return this;
    }

    /** A blind copy: in the envelope, never in the headers. */
    public MessageBuilder bcc(String address) {
        bcc.add(new Mailbox(null, address));
        return this;
    }

    public MessageBuilder replyTo(String address) {
        replyTo.add(new Mailbox(null, address));
        return this;
    }

    public MessageBuilder subject(String subject) {
        this.subject = Objects.requireNonNull(subject, "subject");
        return this;
    }

    /** The plain text body. */
    public MessageBuilder text(String text) {
        this.text = text;
        return this;
    }

    /** The HTML body (with a text body too, the two become multipart/alternative). */
    public MessageBuilder html(String html) {
        this.html = html;
        return this;
    }

    public MessageBuilder attach(String fileName, String contentType, byte[] data) {
        attachmentBytes += data.length;
        if (attachmentBytes > MAX_SIZE / 4 * 3) {
            throw new IllegalArgumentException("attachments over " + (MAX_SIZE / 4 * 3)
                    + " bytes do not fit the builder; send large content as a MessageSource of a file");
        }
        attachments.add(new Attachment(fileName, contentType, data));
        return this;
    }

    /** Attaches a file (read now). */
    public MessageBuilder attach(Path file, String contentType) {
        try {
            long size = Files.size(file);
            if (attachmentBytes + size > MAX_SIZE / 4 * 3) {
                throw new IllegalArgumentException("attachment " + file + " (" + size
                        + " bytes) does not fit the builder; send large content as a MessageSource of a file");
            }
            return attach(file.getFileName().toString(), contentType, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read attachment " + file, e);
        }
    }

    /** An extra header (not From/To/Cc/Bcc/Subject/Date/MIME headers). */
    public MessageBuilder header(String name, String value) {
        if (name == null || !name.matches("[!-9;-~]+") || value == null || value.indexOf('\r') >= 0
                || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header name must be printable ASCII without ':' and the value one line");
        }
        if (name.equalsIgnoreCase("bcc")) {
            throw new IllegalArgumentException("Bcc is never written as a header; use bcc(address)");
        }
        headers.put(name, value);
        return this;
    }

    public MessageBuilder date(ZonedDateTime date) {
        this.date = date;
        return this;
    }

    /**
     * The MIME message and its envelope (sender: From; recipients: To, Cc and Bcc).
     *
     * @throws IllegalArgumentException when From or every recipient is missing, or the message is too big
     */
    public ComposedMessage build() {
        if (from == null) {
            throw new IllegalArgumentException("the message needs a From address");
        }
        if (to.isEmpty() && cc.isEmpty() && bcc.isEmpty()) {
            throw new IllegalArgumentException("the message needs at least one To, Cc or Bcc recipient");
        }
        byte[] bytes = MimeComposer.compose(from, to, cc, replyTo, subject, text, html, attachments, headers,
                date == null ? ZonedDateTime.now() : date, MAX_SIZE);
        Envelope.Builder env = Envelope.builder(from.address());
        to.forEach(m -> env.to(m.address()));
        cc.forEach(m -> env.to(m.address()));
        bcc.forEach(m -> env.to(m.address()));
        return new ComposedMessage(env.build(), MessageSource.of(bytes));
    }
}
