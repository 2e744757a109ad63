package org.rawsockets.socket.mina.internal;

import java.lang.reflect.Field;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.mina.transport.socket.nio.NioDatagramAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DatagramChannel} of a bound {@link NioDatagramAcceptor}, which a bound UDP socket needs
 * for its multicast options and memberships. MINA 2.2 neither exposes it nor lets the (final)
 * acceptor be extended; the channel is read from the acceptor's private {@code boundHandles} map
 * (local address to channel), filled by {@code bind()}. No session, no packet.
 *
 * <p>If a MINA version renames that map, this is logged once at WARN and bound sockets work without
 * multicast (joining fails with a message saying why, the multicast options are not applied);
 * {@code MinaReflectionCanaryTest} fails on such a version.
 */
final class DatagramChannels {

    private static final Logger LOG = LoggerFactory.getLogger(DatagramChannels.class);
    private static final Field BOUND_HANDLES;
    private static final String PROBLEM;

    static {
        Field f = null;
        String problem = null;
        try {
            f = NioDatagramAcceptor.class.getDeclaredField("boundHandles");
            if (!Map.class.isAssignableFrom(f.getType())) {
                throw new NoSuchFieldException("NioDatagramAcceptor.boundHandles is a " + f.getType().getName()
                        + ", not a Map");
            }
            f.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            f = null;
            problem = "cannot read the channel of a bound UDP socket from MINA's NioDatagramAcceptor.boundHandles ("
                    + e + "); this MINA version differs from the one the engine was written for (2.2.10): bound UDP"
                    + " sockets work without multicast (joinGroup fails, multicast options are not applied)";
            LOG.warn(problem);
        }
        BOUND_HANDLES = f;
        PROBLEM = problem;
    }

    private DatagramChannels() {
    }

    /** Whether the channel can be read (false on a MINA version that renamed what this reads). */
    static boolean available() {
        return BOUND_HANDLES != null;
    }

    /** Why it cannot, or null. */
    static String problem() {
        return PROBLEM;
    }

    /**
     * The channel the acceptor bound, or null when {@link #available()} is false or it is not bound.
     */
    static DatagramChannel of(NioDatagramAcceptor acceptor) {
        if (BOUND_HANDLES == null) {
            return null;
        }
        try {
            Map<?, ?> handles = (Map<?, ?>) BOUND_HANDLES.get(acceptor);
            List<Object> channels;
            synchronized (handles) { // a synchronized map: iterate under its lock
                channels = new ArrayList<>(handles.values());
            }
            return channels.size() == 1 && channels.get(0) instanceof DatagramChannel ch ? ch : null;
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }
}
