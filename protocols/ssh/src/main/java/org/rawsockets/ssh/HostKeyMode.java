package org.rawsockets.ssh;

/** How the server's host key is checked against the OpenSSH {@code known_hosts} file. */
public enum HostKeyMode {
    /** Unknown or changed keys are refused (OpenSSH {@code StrictHostKeyChecking yes}). The default. */
    STRICT,
    /** An unknown host's key is learnt (appended to the file); a changed key is refused ({@code accept-new}). */
    ACCEPT_NEW,
    /**
     * No check at all: any server that answers is trusted, so a man in the middle reads and changes
     * everything, passwords included. For a first look in a lab only; logged as a warning at each connect.
     */
    OFF;

    /** The configuration spelling: {@code strict}, {@code accept-new}, {@code off}. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Parses {@link #configName()} (case-insensitive). */
    public static HostKeyMode parse(String s) {
        for (HostKeyMode m : values()) {
            if (m.configName().equalsIgnoreCase(s.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown host key mode '" + s + "': use strict, accept-new or off");
    }
}
