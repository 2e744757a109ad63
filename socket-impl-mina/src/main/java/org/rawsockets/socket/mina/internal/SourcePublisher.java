package org.rawsockets.socket.mina.internal;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link Flow.Publisher} style of a {@link Source}: its single subscriber, the demand it
 * requested, and the drain loop that hands queued elements over. Its state is guarded by the
 * source's lock (the {@link Source} object itself); subscriber signals are never sent while that
 * lock is held.
 *
 * @param <T> element type
 */
final class SourcePublisher<T> {

    private final Source<T> source;
    private Flow.Subscriber<? super T> subscriber;
    private long demand;
    private boolean terminalSent;
    private final AtomicInteger wip = new AtomicInteger();

    SourcePublisher(Source<T> source) {
        this.source = source;
    }

    /** The publisher handed out by {@link Source#publisher()} (the style is already locked). */
    Flow.Publisher<T> publisher() {
        return s -> {
            java.util.Objects.requireNonNull(s, "subscriber");
            boolean ok;
            synchronized (source) {
                ok = subscriber == null;
                if (ok) {
                    subscriber = s;
                }
            }
            if (!ok) {
                s.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                    }
                });
                s.onError(new IllegalStateException(source.describe() + " already has a subscriber (single subscriber only)"));
                return;
            }
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    if (n <= 0) {
                        // through fail(): buffered bytes are released (quota, read suspension) too
                        source.fail(new IllegalArgumentException("request(n) needs n > 0 (rule 3.9), was " + n));
                        return;
                    } else {
                        synchronized (source) {
                            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                        }
                    }
                    drain();
                }

                @Override
                public void cancel() {
                    synchronized (source) {
                        terminalSent = true;
                    }
                    source.cancelInternal();
                }
            });
            drain();
        };
    }

    /** Hands queued elements and the terminal signal to the subscriber, as far as demand allows. */
    void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        do {
            while (true) {
                Flow.Subscriber<? super T> s;
                T element = null;
                Throwable err = null;
                boolean complete = false;
                long w = 0;
                synchronized (source) {
                    s = subscriber;
                    if (s == null || terminalSent) {
                        break;
                    }
                    if (source.errorLocked() != null) {
                        err = source.errorLocked();
                        terminalSent = true;
                    } else if (!source.isEmptyLocked() && demand > 0) {
                        element = source.pollLocked();
                        w = source.weightLocked();
                        demand--;
                    } else if (source.isEmptyLocked() && source.isEndedOrCancelledLocked()) {
                        complete = true;
                        terminalSent = true;
                    } else {
                        break;
                    }
                }
                if (err != null) {
                    s.onError(err);
                } else if (complete) {
                    s.onComplete();
                    source.markReleased();
                } else {
                    source.afterTake(w, source.weigh(element));
                    source.delivered(element);
                    s.onNext(element);
                }
            }
        } while (wip.decrementAndGet() != 0);
    }
}
