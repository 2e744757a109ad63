package org.rawsockets.smtp.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;


/**
 * The per-thread buffer recyclers of the embedded mime4j (0.8.x), released after each use.
 * <p>
 * mime4j keeps a {@code SoftReference<BufferRecycler>} per thread in static {@code ThreadLocal}s of seven
 * of its classes ({@code _recyclerRef}, {@code _outputStreamRecyclerRef}), set on whatever thread composes a
 * message: a shell session's thread, an integrator's pool. Those threads outlive this bundle, and the entry's
 * value is an instance of a class of this bundle, so each uninstalled SMTP bundle's class loader (1 MB of
 * Metaspace) stayed reachable from every thread that had composed a message (issue 21: {@code ChurnProcessIT}
 * counted one class loader kept per redeploy; the heap dump's path to GC roots was
 * {@code Thread.threadLocals -> Entry.value -> SoftReference -> BufferRecycler -> its class -> loader}).
 * {@code james.mime4j.buffer.recycling.enabled=false} does not help: the recycler is still created and set.
 * {@link #release()} removes them from the calling thread; the cost is a new recycler per message.
 */
final class Mime4jThreadLocals {

    /** The fields as of mime4j 0.8.12 (8 in 7 classes); {@code Mime4jThreadLocalsTest} fails when they change. */
    static final List<ThreadLocal<?>> LOCALS = find("util.ContentUtil", "codec.DecoderUtil", "codec.QuotedPrintableInputStream",
            "codec.Base64InputStream", "io.BufferedLineReaderInputStream", "stream.DefaultFieldBuilder", "stream.MimeEntity");

    private Mime4jThreadLocals() {
    }

    /** Removes mime4j's per-thread recyclers from the calling thread. */
    static void release() {
        for (ThreadLocal<?> t : LOCALS) {
            t.remove();
        }
    }

    /** By name: MimeEntity is package-private. */
    private static List<ThreadLocal<?>> find(String... classes) {
        List<ThreadLocal<?>> found = new ArrayList<>();
        for (String name : classes) {
            Class<?> c;
            try {
                c = Class.forName("org.apache.james.mime4j." + name, true, Mime4jThreadLocals.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                continue; // not in this mime4j: the test counting LOCALS says so
            }
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ThreadLocal.class.isAssignableFrom(f.getType())) {
                    try {
                        f.setAccessible(true);
                        found.add((ThreadLocal<?>) f.get(null));
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        // not reachable (a future mime4j): the test counting LOCALS says so
                    }
                }
            }
        }
        return List.copyOf(found);
    }
}
