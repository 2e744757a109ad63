package org.rawsockets.socket.mina.internal;

import java.nio.ByteBuffer;

/** Copies between received chunks and readers' buffers without allocating (no slice, no view). */
final class ByteChunks {

    private ByteChunks() {
    }

    /** Copies as much of {@code src} as fits into {@code dst}; returns the count. */
    static int copy(ByteBuffer src, ByteBuffer dst) {
        int k = Math.min(src.remaining(), dst.remaining());
        if (k == src.remaining()) {
            dst.put(src);
        } else {
            int limit = src.limit();
            src.limit(src.position() + k);
            dst.put(src);
            src.limit(limit);
        }
        return k;
    }

    /**
     * Appends all of {@code src} behind the bytes of {@code tail} (a queued pooled chunk, its
     * position left where it is) if it has the room; false (nothing changed) otherwise.
     */
    static boolean append(ByteBuffer tail, ByteBuffer src) {
        if (tail == null || !ChunkPool.isPooled(tail) || tail.capacity() - tail.limit() < src.remaining()) {
            return false;
        }
        int pos = tail.position();
        int end = tail.limit();
        tail.limit(end + src.remaining());
        tail.position(end);
        tail.put(src);
        tail.position(pos);
        return true;
    }
}
