/**
 * SMTP client (RFC 5321) on the Raw Sockets socket service: submission with STARTTLS, implicit TLS
 * and plain SMTP; AUTH PLAIN/LOGIN/XOAUTH2; PIPELINING, SIZE, 8BITMIME, SMTPUTF8, DSN, CHUNKING.
 *
 * <h2>Entry points</h2>
 * <ul>
 * <li>{@link org.rawsockets.smtp.SmtpClient#connect(org.rawsockets.socket.SocketService, SmtpSettings)}
 * opens one {@link org.rawsockets.smtp.SmtpSession} (plain Java, no OSGi needed).</li>
 * <li>{@link org.rawsockets.smtp.MailSender}: the OSGi service registered per configured mail
 * server (factory PID {@code org.rawsockets.smtp.server}), with service property {@code name}.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * Stages fail with {@link org.rawsockets.smtp.SmtpException} subtypes (a server reply:
 * {@link org.rawsockets.smtp.SmtpTransientException} for 4xx,
 * {@link org.rawsockets.smtp.SmtpPermanentException} for 5xx; a broken reply:
 * {@link org.rawsockets.smtp.SmtpProtocolException}; something the client refused locally:
 * {@link org.rawsockets.smtp.SmtpCapabilityException}; settings that cannot be used, such as a
 * missing secret: {@link org.rawsockets.smtp.SmtpConfigurationException}) or with the socket API's
 * {@link org.rawsockets.socket.RawSocketException} subtypes for transport failures
 * ({@link org.rawsockets.socket.TimedOutException} when an operation outlives its deadline,
 * {@link SmtpSettings#timeout()}).
 *
 * <h2>Deadlines and cancellation</h2>
 * Every operation (opening a session, each send, RSET, NOOP) has an overall deadline
 * ({@link SmtpSettings#timeout()}), counted from the call, besides the per-reply limits; at the
 * deadline the connection is closed at once and the stage fails with
 * {@link org.rawsockets.socket.TimedOutException}. A caller that gives up (cancels the returned
 * stage, or completes it itself, e.g. with {@code orTimeout}) aborts the session the same way.
 *
 * <p>Version 1.1: {@link SmtpSettings#timeout()}, {@link SmtpCredentials#password(String, java.util.function.Supplier)},
 * {@link SmtpCredentials#passwordSupplier()}, {@link SmtpConfigurationException}; an empty fixed
 * password is refused.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.rawsockets.smtp;
