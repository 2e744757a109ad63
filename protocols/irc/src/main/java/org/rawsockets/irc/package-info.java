/**
 * IRC client (RFC 1459/2812 with the IRCv3 capabilities) on the Raw Sockets socket service.
 *
 * <h2>Codec</h2>
 * {@link org.rawsockets.irc.IrcMessage} is one message (IRCv3 tags, source, command, parameters);
 * {@link org.rawsockets.irc.IrcMessage#parse(String)} reads a line with the limits (512 bytes, 8191
 * bytes of tags); {@link org.rawsockets.irc.IrcText} strips formatting and reads and writes CTCP.
 *
 * <h2>Errors</h2>
 * Failures are {@link org.rawsockets.irc.IrcException} subtypes
 * ({@link org.rawsockets.irc.IrcProtocolException}, {@link org.rawsockets.irc.IrcRegistrationException},
 * {@link org.rawsockets.irc.IrcDisconnectedException}) or the socket API's
 * {@link org.rawsockets.socket.RawSocketException} subtypes for transport failures.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.rawsockets.irc;
