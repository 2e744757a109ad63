package org.rawsockets.socket.contract;

import java.util.ArrayDeque;
import java.util.Deque;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rawsockets.socket.SocketService;

/**
 * Base of every contract class: creates the implementation's fixture and a service for one owner
 * before each test, and after it closes every peer the test started (processes destroyed, JDK
 * sockets closed) and then the fixture.
 *
 * <p>An implementation runs the suite by subclassing each {@code *Contract} class and implementing
 * {@link #createFixture()}. A runner may declare tests its implementation knowingly fails with
 * {@link ImplementationGap}; they are reported as skipped with the reason.
 */
@ExtendWith(ImplementationGaps.class)
public abstract class ContractSupport {

    /** Owner name of {@link #service}. */
    protected static final String OWNER = "org.rawsockets.contract.test";

    protected SocketServiceFixture fixture;
    protected SocketService service;

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    /** A new fixture of the implementation under test. */
    protected abstract SocketServiceFixture createFixture() throws Exception;

    @BeforeEach
    void openFixture() throws Exception {
        fixture = createFixture();
        service = fixture.open(OWNER);
    }

    @AfterEach
    void closeFixture() throws Exception {
        Throwable first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Throwable t) {
                first = first == null ? t : first;
            }
        }
        if (fixture != null) {
            fixture.close();
        }
        if (first instanceof Exception e) {
            throw e;
        } else if (first != null) {
            throw (Error) first;
        }
    }

    /** Registers {@code resource} to be closed after the test (last registered, first closed). */
    protected <T extends AutoCloseable> T closeAfter(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Starts an external peer process, destroyed after the test; stdout goes to its log. */
    protected PeerProcess peer(String... command) {
        return closeAfter(PeerProcess.start(true, command));
    }

    /** Starts an external peer whose stdout the test reads as data (e.g. socat STDIO). */
    protected PeerProcess dataPeer(String... command) {
        return closeAfter(PeerProcess.start(false, command));
    }

    /**
     * socat echo server on 127.0.0.1 (an ephemeral port, read from socat's own log):
     * {@code socat TCP-LISTEN:0,bind=127.0.0.1 PIPE}. Serves one connection.
     */
    protected int socatTcpEcho() {
        return peer("socat", "-d", "-d", "-t", "30", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr", "PIPE")
                .awaitSocatPort();
    }

    /**
     * socat relaying one TCP connection to its stdin/stdout ({@code socat TCP-LISTEN STDIO}): the
     * test sends through {@link PeerProcess#stdin()} (closing it sends FIN) and reads what the peer
     * received from {@link PeerProcess#stdout()}. {@code -t 30}: after one side's EOF socat keeps
     * relaying the other direction for up to 30 s.
     */
    protected PeerProcess socatTcpStdio() {
        return dataPeer("socat", "-d", "-d", "-t", "30", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr", "STDIO");
    }

    protected JdkServer jdkServer() throws java.io.IOException {
        return closeAfter(new JdkServer());
    }

    protected FullBacklogListener fullBacklogListener() throws java.io.IOException {
        return closeAfter(new FullBacklogListener());
    }
}
