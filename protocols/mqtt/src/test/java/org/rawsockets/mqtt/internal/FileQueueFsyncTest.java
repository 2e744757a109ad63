package org.rawsockets.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.Qos;

/**
 * queueFsync as the kernel sees it: a JVM that queues three publications in a file-backed queue runs
 * under strace, and the system calls on the queue's files show the order that makes a publication
 * survive a power cut — its temporary file synced, then renamed to its name, then the directory synced,
 * all before the next publication is written — and, with queueFsync off, no sync at all.
 */
class FileQueueFsyncTest {

    /** The child JVM: a store on {@code args[0]}, fsync {@code args[1]}, three publications. */
    public static void main(String[] args) throws Exception {
        FileQueueStore store = new FileQueueStore(Path.of(args[0]), 1 << 20, Boolean.parseBoolean(args[1]));
        store.load();
        for (int i = 1; i <= 3; i++) {
            store.add(FileQueueStore.encode(MqttMessage.of("fsync/" + i, "message " + i, Qos.AT_LEAST_ONCE)));
        }
    }

    /** A system call on a path: "open", "sync" or "rename" (path = the old name, to = the new). */
    record Call(String kind, String path, String to) {
    }

    private static final Pattern OPEN = Pattern.compile("openat\\(AT_FDCWD, \"([^\"]+)\", [^)]*\\)\\s+= (\\d+)");
    private static final Pattern SYNC = Pattern.compile("f(?:data)?sync\\((\\d+)\\)\\s+= 0"); // strace pads before '='

    private static final Pattern RENAME = Pattern.compile("rename(?:at2?)?\\((?:AT_FDCWD, )?\"([^\"]+)\", (?:AT_FDCWD, )?\"([^\"]+)\"");
    private static final Pattern CLOSE = Pattern.compile("close\\((\\d+)\\)\\s+= 0");

    /** The calls on paths under {@code dir} (and on the directory's parent), in order, from strace's output. */
    static List<Call> calls(Path dir, boolean fsync) throws Exception {
        Path out = Files.createTempFile("strace-", ".txt");
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder("strace", "-f", "-qq", "-e", "trace=openat,fsync,fdatasync,rename,renameat,"
                    + "renameat2,close", "-o", out.toString(), java, "-Xshare:auto", "-cp",
                    System.getProperty("java.class.path"), FileQueueFsyncTest.class.getName(), dir.toString(),
                    String.valueOf(fsync)).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the traced JVM ended");
            assertEquals(0, p.exitValue(), "strace and the traced JVM: " + output);
            // strace -f splits a call that another thread interrupts: "PID call(... <unfinished ...>" and
            // later "PID <... call resumed>...)": joined again per thread
            Map<String, String> unfinished = new HashMap<>();
            Map<String, String> fds = new HashMap<>();
            List<Call> calls = new ArrayList<>();
            String prefix = dir.toAbsolutePath().getParent().toString();
            for (String line : Files.readAllLines(out)) {
                int sp = line.indexOf(' ');
                String pid = line.substring(0, sp);
                String call = line.substring(sp + 1).strip();
                if (call.endsWith("<unfinished ...>")) {
                    // strace leaves a space before "<unfinished ...>": "fsync(12 " + ") = 0" must read "fsync(12) = 0"
                    unfinished.put(pid, call.substring(0, call.length() - "<unfinished ...>".length()).stripTrailing());
                    continue;
                }
                if (call.startsWith("<...")) {
                    call = unfinished.getOrDefault(pid, "") + call.substring(call.indexOf("resumed>") + 8);
                }
                Matcher m;
                if ((m = OPEN.matcher(call)).find() && m.group(1).startsWith(prefix)) {
                    fds.put(m.group(2), m.group(1));
                    calls.add(new Call("open", m.group(1), null));
                } else if ((m = SYNC.matcher(call)).find() && fds.containsKey(m.group(1))) {
                    calls.add(new Call("sync", fds.get(m.group(1)), null));
                } else if ((m = RENAME.matcher(call)).find() && m.group(1).startsWith(prefix)) {
                    calls.add(new Call("rename", m.group(1), m.group(2)));
                } else if ((m = CLOSE.matcher(call)).find()) {
                    fds.remove(m.group(1));
                }
            }
            return calls;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void eachPublicationIsSyncedRenamedAndItsNameSyncedBeforeTheNext(@TempDir Path parent) throws Exception {
        Path dir = parent.resolve("queue"); // made by the store: its own entry in the parent is synced too
        List<Call> calls = calls(dir, true);
        String d = dir.toString();
        int at = calls.indexOf(new Call("sync", parent.toString(), null));
        assertTrue(at >= 0, "the parent directory synced after the queue directory was made: " + calls);
        for (int seq = 1; seq <= 3; seq++) {
            String tmp = d + "/" + String.format("%016d.tmp", seq);
            String msg = d + "/" + String.format("%016d.msg", seq);
            int open = indexFrom(calls, at, new Call("open", tmp, null));
            int sync = indexFrom(calls, open, new Call("sync", tmp, null));
            int rename = indexFrom(calls, sync, new Call("rename", tmp, msg));
            int dirSync = indexFrom(calls, rename, new Call("sync", d, null));
            assertTrue(open >= 0 && sync > open && rename > sync && dirSync > rename,
                    "publication " + seq + ": open, sync, rename, directory sync in this order: " + calls);
            at = dirSync;
        }
        try (var files = Files.list(dir)) {
            assertEquals(3, files.filter(f -> f.toString().endsWith(".msg")).count());
        }
    }

    @Test
    void withoutQueueFsyncNothingIsSynced(@TempDir Path parent) throws Exception {
        Path dir = parent.resolve("queue");
        List<Call> calls = calls(dir, false);
        assertTrue(calls.stream().anyMatch(c -> c.kind().equals("rename")), "the trace sees the store's calls: " + calls);
        assertTrue(calls.stream().noneMatch(c -> c.kind().equals("sync")), calls.toString());
    }

    private static int indexFrom(List<Call> calls, int from, Call c) {
        for (int i = Math.max(from, 0); i < calls.size(); i++) {
            if (calls.get(i).equals(c)) {
                return i;
            }
        }
        return -1;
    }
}
