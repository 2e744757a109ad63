package org.rawsockets.print.internal;

import java.io.IOException;
import java.io.InputStream;

import org.rawsockets.print.Document;

/**
 * A document of {@code size} bytes made while it is read (no memory for it), that applies a network
 * fault once its first {@code at} bytes have been read: the fault comes in the middle of the job, while
 * the client streams. The fault tests of LPD and raw 9100 use it.
 */
public final class FaultingDocument {

    /** A fault the test applies (an iptables rule, a signal). */
    public interface Fault {
        void apply() throws Exception;
    }

    private FaultingDocument() {
    }

    /** The byte at {@code i} of every document here (all values, not periodic within 64 KiB). */
    public static byte at(long i) {
        return (byte) (i * 31 + (i >> 8) + (i >> 16));
    }

    /** {@code size} bytes of {@link #at}. */
    public static byte[] bytes(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = at(i);
        }
        return b;
    }

    public static Document of(String name, long size, long faultAt, Fault fault) {
        return new Document(name, size, () -> new InputStream() {
            private long read;
            private boolean applied;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (!applied && read >= faultAt) {
                    applied = true;
                    try {
                        fault.apply();
                    } catch (Exception e) {
                        throw new IOException("the test's fault could not be applied: " + e, e);
                    }
                }
                int n = (int) Math.min(len, size - read);
                if (n <= 0) {
                    return -1;
                }
                for (int i = 0; i < n; i++) {
                    b[off + i] = at(read + i);
                }
                read += n;
                return n;
            }
        });
    }
}
