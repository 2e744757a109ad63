package org.rawsockets.socket.mina.internal;

import java.lang.reflect.Method;
import java.nio.channels.SelectionKey;

import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSession;

/**
 * Resumes reading promptly. MINA applies {@code resumeRead()} by changing the selection key's
 * interest set, which the JDK (11+) only applies on the selector's next wake-up, up to MINA's
 * select timeout later. Waking the selector makes the resume immediate.
 */
final class Wakeup {

    private static final Method KEY;

    static {
        Method m = null;
        try {
            m = NioSession.class.getDeclaredMethod("getSelectionKey");
            m.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            m = null; // resumes still happen, just later
        }
        KEY = m;
    }

    private Wakeup() {
    }

    static void resumeRead(IoSession s) {
        s.resumeRead();
        if (KEY != null && s instanceof NioSession ns) {
            try {
                SelectionKey k = (SelectionKey) KEY.invoke(ns);
                if (k != null) {
                    k.selector().wakeup();
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // the resume still applies at the next select
            }
        }
    }
}
