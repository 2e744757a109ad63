package org.rawsockets.smtp;

import java.util.Objects;

/**
 * A message with its envelope, as {@link MessageBuilder} makes it: the Bcc recipients are in the
 * envelope only.
 *
 * @param envelope sender and every recipient (To, Cc and Bcc)
 * @param content the RFC 5322 message
 */
public record ComposedMessage(Envelope envelope, MessageSource content) {

    public ComposedMessage {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(content, "content");
    }
}
