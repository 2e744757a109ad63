package org.rawsockets.coap.internal;

import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.MessageFormatException;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.rawsockets.coap.CoapProtocolException;

/**
 * The decoder every received datagram passes before Californium's endpoint sees it: header checks of
 * RFC 7252 section 3, then Californium's {@code UdpDataParser}, with one typed error
 * ({@link CoapProtocolException}). Californium 3.13's parser alone throws untyped
 * {@code IllegalStateException}s for some malformed input (an Empty message with bytes after the
 * Message ID; a payload larger than the message's Block1/Block2 size), found by {@code CodecFuzzTest}, and
 * parses a Reset with a code it then cannot serialize, found by {@code CoapMessageFuzzTarget};
 * the connector drops (and counts) every datagram this refuses, so those never reach the stack.
 */
final class Datagrams {

    private static final UdpDataParser PARSER = new UdpDataParser();

    private Datagrams() {
    }

    /** Why {@code d} is not a CoAP message, or {@code null} when its header is well-formed. */
    static String malformed(byte[] d) {
        if (d.length < 4) {
            return "datagram of " + d.length + " bytes, shorter than the 4-byte CoAP header";
        }
        int version = (d[0] >> 6) & 0x3;
        if (version != 1) {
            return "version " + version + ", not 1";
        }
        int tkl = d[0] & 0x0F;
        if (tkl > 8) {
            return "token length " + tkl + " (9..15 are reserved)";
        }
        if (d.length < 4 + tkl) {
            return "token of " + tkl + " bytes truncated after " + (d.length - 4);
        }
        if (d[1] == 0 && d.length > 4) {
            return "Empty message (code 0.00) with " + (d.length - 4) + " bytes after the Message ID";
        }
        if (((d[0] >> 4) & 0x3) == 3 && d[1] != 0) {
            // found by CoapMessageFuzzTarget: Californium parses it, then fails on it untyped ("RST must use code 0")
            return "Reset message with code " + ((d[1] >> 5) & 0x7) + "." + String.format("%02d", d[1] & 0x1F)
                    + " (a Reset is always Empty, code 0.00: RFC 7252 section 4.2)";
        }
        return null;
    }

    /** Decodes one datagram; every malformed one is a {@link CoapProtocolException} saying why. */
    static Message decode(byte[] d) throws CoapProtocolException {
        String why = malformed(d);
        if (why != null) {
            throw new CoapProtocolException("malformed CoAP datagram: " + why, null);
        }
        try {
            return PARSER.parseMessage(d);
        } catch (MessageFormatException e) {
            throw new CoapProtocolException("malformed CoAP datagram: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Californium checks some rules with IllegalStateException/IllegalArgumentException
            // (e.g. a payload larger than its Block1/Block2 size): malformed all the same
            throw new CoapProtocolException("malformed CoAP datagram: " + e.getMessage(), e);
        }
    }
}
