package org.rawsockets.smtp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rawsockets.smtp.MessageBuilder;

/**
 * A composed message leaves none of mime4j's per-thread recyclers on the composing thread (they kept every
 * uninstalled SMTP bundle's class loader reachable from the shell's threads: {@link Mime4jThreadLocals}).
 */
class Mime4jThreadLocalsTest {

    @Test
    void everyRecyclerOfMime4jIsFound() {
        assertEquals(8, Mime4jThreadLocals.LOCALS.size(), "mime4j's static ThreadLocals (7 classes, ContentUtil has 2)");
    }

    @Test
    void composingLeavesNoRecyclerOnTheThread() throws Exception {
        List<Object> left = new ArrayList<>();
        Thread t = new Thread(() -> {
            MessageBuilder.create().from("a@example.org").to("b@example.org").subject("s").text("body =\u00e9\r\n")
                    .html("<p>x</p>").attach("a.bin", "application/octet-stream", new byte[5000]).build();
            for (ThreadLocal<?> l : Mime4jThreadLocals.LOCALS) {
                if (l.get() != null) {
                    left.add(l.get());
                }
            }
        });
        t.start();
        t.join(30_000);
        assertNull(left.isEmpty() ? null : left, "recyclers left on the composing thread");
    }
}
