package org.rawsockets.socket.mina.internal;

/** Argument checks of the service methods, with messages naming the argument and the rule. */
final class Checks {
    private Checks() {
    }

    static int port(String what, int port, int min) {
        if (port < min || port > 65535) {
            throw new IllegalArgumentException(what + " must be in " + min + "..65535, was " + port);
        }
        return port;
    }

    static String host(String what, String host) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException(what + " must be a host name or IP address, was "
                    + (host == null ? "null" : "blank"));
        }
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '/') {
                throw new IllegalArgumentException(what + " must be a host name or IP address, was '" + host + "'");
            }
        }
        if (h.length() > 253 && h.indexOf(':') < 0) {
            throw new IllegalArgumentException(what + " must be at most 253 characters, was " + h.length());
        }
        return h;
    }
}
