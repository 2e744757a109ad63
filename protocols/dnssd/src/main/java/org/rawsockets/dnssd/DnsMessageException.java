package org.rawsockets.dnssd;

/**
 * A DNS message that cannot be decoded (truncated, a compression pointer out of range or in a
 * loop, a name longer than 255 bytes, a record whose data does not fit its type): the message
 * names the offset and the rule broken. Received datagrams that fail so are dropped and counted
 * ({@link DnsSdStatus#malformedMessages()}); nothing else is lost.
 */
public class DnsMessageException extends DnsSdException {

    private static final long serialVersionUID = 1L;

    public DnsMessageException(String message) {
        super(message);
    }
}
