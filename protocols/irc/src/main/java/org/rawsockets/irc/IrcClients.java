package org.rawsockets.irc;

import org.rawsockets.irc.internal.IrcClientImpl;
import org.rawsockets.socket.SocketService;

/** Creates IRC clients (plain Java; in OSGi the bundle registers one per configured network). */
public final class IrcClients {

    private IrcClients() {
    }

    /** A client for one network; call {@link IrcClient#connect()} to connect. */
    public static IrcClient create(SocketService sockets, IrcSettings settings) {
        return new IrcClientImpl(sockets, settings);
    }
}
