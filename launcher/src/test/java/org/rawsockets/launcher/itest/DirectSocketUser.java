package org.rawsockets.launcher.itest;

import java.io.IOException;
import java.net.Socket;

/**
 * Never run: its class file goes into a test bundle that {@code policy:scan} must report, code
 * that opens a {@link Socket} itself instead of using the socket service.
 */
public final class DirectSocketUser {

    private DirectSocketUser() {
    }

    public static void send(String host, int port, byte[] data) throws IOException {
        try (Socket s = new Socket(host, port)) {
            s.getOutputStream().write(data);
        }
    }
}
