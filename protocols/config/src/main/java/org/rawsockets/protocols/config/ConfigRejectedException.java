package org.rawsockets.protocols.config;

/**
 * A configuration was refused. The message is one line naming the configuration (PID and file), the
 * property, what is wrong with its value and the rule; it never holds a secret. Thrown from a
 * component's constructor, it makes Declarative Services leave the component unactivated: no stack
 * trace is recorded (the message says everything; the line logged before it is what the operator
 * reads).
 */
public final class ConfigRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String property;

    public ConfigRejectedException(String message, String property) {
        super(message, null, false, false);
        this.property = property;
    }

    /** The property at fault, or {@code null} when the configuration as a whole is refused. */
    public String property() {
        return property;
    }
}
