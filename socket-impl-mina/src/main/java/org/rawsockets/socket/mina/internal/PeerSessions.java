package org.rawsockets.socket.mina.internal;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.session.IoSessionRecycler;

/**
 * The per-peer sessions of a bound UDP socket (MINA makes one per peer address it talks with):
 * at most {@value #MAX} kept, least recently used closed first (MINA's default recycler keeps a
 * global thread and no bound).
 */
final class PeerSessions implements IoSessionRecycler {

    static final int MAX = 256;

    private final Map<SocketAddress, IoSession> map = new LinkedHashMap<>(16, 0.75f, true);
    private final AtomicLong created = new AtomicLong();

    @Override
    public void put(IoSession session) {
        created.incrementAndGet();
        IoSession evicted = null;
        synchronized (map) {
            map.put(session.getRemoteAddress(), session);
            if (map.size() > MAX) {
                Iterator<IoSession> it = map.values().iterator();
                evicted = it.next();
                it.remove();
            }
        }
        if (evicted != null) {
            evicted.closeNow();
        }
    }

    @Override
    public IoSession recycle(SocketAddress remoteAddress, int unused) {
        synchronized (map) {
            return map.get(remoteAddress);
        }
    }

    @Override
    public void remove(IoSession session) {
        synchronized (map) {
            map.remove(session.getRemoteAddress(), session);
        }
    }

    /** Sessions created so far. */
    long created() {
        return created.get();
    }

    /** The peers with a session now. */
    List<SocketAddress> peers() {
        synchronized (map) {
            return new ArrayList<>(map.keySet());
        }
    }
}
