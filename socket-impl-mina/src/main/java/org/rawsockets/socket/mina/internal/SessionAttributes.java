package org.rawsockets.socket.mina.internal;

import java.util.HashSet;
import java.util.Set;

import org.apache.mina.core.session.DefaultIoSessionDataStructureFactory;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.session.IoSessionAttributeMap;
import org.apache.mina.core.session.IoSessionDataStructureFactory;
import org.apache.mina.core.write.WriteRequestQueue;

/**
 * A smaller attribute map for MINA's sessions than its default (a {@code ConcurrentHashMap} per
 * session, ~220 B with the two or three attributes a socket here has: the connection, the I/O
 * processor, the TLS handler): keys and values side by side in one array, copied on each change
 * (a few per session) and read without a lock, ~50 B. Same contract as MINA's default: null keys
 * refused, a null value removes. The write queue stays MINA's.
 */
final class SessionAttributes implements IoSessionAttributeMap {

    /** The factory to give each of the engine's connectors and acceptors. */
    static final IoSessionDataStructureFactory FACTORY = new IoSessionDataStructureFactory() {
        private final DefaultIoSessionDataStructureFactory queues = new DefaultIoSessionDataStructureFactory();

        @Override
        public IoSessionAttributeMap getAttributeMap(IoSession session) {
            return new SessionAttributes();
        }

        @Override
        public WriteRequestQueue getWriteRequestQueue(IoSession session) throws Exception {
            return queues.getWriteRequestQueue(session);
        }
    };

    private static final Object[] NONE = {};

    /**
     * key0, value0, key1, value1, ...: replaced, never changed in place (copy on write under this
     * object's lock), so a read — one per network read, on the I/O thread — takes no lock.
     */
    private volatile Object[] pairs = NONE;

    private static Object key(Object key) {
        if (key == null) {
            throw new IllegalArgumentException("key");
        }
        return key;
    }

    private static int indexOf(Object[] p, Object key) {
        for (int i = 0; i < p.length; i += 2) {
            if (p[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /** Under the lock: sets {@code key} to {@code value} (null: removes it); returns the old value. */
    private Object set(Object key, Object value) {
        Object[] p = pairs;
        int i = indexOf(p, key);
        if (i < 0) {
            if (value != null) {
                Object[] n = java.util.Arrays.copyOf(p, p.length + 2);
                n[p.length] = key;
                n[p.length + 1] = value;
                pairs = n;
            }
            return null;
        }
        Object old = p[i + 1];
        if (value != null) {
            Object[] n = p.clone();
            n[i + 1] = value;
            pairs = n;
        } else {
            Object[] n = new Object[p.length - 2];
            System.arraycopy(p, 0, n, 0, i);
            System.arraycopy(p, i + 2, n, i, p.length - i - 2);
            pairs = n;
        }
        return old;
    }

    @Override
    public Object getAttribute(IoSession session, Object key, Object defaultValue) {
        Object[] p = pairs;
        int i = indexOf(p, key(key));
        return i < 0 ? defaultValue : p[i + 1];
    }

    @Override
    public synchronized Object setAttribute(IoSession session, Object key, Object value) {
        return set(key(key), value);
    }

    @Override
    public synchronized Object setAttributeIfAbsent(IoSession session, Object key, Object value) {
        Object[] p = pairs;
        int i = indexOf(p, key(key));
        if (i >= 0) {
            return p[i + 1];
        }
        return set(key, value);
    }

    @Override
    public synchronized Object removeAttribute(IoSession session, Object key) {
        return set(key(key), null);
    }

    @Override
    public synchronized boolean removeAttribute(IoSession session, Object key, Object value) {
        Object[] p = pairs;
        int i = indexOf(p, key(key));
        if (i < 0 || value == null || !value.equals(p[i + 1])) {
            return false;
        }
        set(key, null);
        return true;
    }

    @Override
    public synchronized boolean replaceAttribute(IoSession session, Object key, Object oldValue, Object newValue) {
        Object[] p = pairs;
        int i = indexOf(p, key(key));
        if (i < 0 || !p[i + 1].equals(oldValue)) {
            return false;
        }
        set(key, newValue);
        return true;
    }

    @Override
    public boolean containsAttribute(IoSession session, Object key) {
        return indexOf(pairs, key(key)) >= 0;
    }

    @Override
    public Set<Object> getAttributeKeys(IoSession session) {
        Object[] p = pairs;
        Set<Object> keys = new HashSet<>();
        for (int i = 0; i < p.length; i += 2) {
            keys.add(p[i]);
        }
        return keys;
    }

    @Override
    public synchronized void dispose(IoSession session) {
        pairs = NONE;
    }
}
