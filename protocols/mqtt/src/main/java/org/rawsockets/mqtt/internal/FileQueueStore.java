package org.rawsockets.mqtt.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttMessage.PublishProperties;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file-backed part of the offline queue: one file per publication waiting or in flight
 * ({@code <sequence>.msg}, 16 digits, written to a temporary file and renamed, so a file is whole
 * or absent), deleted when the publication is done. At start the files left by the previous run
 * (a bundle or gateway restart) are read back in sequence order. Bounded by the bytes of its files.
 * With {@code fsync} (property {@code queueFsync}) a publication is accepted only once its file's bytes
 * and its name are on the disk: the temporary file is synced before the rename and the directory after
 * it, so it survives a power cut too; a delete is not synced (after a power cut a publication already
 * done may be sent again: at least once). Without, it survives a restart of the bundle or the JVM, not
 * necessarily a power cut. Guarded by the client's lock.
 */
final class FileQueueStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileQueueStore.class);
    private static final int MAGIC = 0x52534D51; // "RSMQ"
    private static final int FORMAT = 1;

    /** A publication read back at start. */
    record Stored(long seq, MqttMessage message) {
    }

    private final Path dir;
    private final long maxBytes;
    private final boolean fsync;
    private final Map<Long, Long> sizes = new HashMap<>();
    private long bytes;
    private long nextSeq = 1;

    FileQueueStore(Path dir, long maxBytes, boolean fsync) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.fsync = fsync;
    }

    Path dir() {
        return dir;
    }

    long bytes() {
        return bytes;
    }

    long maxBytes() {
        return maxBytes;
    }

    int files() {
        return sizes.size();
    }

    /**
     * Creates the directory if needed and reads the publications left in it, oldest first. A file
     * that cannot be read is renamed to {@code .bad} (kept for the operator) and logged.
     */
    List<Stored> load() throws IOException {
        Files.createDirectories(dir);
        if (fsync) { // the directory's own entry, when it was just made
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                syncDirectory(parent);
            }
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.msg")) {
            ds.forEach(files::add);
        }
        files.sort(null);
        List<Stored> out = new ArrayList<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            long seq;
            try {
                seq = Long.parseLong(name.substring(0, name.length() - 4));
                MqttMessage m = decode(Files.readAllBytes(f));
                out.add(new Stored(seq, m));
                sizes.put(seq, Files.size(f));
                bytes += Files.size(f);
                nextSeq = Math.max(nextSeq, seq + 1);
            } catch (IOException | RuntimeException e) {
                LOG.warn("MQTT offline queue {}: {} cannot be read ({}); renamed to .bad", dir, name, e.toString());
                Files.move(f, f.resolveSibling(name + ".bad"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return out;
    }

    /** The size a message takes in the store. */
    static long sizeOf(byte[] encoded) {
        return encoded.length;
    }

    /** Writes a publication; returns its sequence number. The caller checked the bound with {@link #fits}. */
    long add(byte[] encoded) throws IOException {
        long seq = nextSeq++;
        Path tmp = dir.resolve(String.format("%016d.tmp", seq));
        if (fsync) {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(encoded);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
        } else {
            Files.write(tmp, encoded);
        }
        try {
            Files.move(tmp, file(seq), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file(seq), StandardCopyOption.REPLACE_EXISTING);
        }
        if (fsync) {
            syncDirectory(dir);
        }
        sizes.put(seq, (long) encoded.length);
        bytes += encoded.length;
        return seq;
    }

    boolean fits(long size) {
        return bytes + size <= maxBytes;
    }

    /** Deletes a publication's file (it is done, failed or given up). */
    void remove(long seq) {
        Long size = sizes.remove(seq);
        if (size == null) {
            return;
        }
        bytes -= size;
        try {
            Files.deleteIfExists(file(seq));
        } catch (IOException e) {
            LOG.warn("MQTT offline queue {}: {} cannot be deleted: {}", dir, file(seq).getFileName(), e.toString());
        }
    }

    /** Syncs a directory's entries (the names made or renamed in it): fsync on the directory itself. */
    private static void syncDirectory(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private Path file(long seq) {
        return dir.resolve(String.format("%016d.msg", seq));
    }

    static byte[] encode(MqttMessage m) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64 + m.payload().length);
            DataOutputStream o = new DataOutputStream(b);
            o.writeInt(MAGIC);
            o.writeByte(FORMAT);
            o.writeUTF(m.topic());
            o.writeByte(m.qos().value());
            o.writeBoolean(m.retain());
            PublishProperties p = m.properties();
            o.writeBoolean(p.payloadFormatUtf8());
            o.writeLong(p.messageExpirySeconds());
            nullableUtf(o, p.contentType());
            nullableUtf(o, p.responseTopic());
            o.writeInt(p.correlationData() == null ? -1 : p.correlationData().length);
            if (p.correlationData() != null) {
                o.write(p.correlationData());
            }
            o.writeInt(p.userProperties().size());
            for (UserProperty u : p.userProperties()) {
                o.writeUTF(u.name());
                o.writeUTF(u.value());
            }
            o.writeInt(m.payload().length);
            o.write(m.payload());
            return b.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e); // in memory
        }
    }

    static MqttMessage decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
        if (in.readInt() != MAGIC || in.readByte() != FORMAT) {
            throw new IOException("not an offline queue file of format " + FORMAT);
        }
        String topic = in.readUTF();
        Qos qos = Qos.of(in.readByte());
        boolean retain = in.readBoolean();
        boolean utf8 = in.readBoolean();
        long expiry = in.readLong();
        String contentType = nullableUtf(in);
        String responseTopic = nullableUtf(in);
        int cl = in.readInt();
        byte[] correlation = cl < 0 ? null : in.readNBytes(cl);
        int users = in.readInt();
        if (users < 0 || users > bytes.length) {
            throw new IOException("corrupt user property count " + users);
        }
        List<UserProperty> user = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            user.add(new UserProperty(in.readUTF(), in.readUTF()));
        }
        int n = in.readInt();
        if (n < 0 || n != in.available()) {
            throw new IOException("corrupt payload length " + n + " (" + in.available() + " bytes left)");
        }
        byte[] payload = in.readNBytes(n);
        PublishProperties p = !utf8 && expiry == -1 && contentType == null && responseTopic == null
                && correlation == null && user.isEmpty() ? PublishProperties.NONE
                : new PublishProperties(utf8, expiry, contentType, responseTopic, correlation, user, null);
        return new MqttMessage(topic, payload, qos, retain, p);
    }

    private static void nullableUtf(DataOutputStream o, String s) throws IOException {
        o.writeBoolean(s != null);
        if (s != null) {
            o.writeUTF(s);
        }
    }

    private static String nullableUtf(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
