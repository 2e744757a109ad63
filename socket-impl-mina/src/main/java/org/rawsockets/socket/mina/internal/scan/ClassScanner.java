package org.rawsockets.socket.mina.internal.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Finds, in one class file, the instructions that open sockets without the socket service:
 * constructor calls of {@code java.net.Socket}, {@code ServerSocket}, {@code DatagramSocket},
 * {@code MulticastSocket} (also from subclasses' constructors), the static {@code open()} of
 * {@code SocketChannel}, {@code ServerSocketChannel}, {@code DatagramChannel},
 * {@code AsynchronousSocketChannel}, {@code AsynchronousServerSocketChannel}, the
 * {@code SelectorProvider.open...Channel} methods, and {@code SocketFactory.getDefault()} /
 * {@code SSLSocketFactory.getDefault()} (the JDK's own sockets, what a library uses when it is not
 * given the service's factory).
 *
 * <p>Only what the bytecode names directly is found: reflection, method handles and sockets the
 * JDK opens on the code's behalf ({@code URL.openConnection}, {@code java.net.http}, JNDI) are
 * not. The only class of this package that touches ASM, so that the bundle resolves without it.
 */
final class ClassScanner {

    /** Owners whose constructor opens (or prepares) a socket, internal name to shown name. */
    private static final Map<String, String> CONSTRUCTED = Map.of(
            "java/net/Socket", "new java.net.Socket",
            "java/net/ServerSocket", "new java.net.ServerSocket",
            "java/net/DatagramSocket", "new java.net.DatagramSocket",
            "java/net/MulticastSocket", "new java.net.MulticastSocket");

    /** Static methods that open channels or hand out the JDK's factories, "owner.name" to shown name. */
    private static final Map<String, String> STATIC_CALLS = Map.of(
            "java/nio/channels/SocketChannel.open", "SocketChannel.open()",
            "java/nio/channels/ServerSocketChannel.open", "ServerSocketChannel.open()",
            "java/nio/channels/DatagramChannel.open", "DatagramChannel.open()",
            "java/nio/channels/AsynchronousSocketChannel.open", "AsynchronousSocketChannel.open()",
            "java/nio/channels/AsynchronousServerSocketChannel.open", "AsynchronousServerSocketChannel.open()",
            "javax/net/SocketFactory.getDefault", "SocketFactory.getDefault() (the JDK's sockets)",
            "javax/net/ssl/SSLSocketFactory.getDefault", "SSLSocketFactory.getDefault() (the JDK's sockets)");

    /** Instance methods of SelectorProvider that open channels. */
    private static final Map<String, String> PROVIDER_CALLS = Map.of(
            "openSocketChannel", "SelectorProvider.openSocketChannel()",
            "openServerSocketChannel", "SelectorProvider.openServerSocketChannel()",
            "openDatagramChannel", "SelectorProvider.openDatagramChannel()");

    private ClassScanner() {
    }

    /**
     * The socket openings in {@code classFile}.
     *
     * @throws IllegalArgumentException when the bytes are not a class file ASM can read
     */
    static List<SocketUse> scan(byte[] classFile, String source) {
        List<SocketUse> out = new ArrayList<>();
        ClassReader reader = new ClassReader(classFile);
        String className = reader.getClassName().replace('/', '.');
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    private int line;

                    @Override
                    public void visitLineNumber(int l, Label start) {
                        line = l;
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String mname, String mdesc,
                            boolean isInterface) {
                        String what = null;
                        if (opcode == Opcodes.INVOKESPECIAL && mname.equals("<init>")) {
                            what = CONSTRUCTED.get(owner);
                        } else if (opcode == Opcodes.INVOKESTATIC) {
                            what = STATIC_CALLS.get(owner + "." + mname);
                        } else if (owner.equals("java/nio/channels/spi/SelectorProvider")) {
                            what = PROVIDER_CALLS.get(mname);
                        }
                        if (what != null) {
                            out.add(new SocketUse(className, name, line, what, source));
                        }
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        return out;
    }
}
