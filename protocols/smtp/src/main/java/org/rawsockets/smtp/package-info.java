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
 * {@link org.rawsockets.smtp.SmtpCapabilityException}) or with the socket API's
 * {@link org.rawsockets.socket.RawSocketException} subtypes for transport failures.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.rawsockets.smtp;
