package org.rawsockets.socket.mina.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketState;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.mina.internal.TcpState.Input;
import org.rawsockets.socket.mina.internal.TcpState.Output;
import org.rawsockets.socket.mina.internal.TcpState.Phase;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/** The connection life cycle ({@link TcpState}): its transitions, and the ones it refuses. */
class TcpStateTest {

    private static TcpState opened() {
        TcpState st = new TcpState(() -> "example.test (127.0.0.1):7");
        assertTrue(st.open());
        return st;
    }

    @Test
    void opensOnceAndASecondOpenIsRefused() {
        TcpState st = new TcpState(() -> "example.test (127.0.0.1):7");
        assertEquals(Phase.OPENING, st.phase());
        assertTrue(st.opening());
        assertTrue(st.open());
        assertEquals(Phase.OPEN, st.phase());
        assertTrue(st.wasOpened());
        IllegalStateException e = assertThrows(IllegalStateException.class, st::open);
        assertTrue(e.getMessage().contains("illegal state transition of the socket to example.test (127.0.0.1):7"),
                e.getMessage());
        assertTrue(e.getMessage().contains("opened already"), e.getMessage());
        assertEquals(Phase.OPEN, st.phase());
    }

    @Test
    void aFailedOpenCannotOpenAnyMore() {
        TcpState st = new TcpState(() -> "h:1");
        TimedOutException timeout = new TimedOutException("connect timed out");
        assertTrue(st.failOpen(timeout, true));
        assertEquals(Phase.CLOSING, st.phase(), "a session exists: it is closing");
        assertSame(timeout, st.error);
        assertFalse(st.open(), "the handshake finishing after the timeout does not open it");
        assertFalse(st.failOpen(new TimedOutException("again"), true), "the open fails once");
        assertSame(timeout, st.error);
        assertTrue(st.sessionClosed());
        assertEquals(Phase.CLOSED, st.phase());
        assertFalse(st.sessionClosed(), "the session closes once");
    }

    @Test
    void failOpenAfterTheOpenIsANoOp() {
        TcpState st = opened();
        assertFalse(st.failOpen(new SocketClosedException("late"), true));
        assertEquals(Phase.OPEN, st.phase());
        assertNull(st.error);
    }

    @Test
    void aClosedOpenRecordsNoErrorAndWithoutSessionIsClosedAtOnce() {
        TcpState st = new TcpState(() -> "h:1");
        assertTrue(st.failOpen(new SocketClosedException("closed before it opened"), false));
        assertEquals(Phase.CLOSED, st.phase());
        assertNull(st.error, "a close is no error");
    }

    @Test
    void sessionGoneDuringTheOpenLetsFailOpenEndIt() {
        TcpState st = new TcpState(() -> "h:1");
        assertTrue(st.sessionClosed());
        assertEquals(Phase.OPENING, st.phase(), "only failOpen ends an open");
        assertTrue(st.failOpen(new NetworkException("closed by the peer during the open"), true));
        assertEquals(Phase.CLOSED, st.phase(), "the session is gone already: nothing left to close");
    }

    @Test
    void closeAbortAndFailureDoNotEndAnOpenInProgress() {
        TcpState st = new TcpState(() -> "h:1");
        st.requestClose();
        st.abort();
        st.fail(new NetworkException("x"));
        assertEquals(Phase.OPENING, st.phase(), "the caller fails the open (failOpen) itself");
        assertTrue(st.failOpen(new SocketClosedException("closed"), false));
        assertEquals(Phase.CLOSED, st.phase());
    }

    @Test
    void writeCloseHalfClosesAndRefusesLaterWrites() {
        TcpState st = opened();
        assertNull(st.writeRefusal(false));
        st.requestWriteClose();
        assertEquals(Phase.HALF_CLOSED, st.phase());
        assertEquals(Output.CLOSE_REQUESTED, st.output());
        Throwable refused = st.writeRefusal(false);
        assertInstanceOf(SocketClosedException.class, refused);
        assertEquals("the writable side of the socket to example.test (127.0.0.1):7 is closed", refused.getMessage());
        st.requestWriteClose(); // idempotent
        assertEquals(Output.CLOSE_REQUESTED, st.output());
    }

    @Test
    void finIsDueOnceWhenNothingIsQueued() {
        TcpState st = opened();
        assertFalse(st.finDue(0, true, true), "no close requested");
        st.requestWriteClose();
        assertFalse(st.finDue(10, true, true), "bytes still queued");
        assertFalse(st.finDue(0, false, true), "no session");
        assertFalse(st.finDue(0, true, false), "send side not open");
        assertTrue(st.finDue(0, true, true));
        assertEquals(Output.SHUT, st.output());
        assertFalse(st.finDue(0, true, true), "the FIN goes once");
        assertEquals(Phase.HALF_CLOSED, st.phase());
        assertFalse(st.bothDone());
    }

    @Test
    void finIsNotDueBeforeTheOpen() {
        TcpState st = new TcpState(() -> "h:1");
        st.requestWriteClose(); // the writable's close() of a pending socket
        assertEquals(Phase.OPENING, st.phase());
        assertFalse(st.finDue(0, true, true), "the FIN follows the open");
        assertTrue(st.open());
        assertEquals(Phase.HALF_CLOSED, st.phase(), "opened with its writable side closing");
        assertTrue(st.finDue(0, true, true));
    }

    @Test
    void bothDirectionsDoneIsClosing() {
        TcpState st = opened();
        assertFalse(st.peerEndedInput());
        assertEquals(Phase.HALF_CLOSED, st.phase());
        assertEquals(Input.ENDED, st.input());
        assertTrue(st.peerEnded());
        assertTrue(st.peerEndedInput(), "the second end of input is reported as such");
        st.requestWriteClose();
        assertTrue(st.finDue(0, true, true));
        assertTrue(st.bothDone());
        assertEquals(Phase.CLOSING, st.phase());
        assertTrue(st.sessionClosed());
        assertEquals(Phase.CLOSED, st.phase());
    }

    @Test
    void cancelledReadingStopsInputButTheFinStillCounts() {
        TcpState st = opened();
        st.stopInput();
        assertEquals(Input.STOPPED, st.input());
        assertEquals(Phase.HALF_CLOSED, st.phase());
        assertFalse(st.peerEndedInput(), "a FIN after a cancel is the first end of input");
        assertEquals(Input.ENDED, st.input());
        st.stopInput(); // no way back from ENDED
        assertEquals(Input.ENDED, st.input());
    }

    @Test
    void closeAndAbortAreClosingAndRefuseWrites() {
        TcpState st = opened();
        assertTrue(st.requestClose());
        assertFalse(st.requestClose(), "close() is idempotent");
        assertEquals(Phase.CLOSING, st.phase());
        st.abort();
        assertTrue(st.aborted());
        assertEquals("the socket to example.test (127.0.0.1):7 was aborted", st.writeRefusal(false).getMessage());
        assertEquals(Phase.CLOSING, st.phase());
        st.requestWriteClose(); // a later half-close leaves the phase
        assertEquals(Phase.CLOSING, st.phase());
    }

    @Test
    void theFirstFailureCountsAndIsWhatWritesGet() {
        TcpState st = opened();
        NetworkException reset = new NetworkException(NetworkException.Reason.RESET, "reset by peer", null);
        st.fail(reset);
        st.fail(new TimedOutException("later"));
        assertSame(reset, st.error);
        assertSame(reset, st.writeRefusal(false));
        assertEquals(Phase.CLOSING, st.phase());
        assertTrue(st.ending());
    }

    @Test
    void theReleaseIsWhatLaterWritesGetAfterAFailure() {
        TcpState st = opened();
        SocketClosedException release = new SocketClosedException("released");
        assertSame(release, st.release(release));
        assertSame(release, st.release(new SocketClosedException("again")), "the first release counts");
        assertSame(release, st.writeRefusal(false));
        assertSame(release, st.writeRefusal(true), "also once the session is gone");
        TcpState failed = opened();
        NetworkException reset = new NetworkException(NetworkException.Reason.RESET, "reset by peer", null);
        failed.fail(reset);
        failed.release(release);
        assertSame(reset, failed.writeRefusal(true), "a failure before the release stays the reason");
    }

    @Test
    void aFinishedSocketRefusesWritesAsClosed() {
        TcpState st = opened();
        assertTrue(st.sessionClosed());
        Throwable refused = st.writeRefusal(true);
        assertInstanceOf(SocketClosedException.class, refused);
        assertEquals("the socket to example.test (127.0.0.1):7 is closed", refused.getMessage());
    }

    @Test
    void startTlsIsRefusedUnlessOpen() {
        TcpState opening = new TcpState(() -> "h:1");
        IllegalStateException notOpen = assertThrows(IllegalStateException.class,
                () -> opening.checkUpgradable(true, false));
        assertEquals("startTls() needs an open socket; the socket to h:1 is not open yet", notOpen.getMessage());

        TcpState st = opened();
        st.checkUpgradable(true, false); // open: allowed
        st.stopInput(); // reading cancelled: still allowed
        st.checkUpgradable(true, false);
        st.requestWriteClose();
        IllegalStateException closing = assertThrows(IllegalStateException.class,
                () -> st.checkUpgradable(true, false));
        assertTrue(closing.getMessage().endsWith("is closed or closing"), closing.getMessage());

        TcpState ended = opened();
        ended.peerEndedInput();
        assertThrows(IllegalStateException.class, () -> ended.checkUpgradable(true, false));
        TcpState failed = opened();
        failed.fail(new NetworkException("x"));
        assertThrows(IllegalStateException.class, () -> failed.checkUpgradable(true, false));
        TcpState gone = opened();
        assertThrows(IllegalStateException.class, () -> gone.checkUpgradable(false, false));
    }

    // ------------------------------------------------------------------ through a real socket

    @Test
    void onARealSocketWriteAfterCloseIsRefusedWithSocketClosedException() throws Exception {
        MinaSocketEngine engine = new MinaSocketEngine(
                new EngineConfig(2, Duration.ofSeconds(10), 64 * 1024, 16 * 1024, 65507, 16, 4),
                SocketPolicy.ALLOW_ALL, AuditLog.NONE, HostResolver.JDK);
        try (Peers.Server peer = new Peers.Server(Peers::idle)) { // keeps its side open
            TcpSocket s = engine.serviceFor(Owner.of(1, "test.bundle")).openTcp("127.0.0.1", peer.port());
            s.opened().toCompletableFuture().get(20, TimeUnit.SECONDS);
            TcpConnection c = TcpEngineTest.conn(s);
            assertEquals(Phase.OPEN, c.st.phase());
            assertEquals(SocketState.OPEN, s.info().state());

            s.writable().close().toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertEquals(SocketState.CLOSING, s.info().state(), "half-closed shows as CLOSING");
            ExecutionException afterHalfClose = assertThrows(ExecutionException.class,
                    () -> s.writable().write("x".getBytes(US_ASCII)).toCompletableFuture().get(20, TimeUnit.SECONDS));
            assertInstanceOf(SocketClosedException.class, afterHalfClose.getCause());

            s.close().toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertEquals(Phase.CLOSED, c.st.phase());
            ExecutionException afterClose = assertThrows(ExecutionException.class,
                    () -> s.writable().write("x".getBytes(US_ASCII)).toCompletableFuture().get(20, TimeUnit.SECONDS));
            assertInstanceOf(SocketClosedException.class, afterClose.getCause());
            IllegalStateException tls = assertThrows(IllegalStateException.class, s::startTls);
            assertTrue(tls.getMessage().contains("TlsMode.STARTTLS"), tls.getMessage());
        } finally {
            engine.close();
        }
    }
}
