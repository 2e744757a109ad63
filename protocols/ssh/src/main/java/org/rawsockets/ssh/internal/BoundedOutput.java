package org.rawsockets.ssh.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

/** Collects up to a limit and drops (counts) the rest. */
final class BoundedOutput extends OutputStream {

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final int limit;
    private boolean truncated;

    BoundedOutput(int limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int room = Math.max(0, limit - buffer.size());
        buffer.write(b, off, Math.min(room, len));
        if (len > room) {
            truncated = true;
        }
    }

    synchronized byte[] bytes() {
        return buffer.toByteArray();
    }

    synchronized boolean truncated() {
        return truncated;
    }
}
