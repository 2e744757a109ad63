package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The plugin author's kit end to end: {@code protocols/new-protocol hello} generates a module from
 * the template {@code protocols/skeleton} in a copy of the build's root files (wiring it into
 * protocols/pom.xml and launcher/pom.xml), Maven builds it offline against this reactor's
 * artifacts, and the bundle dropped into a gateway's deploy/ answers {@code hello:servers} and
 * {@code hello:send} (through socat echoing on a free loopback port) in {@code gateway -c}.
 */
class NewProtocolProcessIT {

    static final Path ROOT = Paths.get(System.getProperty("rawsockets.root")).toAbsolutePath().normalize();
    static final String VERSION = System.getProperty("project.version");
    /** Maven's generous limit for building the generated module (it takes ~20-60 s). */
    static final long BUILD_SECONDS = 300;

    private final GatewayProcessIT gateway = new GatewayProcessIT();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        gateway.killLeftovers();
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aGeneratedBundleBuildsAndItsShellCommandsAnswerInTheGateway(TestInfo info) throws Exception {
        Path work = Paths.get(System.getProperty("test.work.dir"), "new-protocol");
        org.rawsockets.socket.testing.TempDirs.delete(work);
        Path tree = Files.createDirectories(work.resolve("tree"));
        for (String f : new String[] { "pom.xml", "bnd.bnd", "protocols/pom.xml", "launcher/pom.xml",
            "launcher/protocols.bndrun" }) {
            Files.createDirectories(tree.resolve(f).getParent());
            Files.copy(ROOT.resolve(f), tree.resolve(f));
        }
        copyTree(ROOT.resolve("cnf"), tree.resolve("cnf"));

        // 1. Generate: the module, and its wiring into the build and the gateway.
        run(work, 60, ROOT.resolve("protocols/new-protocol").toString(), "hello", tree.toString());
        Path module = tree.resolve("protocols/hello");
        for (String f : new String[] { "bnd.bnd", "src/main/java/org/rawsockets/hello/HelloClient.java",
            "src/main/java/org/rawsockets/hello/internal/HelloComponent.java",
            "src/main/java/org/rawsockets/hello/internal/shell/HelloCommands.java",
            "src/test/java/org/rawsockets/hello/internal/codec/LineCodecTest.java",
            "src/test/java/org/rawsockets/hello/internal/EndToEndTest.java" }) {
            assertTrue(Files.isRegularFile(module.resolve(f)), "generated " + f);
        }
        try (Stream<Path> s = Files.walk(module)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String text = Files.isRegularFile(p) ? Files.readString(p) : "";
                assertTrue(!p.toString().toLowerCase().contains("skeleton") && !text.toLowerCase().contains("skeleton")
                        && !text.contains("@template-only"), "no trace of the template in " + p);
            }
        }
        assertEquals(new TreeSet<>(Set.of("hello")), ProtocolModulesTest.protocolBundles(tree));
        assertTrue(ProtocolModulesTest.launcherDependencies(tree).contains("hello"), "launcher/pom.xml depends on hello");
        assertTrue(ProtocolsResolutionTest.requiredIds(tree.resolve("launcher/protocols.bndrun"))
                .contains("org.rawsockets.hello"), "launcher/protocols.bndrun requires org.rawsockets.hello");

        // 2. Build it offline: this reactor's artifacts in a private local repository, everything else
        //    read from the build's own local repository (maven.repo.local.tail).
        Path repo = work.resolve("repo");
        publish(repo, "rawsockets-parent", ROOT.resolve("pom.xml"), null, null);
        publish(repo, "protocols", ROOT.resolve("protocols/pom.xml"), null, null);
        publish(repo, "socket-api", ROOT.resolve("socket-api/pom.xml"), "socket-api/target/socket-api-" + VERSION, "tests");
        publish(repo, "socket-impl-mina", ROOT.resolve("socket-impl-mina/pom.xml"),
                "socket-impl-mina/target/socket-impl-mina-" + VERSION, null);
        publish(repo, "protocols-config", ROOT.resolve("protocols/config/pom.xml"),
                "protocols/config/target/protocols-config-" + VERSION, null);
        Path mvn = Paths.get(System.getProperty("maven.home"), "bin", "mvn");
        run(work, BUILD_SECONDS, mvn.toString(), "-B", "-q", "-o", "-f", module.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + repo, "-Dmaven.repo.local.tail=" + System.getProperty("maven.repo.local"),
                "-Dmaven.test.skip=true", "package");
        Path jar = module.resolve("target/hello-" + VERSION + ".jar");
        assertTrue(Files.isRegularFile(jar), "built " + jar);

        // 3. Deploy it into a gateway with a server configured in etc/ (and its policy grant).
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Process socat = new ProcessBuilder("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork", "PIPE")
                .redirectErrorStream(true).redirectOutput(work.resolve("socat.log").toFile()).start();
        processes.add(socat);
        GatewayProcessIT.awaitListening(port);
        Path home = GatewayProcessIT.copyDistribution(info);
        Files.copy(jar, home.resolve("deploy").resolve(jar.getFileName()));
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.policy.cfg"),
                "grant.hello-lab = org.rawsockets.hello tcp 127.0.0.1 " + port + "\n");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.hello.server-lab.cfg"),
                String.join("\n", "name=lab", "host=127.0.0.1", "port=" + port, ""));
        GatewayProcessIT.Result r = gateway.run(home, "-c", "hello:servers; hello:send lab 'hello from the gateway'");
        assertEquals(0, r.exit(), r + "\n--- socat\n" + Files.readString(work.resolve("socat.log")));
        assertTrue(r.stdout().matches("(?s).*name +target\\s+lab +127\\.0\\.0\\.1:" + port + "\\b.*"), r.toString());
        assertTrue(r.stdout().contains("hello from the gateway"), r.toString());
    }

    /** Lays out {@code org.rawsockets:<artifactId>:<version>} as a local repository holds it. */
    private static void publish(Path repo, String artifactId, Path pom, String jarBase, String classifier)
            throws IOException {
        Path dir = Files.createDirectories(repo.resolve("org/rawsockets").resolve(artifactId).resolve(VERSION));
        String base = artifactId + "-" + VERSION;
        Files.copy(pom, dir.resolve(base + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jarBase != null) {
            copyBuilt(ROOT.resolve(jarBase + ".jar"), dir.resolve(base + ".jar"));
            if (classifier != null) {
                copyBuilt(ROOT.resolve(jarBase + "-" + classifier + ".jar"), dir.resolve(base + "-" + classifier + ".jar"));
            }
        }
    }

    private static void copyBuilt(Path from, Path to) throws IOException {
        if (!Files.isRegularFile(from)) {
            throw new AssertionError(from + " is not built: run the launcher's build with -am (it builds the reactor"
                    + " modules the generated bundle uses)");
        }
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Runs a command in {@code dir}; its output goes to a log file shown when it fails or outlives its limit. */
    private void run(Path dir, long seconds, String... command) throws Exception {
        Path log = dir.resolve(Paths.get(command[0]).getFileName() + "-" + processes.size() + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        processes.add(p);
        boolean ended = p.waitFor(seconds, TimeUnit.SECONDS);
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(ended, String.join(" ", command) + " did not end within " + seconds + " s:\n" + out);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
