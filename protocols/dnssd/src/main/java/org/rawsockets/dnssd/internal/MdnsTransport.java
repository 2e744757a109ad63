package org.rawsockets.dnssd.internal;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.rawsockets.dnssd.DnsSdNetworkException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;

/**
 * The mDNS sockets: UDP bound on 0.0.0.0:5353 (and [::]:5353 with IPv6) with address sharing, so a
 * local responder such as Avahi keeps its own socket, joined to 224.0.0.251 (ff02::fb) on the
 * configured interface, multicast loopback on (a responder on this host must see the queries).
 * Datagrams are read one at a time and handed to the client's thread; the next read is issued
 * after that one was handled, so a slow client leaves datagrams in the socket's bounded queue.
 */
final class MdnsTransport {

    static final String GROUP4 = "224.0.0.251";
    static final String GROUP6 = "ff02::fb";
    static final int PORT = 5353;

    private final SocketService sockets;
    private final MdnsSettings settings;
    private final Executor executor;
    private volatile UdpSocket v4;
    private volatile UdpSocket v6;

    MdnsTransport(SocketService sockets, MdnsSettings settings, Executor executor) {
        this.sockets = sockets;
        this.settings = settings;
        this.executor = executor;
    }

    boolean isOpen() {
        return v4 != null;
    }

    /**
     * Opens and joins (blocking, bounded by {@code openTimeout}); datagrams then go to
     * {@code receiver} on the executor, a broken socket to {@code failed}.
     */
    void open(Consumer<UdpMessage> receiver, Consumer<Throwable> failed) throws DnsSdNetworkException {
        UdpSocket s4 = open("0.0.0.0", GROUP4);
        UdpSocket s6 = null;
        if (settings.ipv6()) {
            try {
                s6 = open("::", GROUP6);
            } catch (DnsSdNetworkException e) {
                s4.close();
                throw e;
            }
        }
        v4 = s4;
        v6 = s6;
        read(s4, receiver, failed);
        if (s6 != null) {
            read(s6, receiver, failed);
        }
    }

    private UdpSocket open(String any, String group) throws DnsSdNetworkException {
        UdpSocketOptions.Builder b = UdpSocketOptions.builder().local(any, PORT).multicastAllowAddressSharing(true)
                .multicastLoopback(true).multicastTimeToLive(settings.multicastTimeToLive());
        if (!settings.networkInterface().isEmpty()) {
            b.multicastInterface(settings.networkInterface());
        }
        String where = "mDNS on " + settings.interfaceText() + " (" + (any.equals("::") ? "[::]" : any) + ":" + PORT
                + ", group " + group + ")";
        UdpSocket s = sockets.openUdp(b.build());
        try {
            await(s.opened(), where + ": cannot bind UDP port " + PORT);
            await(s.multicast().joinGroup(group), where + ": cannot join the group");
            return s;
        } catch (DnsSdNetworkException e) {
            s.close();
            throw e;
        }
    }

    private void await(CompletionStage<?> stage, String what) throws DnsSdNetworkException {
        try {
            stage.toCompletableFuture().get(settings.openTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            throw new DnsSdNetworkException(what + ": " + c.getMessage(), c);
        } catch (TimeoutException e) {
            throw new DnsSdNetworkException(what + ": no result within " + settings.openTimeout().toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DnsSdNetworkException(what + ": interrupted", e);
        }
    }

    private void read(UdpSocket s, Consumer<UdpMessage> receiver, Consumer<Throwable> failed) {
        s.readable().read().whenComplete((ReadResult<UdpMessage> r, Throwable t) -> {
            try {
                executor.execute(() -> {
                    if (t != null || r.done()) {
                        if (s == v4 || s == v6) {
                            failed.accept(t != null ? t : new IllegalStateException("the mDNS socket was closed"));
                        }
                        return;
                    }
                    receiver.accept(r.value());
                    read(s, receiver, failed);
                });
            } catch (RejectedExecutionException stopped) {
                s.close();
            }
        });
    }

    /** Sends one packet to the group(s); the stage fails with the socket API's exception. */
    CompletionStage<Void> send(byte[] packet) {
        UdpSocket s4 = v4;
        UdpSocket s6 = v6;
        if (s4 == null) {
            return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("the mDNS socket is closed"));
        }
        CompletionStage<Void> f = s4.writable().write(UdpMessage.to(GROUP4, PORT, packet));
        if (s6 != null) {
            CompletionStage<Void> f6 = s6.writable().write(UdpMessage.to(GROUP6, PORT, packet.clone()));
            f = f.thenCombine(f6, (a, b) -> null);
        }
        return f;
    }

    /** Closes the sockets (idempotent). */
    void close() {
        UdpSocket s4 = v4;
        UdpSocket s6 = v6;
        v4 = null;
        v6 = null;
        if (s4 != null) {
            s4.close();
        }
        if (s6 != null) {
            s6.close();
        }
    }
}
