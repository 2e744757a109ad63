package org.rawsockets.smtp.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.message.BodyPartBuilder;
import org.apache.james.mime4j.message.DefaultMessageWriter;
import org.apache.james.mime4j.message.MultipartBuilder;
import org.apache.james.mime4j.stream.RawField;
import org.rawsockets.smtp.MessageBuilder;

/** Builds MIME with mime4j for {@link MessageBuilder}. */
public final class MimeComposer {

    private MimeComposer() {
    }

    public static byte[] compose(MessageBuilder.Mailbox from, List<MessageBuilder.Mailbox> to,
            List<MessageBuilder.Mailbox> cc, List<MessageBuilder.Mailbox> replyTo, String subject, String text,
            String html, List<MessageBuilder.Attachment> attachments, Map<String, String> headers,
            ZonedDateTime date, int maxSize) {
        try {
            Message.Builder m = Message.Builder.of();
            m.setFrom(mailbox(from));
            if (!to.isEmpty()) {
                m.setTo(to.stream().map(MimeComposer::mailbox).toArray(Address[]::new));
            }
            if (!cc.isEmpty()) {
                m.setCc(cc.stream().map(MimeComposer::mailbox).toArray(Address[]::new));
            }
            if (!replyTo.isEmpty()) {
                m.setReplyTo(replyTo.stream().map(MimeComposer::mailbox).toArray(Address[]::new));
            }
            m.setSubject(subject);
            m.setDate(Date.from(date.toInstant()), TimeZone.getTimeZone(date.getZone()));
            String domain = from.address().substring(from.address().lastIndexOf('@') + 1);
            m.generateMessageId(domain);
            m.setField(new RawField("MIME-Version", "1.0"));
            headers.forEach((k, v) -> m.addField(new RawField(k, v)));

            BodyPartBuilder content = null;
            if (text != null && html != null) {
                MultipartBuilder alt = MultipartBuilder.create("alternative");
                alt.addBodyPart(textPart(text, "plain"));
                alt.addBodyPart(textPart(html, "html"));
                content = BodyPartBuilder.create().setBody(alt.build());
            } else if (html != null) {
                content = textPart(html, "html");
            } else {
                content = textPart(text == null ? "" : text, "plain");
            }
            if (attachments.isEmpty()) {
                var part = content.build();
                m.setBody(part.getBody());
                part.getHeader().getFields().forEach(f -> {
                    if (f.getName().toLowerCase(java.util.Locale.ROOT).startsWith("content-")) {
                        m.setField(f);
                    }
                });
            } else {
                MultipartBuilder mixed = MultipartBuilder.create("mixed");
                mixed.addBodyPart(content);
                for (MessageBuilder.Attachment a : attachments) {
                    mixed.addBodyPart(BodyPartBuilder.create().setBody(a.data(), a.contentType())
                            .setContentTransferEncoding("base64").setContentDisposition("attachment", a.fileName()));
                }
                m.setBody(mixed.build());
            }
            ByteArrayOutputStream out = new BoundedOutput(maxSize);
            new DefaultMessageWriter().writeMessage(m.build(), out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("composing the message failed: " + e.getMessage(), e);
        } finally {
            // the caller's thread outlives this bundle: mime4j's per-thread recyclers would keep its class loader
            Mime4jThreadLocals.release();
        }
    }

    private static BodyPartBuilder textPart(String text, String subtype) throws IOException {
        return BodyPartBuilder.create().setBody(text, subtype, StandardCharsets.UTF_8)
                .setContentTransferEncoding("quoted-printable");
    }

    private static Mailbox mailbox(MessageBuilder.Mailbox mb) {
        String a = mb.address();
        int at = a.lastIndexOf('@');
        return new Mailbox(mb.name(), a.substring(0, at), a.substring(at + 1));
    }

    private static final class BoundedOutput extends ByteArrayOutputStream {
        private final int max;

        BoundedOutput(int max) {
            super(8192);
            this.max = max;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            check(len);
            super.write(b, off, len);
        }

        @Override
        public synchronized void write(int b) {
            check(1);
            super.write(b);
        }

        private void check(int more) {
            if (count + more > max) {
                throw new IllegalArgumentException("the composed message is larger than " + max
                        + " bytes; send large content as a MessageSource of a file");
            }
        }
    }
}
