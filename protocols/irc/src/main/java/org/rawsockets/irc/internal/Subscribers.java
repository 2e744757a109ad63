package org.rawsockets.irc.internal;

import java.util.ArrayDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcListener;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one client, each with its own bounded buffer drained in order on the delivery
 * executor: a slow listener loses messages (counted and reported), never grows memory and never
 * holds up the others or the connection.
 */
final class Subscribers {

    private static final Logger LOG = LoggerFactory.getLogger(Subscribers.class);

    private record Connected(String nick) {
    }

    private record Disconnected(Throwable reason) {
    }

    private final IrcClient client;
    private final Executor delivery;
    private final CopyOnWriteArrayList<Sub> subs = new CopyOnWriteArrayList<>();

    Subscribers(IrcClient client, Executor delivery) {
        this.client = client;
        this.delivery = delivery;
    }

    IrcSubscription add(IrcListener listener, int bufferSize) {
        if (bufferSize < 1 || bufferSize > 1_000_000) {
            throw new IllegalArgumentException("bufferSize must be within 1..1000000, was " + bufferSize);
        }
        Sub s = new Sub(java.util.Objects.requireNonNull(listener, "listener"), bufferSize);
        subs.add(s);
        return s;
    }

    boolean isEmpty() {
        return subs.isEmpty();
    }

    void message(IrcMessage m) {
        for (Sub s : subs) {
            s.offer(m, false);
        }
    }

    void connected(String nick) {
        for (Sub s : subs) {
            s.offer(new Connected(nick), true);
        }
    }

    void disconnected(Throwable reason) {
        for (Sub s : subs) {
            s.offer(new Disconnected(reason), true);
        }
    }

    void closeAll() {
        for (Sub s : subs) {
            s.close();
        }
    }

    private final class Sub implements IrcSubscription, Runnable {
        private final IrcListener listener;
        private final int size;
        private final ArrayDeque<Object> queue = new ArrayDeque<>();
        private long lost;
        private long unreported;
        private boolean scheduled;
        private volatile boolean closed;

        Sub(IrcListener listener, int size) {
            this.listener = listener;
            this.size = size;
        }

        void offer(Object event, boolean keep) {
            boolean schedule;
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (queue.size() >= size) {
                    if (!keep) {
                        lost++;
                        unreported++;
                        return;
                    }
                    // A connection event is never dropped: the oldest message makes room.
                    Object dropped = queue.pollFirst();
                    if (dropped instanceof IrcMessage) {
                        lost++;
                        unreported++;
                    }
                }
                queue.add(event);
                schedule = !scheduled;
                scheduled = true;
            }
            if (schedule) {
                try {
                    delivery.execute(this);
                } catch (RuntimeException e) {
                    synchronized (this) {
                        scheduled = false;
                    }
                }
            }
        }

        @Override
        public void run() {
            while (true) {
                Object e;
                long report;
                synchronized (this) {
                    report = unreported;
                    unreported = 0;
                    e = closed ? null : queue.poll();
                    if (e == null && report == 0) {
                        scheduled = false;
                        return;
                    }
                }
                try {
                    if (report > 0) {
                        listener.onLost(client, report);
                    }
                    if (e instanceof IrcMessage m) {
                        listener.onMessage(client, m);
                    } else if (e instanceof Connected c) {
                        listener.onConnected(client, c.nick());
                    } else if (e instanceof Disconnected d) {
                        listener.onDisconnected(client, d.reason());
                    }
                } catch (RuntimeException x) {
                    LOG.warn("IRC network {}: listener {} failed: {}", client.network(), listener, x.toString(), x);
                }
            }
        }

        @Override
        public synchronized long lost() {
            return lost;
        }

        @Override
        public void close() {
            synchronized (this) {
                closed = true;
                queue.clear();
            }
            subs.remove(this);
        }
    }
}
