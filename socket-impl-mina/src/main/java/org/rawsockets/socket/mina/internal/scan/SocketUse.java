package org.rawsockets.socket.mina.internal.scan;

/**
 * One place in a class file where code opens a socket itself, outside the socket service.
 *
 * @param className the class, dotted ({@code org.example.Client})
 * @param method the method's name ({@code <init>} for constructors, {@code <clinit>} for static
 *            initialisers)
 * @param line the source line, or 0 when the class has no line numbers
 * @param what what is opened, e.g. {@code new java.net.Socket}
 * @param source the jar inside the bundle holding the class, or {@code null} for the bundle's own
 *            class files
 */
public record SocketUse(String className, String method, int line, String what, String source) {

    /** {@code new java.net.Socket in org.example.Client.connect (line 17)}. */
    @Override
    public String toString() {
        return what + " in " + className + "." + method + (line > 0 ? " (line " + line + ")" : "")
                + (source == null ? "" : " [" + source + "]");
    }
}
