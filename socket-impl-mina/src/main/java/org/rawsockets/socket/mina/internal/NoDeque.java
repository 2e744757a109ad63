package org.rawsockets.socket.mina.internal;

import java.util.ArrayDeque;
import java.util.Collection;

/**
 * The one empty deque an idle socket's queues point at until they hold something: a gateway keeps
 * thousands of idle sockets, and two deques of their own cost each socket about 180 bytes. Reading
 * it is reading an empty deque; adding to it is a bug ({@link IllegalStateException}): a queue is
 * made its own with {@link #writable(ArrayDeque)} before it is added to.
 */
final class NoDeque<T> extends ArrayDeque<T> {

    private static final long serialVersionUID = 1L;
    @SuppressWarnings("rawtypes")
    private static final NoDeque EMPTY = new NoDeque<>();

    private NoDeque() {
        super(1);
    }

    /** The shared empty deque. */
    @SuppressWarnings("unchecked")
    static <T> ArrayDeque<T> empty() {
        return EMPTY;
    }

    /** {@code queue} itself, or a new small deque in place of the shared empty one. */
    static <T> ArrayDeque<T> writable(ArrayDeque<T> queue) {
        return queue == EMPTY ? new ArrayDeque<>(4) : queue;
    }

    @Override
    public void addFirst(T e) {
        throw new IllegalStateException("the shared empty deque is read-only");
    }

    @Override
    public void addLast(T e) {
        throw new IllegalStateException("the shared empty deque is read-only");
    }

    @Override
    public boolean addAll(Collection<? extends T> c) {
        throw new IllegalStateException("the shared empty deque is read-only");
    }

    @Override
    public void clear() {
        // always empty: nothing to clear, and no write to a shared object
    }
}
