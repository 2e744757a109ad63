package org.rawsockets.socket.mina.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.SelectionKey;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.mina.core.session.AbstractIoSession;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumes reading of a MINA session from any thread, safely and promptly.
 *
 * <p>MINA's {@code resumeRead()} runs {@code updateTrafficControl} in the calling thread, which
 * read-modify-writes the selection key's interest set, for reading and writing, racing with the
 * I/O thread doing the same: an update is lost now and then, and a session stops writing or
 * reading for good. The JDK (11+) also applies interest changes only at the selector's next
 * wake-up. So, from a non-I/O thread, this clears MINA's suspended flag, adds OP_READ atomically
 * ({@link SelectionKey#interestOpsOr(int)}, which cannot drop OP_WRITE), wakes the selector, and
 * re-checks shortly after in case an I/O-thread update overwrote it in the same instant.
 * Suspending is done only on the I/O thread (in {@code messageReceived}), where MINA's own
 * method is safe.
 *
 * <p>The selection key and the flag are MINA internals reached by reflection; if a MINA version
 * renames them this is logged once at WARN and MINA's own {@code resumeRead()} is used;
 * {@code MinaReflectionCanaryTest} fails on such a version.
 */
final class Wakeup {

    private static final Logger LOG = LoggerFactory.getLogger(Wakeup.class);
    private static final Method KEY;
    private static final Field READ_SUSPENDED;
    private static final String PROBLEM;

    static {
        Method m;
        Field f;
        String problem = null;
        try {
            m = NioSession.class.getDeclaredMethod("getSelectionKey");
            if (m.getReturnType() != SelectionKey.class) {
                throw new NoSuchMethodException("NioSession.getSelectionKey() returns " + m.getReturnType().getName());
            }
            m.setAccessible(true);
            f = AbstractIoSession.class.getDeclaredField("readSuspended");
            if (f.getType() != boolean.class) {
                throw new NoSuchFieldException("AbstractIoSession.readSuspended is a " + f.getType().getName());
            }
            f.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            m = null;
            f = null;
            problem = "cannot reach MINA's NioSession.getSelectionKey() / AbstractIoSession.readSuspended (" + e
                    + "); this MINA version differs from the one the engine was written for (2.2.10): reading resumes"
                    + " through MINA's own resumeRead(), which can lose an interest update under load, so a socket"
                    + " may stop reading or writing for good";
            LOG.warn(problem);
        }
        KEY = m;
        READ_SUSPENDED = f;
        PROBLEM = problem;
    }

    /** Whether the race-free resume works (false on a MINA version that renamed what it uses). */
    static boolean available() {
        return KEY != null;
    }

    /** Why it does not, or null. */
    static String problem() {
        return PROBLEM;
    }

    /** The selection key of a session through the reflective access, or null (canary test). */
    static SelectionKey selectionKey(IoSession s) {
        if (KEY == null || !(s instanceof NioSession ns)) {
            return null;
        }
        try {
            return (SelectionKey) KEY.invoke(ns);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** MINA's read-suspended flag of a session through the reflective access (canary test). */
    static boolean readSuspendedFlag(IoSession s) throws IllegalAccessException {
        return READ_SUSPENDED.getBoolean(s);
    }

    private Wakeup() {
    }

    /**
     * Resumes reading.
     *
     * @param stillWanted re-checked before a repair: whether reading should still be on
     */
    static void resumeRead(IoSession s, ScheduledExecutorService timer, BooleanSupplier stillWanted) {
        if (KEY == null || !(s instanceof NioSession ns)) {
            s.resumeRead();
            return;
        }
        try {
            READ_SUSPENDED.setBoolean(s, false);
            SelectionKey k = (SelectionKey) KEY.invoke(ns);
            if (k == null) {
                s.resumeRead(); // not registered yet: MINA applies the flag when it registers
                return;
            }
            addRead(k);
            for (long delay : new long[] { 2, 20, 200 }) {
                try {
                    timer.schedule(() -> {
                        // not if MINA's flag says suspended: suspended again since (its interest then
                        // lacks OP_READ on purpose, and MINA would not read a key selected for it)
                        if (stillWanted.getAsBoolean() && k.isValid() && (k.interestOps() & SelectionKey.OP_READ) == 0
                                && !suspendedFlag(s)) {
                            addRead(k);
                        }
                    }, delay, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    break;
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            s.resumeRead();
        }
    }

    /** MINA's read-suspended flag (true if it cannot be read: then no repair). */
    private static boolean suspendedFlag(IoSession s) {
        try {
            return READ_SUSPENDED.getBoolean(s);
        } catch (IllegalAccessException | RuntimeException e) {
            return true;
        }
    }

    /**
     * Whether the session is read now: MINA's flag not suspended and its key selecting OP_READ
     * (false when unknown, so the caller resumes).
     */
    static boolean readsOn(IoSession s) {
        SelectionKey k = selectionKey(s);
        if (k == null) {
            return false;
        }
        try {
            return !suspendedFlag(s) && k.isValid() && (k.interestOps() & SelectionKey.OP_READ) != 0;
        } catch (java.nio.channels.CancelledKeyException e) {
            return false;
        }
    }

    private static void addRead(SelectionKey k) {
        try {
            if (k.isValid()) {
                k.interestOpsOr(SelectionKey.OP_READ);
                k.selector().wakeup();
            }
        } catch (java.nio.channels.CancelledKeyException e) {
            // the session closed meanwhile
        }
    }
}
