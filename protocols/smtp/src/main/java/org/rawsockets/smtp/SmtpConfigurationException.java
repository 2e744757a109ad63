package org.rawsockets.smtp;

/**
 * The settings cannot be used as they are, found when a connection is opened: the password or
 * token is missing or empty (e.g. the secret file a configuration refers to does not exist, is
 * readable by every user, or is empty). The message names what to fix (the secret and its file,
 * never its content). Nothing was sent to the server.
 *
 * @since 1.1
 */
public class SmtpConfigurationException extends SmtpException {
    private static final long serialVersionUID = 1L;

    public SmtpConfigurationException(String message) {
        super(message, null, null, null);
    }

    public SmtpConfigurationException(String message, Throwable cause) {
        super(message, null, null, cause);
    }
}
