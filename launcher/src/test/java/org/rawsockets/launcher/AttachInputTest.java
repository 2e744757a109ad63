package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The attached session's keyboard: no input unless asked, bounded, interruptible, ends with the request. */
class AttachInputTest {

    private final List<String> modes = new CopyOnWriteArrayList<>();
    private final AttachInput input = new AttachInput(modes::add);

    @Test
    void noInputUnlessACommandAsksAndTheClientCan() throws Exception {
        assertEquals(-1, input.read(), "as before: end of input at once");
        assertEquals("none", input.hook().apply("raw"), "no TERMINAL frame: nothing to offer");
        assertEquals(-1, input.read());
        input.offer(new byte[] { 1, 2, 3 });
        assertEquals(0, input.available(), "dropped: nobody asked");
        assertEquals(List.of(), modes);

        input.capability("raw");
        assertEquals("raw", input.hook().apply("raw"));
        assertEquals(List.of("raw"), modes);
        input.offer("ls\r".getBytes());
        byte[] b = new byte[16];
        assertEquals(3, input.read(b, 0, b.length));
        assertArrayEquals("ls\r".getBytes(), java.util.Arrays.copyOf(b, 3));
        input.end();
        assertEquals(-1, input.read(), "the client's input ended");
        assertEquals("off", input.hook().apply("off"));
        assertEquals(List.of("raw", "off"), modes);
        input.stop(); // the command ended: nothing more to say
        assertEquals(List.of("raw", "off"), modes);

        input.capability("line");
        assertEquals("line", input.hook().apply("raw"), "a piped client sends its input as it comes");
    }

    @Test
    void boundedTheClientWaitsForRoomAndAStopReleasesIt() throws Exception {
        input.capability("raw");
        input.hook().apply("raw");
        input.offer(new byte[AttachInput.CAPACITY]);
        assertEquals(AttachInput.CAPACITY, input.available());
        Thread more = new Thread(() -> {
            try {
                input.offer(new byte[] { 7 });
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        more.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (more.getState() != Thread.State.WAITING) { // full: the connection's reader waits for room
            assertTrue(System.nanoTime() < deadline, "the offer waits: " + more.getState());
            Thread.sleep(10);
        }
        assertEquals(AttachInput.CAPACITY, input.available());
        input.read(new byte[10], 0, 10);
        more.join(30_000); // room again
        assertTrue(!more.isAlive());
        assertEquals(AttachInput.CAPACITY - 9, input.available());

        input.offer(new byte[9]);
        CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
            try {
                input.offer(new byte[] { 8 });
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        input.stop(); // the command ended: the waiting client bytes are dropped
        blocked.get(30, TimeUnit.SECONDS);
        assertEquals(0, input.available());
        assertEquals(-1, input.read());
    }

    @Test
    void aReadWaitingForTheClientEndsAtAnInterrupt() throws Exception {
        input.capability("raw");
        input.hook().apply("raw");
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                input.read();
                failure.complete(null);
            } catch (Throwable t) {
                failure.complete(t);
            }
        });
        reader.start();
        reader.interrupt();
        assertTrue(failure.get(30, TimeUnit.SECONDS) instanceof InterruptedIOException, String.valueOf(failure.get()));
        reader.join(30_000);
    }
}
