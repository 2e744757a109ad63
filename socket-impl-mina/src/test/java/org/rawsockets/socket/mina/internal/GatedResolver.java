package org.rawsockets.socket.mina.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.rawsockets.socket.DnsQueryType;

/**
 * A resolver (the JDK's) behind a gate the test opens and closes, so that a test decides when an open
 * gets past name resolution instead of sleeping in the resolver and hoping the race goes its way.
 * A held lookup waits at most {@link #LIMIT_SECONDS} and then fails, so a test that forgets to
 * open the gate does not hang.
 */
final class GatedResolver implements HostResolver {

    static final long LIMIT_SECONDS = 20;

    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final AtomicInteger held = new AtomicInteger();

    /** Lookups from now on wait until {@link #open()}. */
    GatedResolver close() {
        gate = new CountDownLatch(1);
        return this;
    }

    /** Lets every held and later lookup through. */
    void open() {
        gate.countDown();
    }

    /** Waits (bounded) until {@code n} lookups are held at the gate. */
    void awaitHeld(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        while (held.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(held.get() + " lookups held at the gate, expected " + n);
            }
            Thread.sleep(5);
        }
    }

    @Override
    public List<InetAddress> resolve(String host, DnsQueryType type) throws UnknownHostException {
        CountDownLatch g = gate;
        held.incrementAndGet();
        try {
            if (!g.await(LIMIT_SECONDS, TimeUnit.SECONDS)) {
                throw new UnknownHostException("test resolver gate not opened within " + LIMIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnknownHostException("interrupted at the test resolver gate");
        } finally {
            held.decrementAndGet();
        }
        return HostResolver.JDK.resolve(host, type);
    }
}
