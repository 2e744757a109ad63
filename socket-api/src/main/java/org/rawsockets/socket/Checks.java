package org.rawsockets.socket;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the option builders: each message names the option and the rule. */
final class Checks {
    private Checks() {
    }

    static int port(String option, int port, int min) {
        if (port < min || port > 65535) {
            throw new IllegalArgumentException(option + " must be in " + min + "..65535, was " + port);
        }
        return port;
    }

    static int positive(String option, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(option + " must be > 0, was " + value);
        }
        return value;
    }

    static Duration atLeast(String option, Duration value, Duration min) {
        Objects.requireNonNull(value, option);
        if (value.compareTo(min) < 0) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", was " + value);
        }
        return value;
    }

    static String host(String option, String host) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException(option + " must be a host name or IP address, was "
                    + (host == null ? "null" : "blank"));
        }
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.length() > 253 && !h.contains(":")) {
            throw new IllegalArgumentException(option + " must be at most 253 characters, was " + h.length());
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '/') {
                throw new IllegalArgumentException(option + " must be a host name or IP address, was '" + host
                        + "' (contains '" + (Character.isISOControl(c) ? "\\u" + Integer.toHexString(c) : c) + "')");
            }
        }
        return h;
    }
}
