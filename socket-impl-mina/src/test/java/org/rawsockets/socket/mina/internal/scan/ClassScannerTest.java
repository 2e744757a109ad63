package org.rawsockets.socket.mina.internal.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;

/** The bytecode scan behind policy:scan, on classes compiled with this test. */
class ClassScannerTest {

    private static byte[] classBytes(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName().replace('.', '$') + ".class")) {
            return in.readAllBytes();
        }
    }

    private static byte[] bytesOf(String resource) throws IOException {
        try (InputStream in = ClassScannerTest.class.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    @Test
    void findsEveryWayOfOpeningASocketWithClassMethodAndLine() throws IOException {
        List<SocketUse> uses = ClassScanner.scan(classBytes(DirectSockets.class), null);
        Set<String> found = new TreeSet<>();
        for (SocketUse u : uses) {
            assertEquals(DirectSockets.class.getName(), u.className());
            assertTrue(u.line() > 0, "line numbers: " + u);
            found.add(u.method() + ": " + u.what());
        }
        assertEquals(new TreeSet<>(List.of("plain: new java.net.Socket", "others: new java.net.ServerSocket",
                "others: new java.net.DatagramSocket", "others: new java.net.MulticastSocket",
                "channels: SocketChannel.open()", "channels: ServerSocketChannel.open()",
                "channels: DatagramChannel.open()", "channels: AsynchronousSocketChannel.open()",
                "channels: SelectorProvider.openSocketChannel()",
                "defaultFactory: SocketFactory.getDefault() (the JDK's sockets)")), found);
        assertTrue(uses.get(0).toString().matches("new java.net.Socket in "
                + DirectSockets.class.getName().replace(".", "\\.") + "\\.plain \\(line \\d+\\)"), uses.get(0).toString());
    }

    @Test
    void aSubclassConstructorIsFound() throws IOException {
        List<SocketUse> uses = ClassScanner.scan(bytesOf("DirectSockets$OwnSocket.class"), null);
        assertEquals(1, uses.size(), uses.toString());
        assertEquals("<init>", uses.get(0).method());
        assertEquals("new java.net.Socket", uses.get(0).what());
    }

    @Test
    void aClassWithoutSocketsHasNoFinding() throws IOException {
        assertEquals(List.of(), ClassScanner.scan(classBytes(ClassScannerTest.class), null));
    }

    @Test
    void embeddedJarsAreScannedAndNamedAndUnreadableEntriesReported() throws IOException {
        ByteArrayOutputStream jar = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(jar)) {
            out.putNextEntry(new JarEntry("org/example/Direct.class"));
            out.write(classBytes(DirectSockets.class));
            out.putNextEntry(new JarEntry("org/example/Broken.class"));
            out.write(new byte[] { 1, 2, 3 });
            out.putNextEntry(new JarEntry("readme.txt"));
            out.write(new byte[] { 'x' });
        }
        BundleScanner.Collector c = new BundleScanner.Collector();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar.toByteArray()))) {
            c.jar(in, "lib/paho.jar");
        }
        assertEquals(10, c.uses.size(), c.uses.toString());
        assertTrue(c.uses.stream().allMatch(u -> "lib/paho.jar".equals(u.source())), c.uses.toString());
        assertTrue(c.uses.get(0).toString().endsWith("[lib/paho.jar]"), c.uses.get(0).toString());
        assertEquals(1, c.problems.size(), c.problems.toString());
        assertTrue(c.problems.get(0).startsWith("lib/paho.jar!org/example/Broken.class: not a readable class file"),
                c.problems.get(0));
    }
}
