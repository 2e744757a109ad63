package org.rawsockets.webbridge.internal.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Type-checks the JavaScript library's TypeScript declarations ({@code js/src/direct-sockets.d.ts}):
 * {@code tsc -p js/test/types --noEmit --strict} compiles {@code js/test/types/usage.ts}, a page's use of
 * the whole API with {@code // @ts-expect-error} lines for wrong usage that must not compile; then
 * {@code js/test/types/surface.mjs} checks that the declarations name exactly the classes, functions and
 * members {@code direct-sockets.js} exports. The compiler is npm {@code typescript}, pinned by
 * {@code js/package-lock.json} and installed by {@code .ci/setup}; missing or another version fails.
 */
class TypeScriptDeclarationsTest {

    private static final Path JS = Path.of("js");

    @Test
    void theDeclarationsCompileStrictlyAndMatchTheLibrary() throws Exception {
        String want = version(JS.resolve("package-lock.json"),
                "\"node_modules/typescript\"\\s*:\\s*\\{\\s*\"version\"\\s*:\\s*\"([^\"]+)\"");
        Path installed = JS.resolve("node_modules/typescript/package.json");
        assertTrue(Files.isRegularFile(installed), "TypeScript " + want + " is not installed in " + JS.toAbsolutePath()
                + "/node_modules: run .ci/setup (it runs npm ci there, pinned by package-lock.json)");
        String have = version(installed, "\"version\"\\s*:\\s*\"([^\"]+)\"");
        assertEquals(want, have, "TypeScript " + have + " is installed in " + JS.toAbsolutePath()
                + "/node_modules, package-lock.json pins " + want + ": run .ci/setup");

        Run tsc = node("node_modules/typescript/bin/tsc", "-p", "test/types", "--noEmit", "--strict", "--pretty", "false");
        assertEquals(0, tsc.exit, "tsc --noEmit --strict found errors in the declarations or in test/types/usage.ts"
                + " (an 'Unused '@ts-expect-error' directive' means wrong usage now compiles):\n" + tsc.output);

        Run surface = node("test/types/surface.mjs");
        assertEquals(0, surface.exit, "direct-sockets.d.ts does not declare what direct-sockets.js exports:\n" + surface.output);
        assertTrue(surface.output.contains(" 0 mismatches") && surface.output.contains("TCPSocket"), surface.output);
    }

    private static String version(Path file, String regex) throws IOException {
        Matcher m = Pattern.compile(regex).matcher(Files.readString(file));
        assertTrue(m.find(), "no TypeScript version in " + file.toAbsolutePath());
        return m.group(1);
    }

    private record Run(int exit, String output) {
    }

    /** Runs node with {@code args} in {@code js/}; output and exit status, within 3 minutes. */
    private static Run node(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("node"));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).directory(JS.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run node (a test peer): run .ci/setup", e);
        }
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                out.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append("reading node's output failed: ").append(e);
            }
        });
        reader.start();
        boolean finished = p.waitFor(3, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        reader.join(TimeUnit.SECONDS.toMillis(30));
        System.out.println(String.join(" ", command) + ":\n" + out);
        assertTrue(finished, String.join(" ", command) + " did not finish within 3 minutes:\n" + out);
        return new Run(p.exitValue(), out.toString());
    }
}
