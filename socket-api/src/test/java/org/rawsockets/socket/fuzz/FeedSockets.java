package org.rawsockets.socket.fuzz;

import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpReadable;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpWritable;

/**
 * A {@link SocketService} for fuzz targets of clients that open their own connection (the print
 * bundle's HTTP client): every {@code openTcp} opens at once, reads from the next readable of
 * {@code readables} (a {@link FeedReadable}) and takes every write at once, discarding it. Anything
 * else a client calls throws {@link UnsupportedOperationException} (then the target must not use it).
 */
public final class FeedSockets {

    private FeedSockets() {
    }

    /** @param readables the readable side of each connection opened, in turn */
    public static SocketService service(Supplier<TcpReadable> readables) {
        return proxy(SocketService.class, (name, args) -> switch (name) {
            case "openTcp" -> socket(readables.get());
            default -> null;
        });
    }

    private static TcpSocket socket(TcpReadable readable) {
        TcpWritable writable = proxy(TcpWritable.class, (name, args) -> switch (name) {
            case "write", "close", "abort" -> CompletableFuture.completedFuture(null);
            case "queuedBytes" -> 0L;
            default -> null;
        });
        return proxy(TcpSocket.class, (name, args) -> switch (name) {
            case "opened", "close", "closed" -> CompletableFuture.completedFuture(null);
            case "readable" -> readable;
            case "writable" -> writable;
            default -> null;
        });
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(FeedSockets.class.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            if (m.isDefault()) {
                return java.lang.reflect.InvocationHandler.invokeDefault(p, m, a);
            }
            if (m.getDeclaringClass() == Object.class) {
                return switch (m.getName()) {
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == a[0];
                    default -> type.getSimpleName() + " of FeedSockets";
                };
            }
            Object v = answer.answer(m.getName(), a);
            if (v == null) {
                throw new UnsupportedOperationException(type.getSimpleName() + "." + m.getName()
                        + " is not part of the fuzz harness's sockets");
            }
            return v;
        }));
    }
}
