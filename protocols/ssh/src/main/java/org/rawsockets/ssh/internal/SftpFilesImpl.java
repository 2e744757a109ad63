package org.rawsockets.ssh.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpException;
import org.rawsockets.ssh.RemoteFile;
import org.rawsockets.ssh.SftpFiles;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;
import org.rawsockets.ssh.TransferProgress;
import org.rawsockets.ssh.TransferResult;

/**
 * SFTP with SSHD's client on one channel per session. Whole-file transfers use SSHD's pipelined
 * streams (several requests in flight, fixed buffers); resumed ones read or write by offset.
 */
final class SftpFilesImpl implements SftpFiles {

    /** Bytes per SFTP read/write request and per copy buffer. */
    static final int CHUNK = 64 * 1024;

    private final SshEngine engine;
    private final SshSessionImpl session;
    private SftpClient client;

    SftpFilesImpl(SshEngine engine, SshSessionImpl session) {
        this.engine = engine;
        this.session = session;
    }

    private synchronized SftpClient client() throws IOException {
        if (client == null || !client.isOpen()) {
            client = SftpClientFactory.instance().createSftpClient(session.clientSession());
        }
        return client;
    }

    synchronized void close() {
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // the session closes anyway
            }
        }
    }

    private interface Call<T> {
        T call(SftpClient c) throws Exception;
    }

    private <T> CompletionStage<T> run(String what, Call<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            engine.workers().execute(() -> {
                try {
                    result.complete(call.call(client()));
                } catch (Throwable t) {
                    result.completeExceptionally(failure(what, t));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(failure(what + " (no worker thread free)", e));
        }
        return result;
    }

    private SshException failure(String what, Throwable t) {
        if (t instanceof SshException s) {
            return s;
        }
        SftpException sftp = Failures.find(t, SftpException.class);
        if (sftp != null) {
            return new SshException(Reason.SFTP, "sftp " + what + " on " + session.target() + " failed: " + KeyFiles.oneLine(sftp)
                    + " (SFTP status " + sftp.getStatus() + ")", sftp);
        }
        return session.failure(Reason.CHANNEL, "sftp " + what, t);
    }

    @Override
    public CompletionStage<List<RemoteFile>> list(String directory) {
        return run("ls " + directory, c -> {
            List<RemoteFile> out = new ArrayList<>();
            for (DirEntry e : c.readDir(directory)) {
                if (!e.getFilename().equals(".") && !e.getFilename().equals("..")) {
                    out.add(file(e.getFilename(), e.getAttributes()));
                }
            }
            out.sort(java.util.Comparator.comparing(RemoteFile::name));
            return out;
        });
    }

    @Override
    public CompletionStage<RemoteFile> stat(String path) {
        return run("stat " + path, c -> file(path, c.stat(path)));
    }

    private static RemoteFile file(String name, Attributes a) {
        Instant modified = a.getModifyTime() == null ? Instant.EPOCH : a.getModifyTime().toInstant();
        return new RemoteFile(name, a.getSize(), a.isDirectory(), a.getPermissions() & 07777, modified);
    }

    @Override
    public CompletionStage<Void> mkdir(String directory) {
        return run("mkdir " + directory, c -> {
            c.mkdir(directory);
            return null;
        });
    }

    @Override
    public CompletionStage<Void> rm(String path) {
        return run("rm " + path, c -> {
            if (c.stat(path).isDirectory()) {
                c.rmdir(path);
            } else {
                c.remove(path);
            }
            return null;
        });
    }

    @Override
    public CompletionStage<Void> rename(String from, String to) {
        return run("rename " + from + " " + to, c -> {
            c.rename(from, to);
            return null;
        });
    }

    @Override
    public CompletionStage<TransferResult> get(String remote, Path local, boolean resume, TransferProgress progress) {
        return run("get " + remote, c -> {
            long t0 = System.nanoTime();
            long total = c.stat(remote).getSize();
            long offset = resume && Files.exists(local) ? Files.size(local) : 0;
            if (offset > total) {
                throw new SshException(Reason.SFTP, "sftp get " + remote + " on " + session.target() + ": cannot resume, " + local
                        + " (" + offset + " bytes) is larger than the remote file (" + total + " bytes)", null);
            }
            byte[] buf = new byte[CHUNK];
            long done = offset;
            progress.progress(done, total);
            if (offset == 0) {
                try (InputStream in = c.read(remote, CHUNK); OutputStream out = Files.newOutputStream(local)) {
                    for (int n; (n = in.read(buf)) >= 0;) {
                        out.write(buf, 0, n);
                        done += n;
                        progress.progress(done, total);
                    }
                }
            } else {
                try (CloseableHandle h = c.open(remote, OpenMode.Read);
                        OutputStream out = Files.newOutputStream(local, StandardOpenOption.APPEND)) {
                    for (int n; (n = c.read(h, done, buf, 0, buf.length)) > 0;) {
                        out.write(buf, 0, n);
                        done += n;
                        progress.progress(done, total);
                    }
                }
            }
            return new TransferResult(done, done - offset, offset, Duration.ofNanos(System.nanoTime() - t0));
        });
    }

    @Override
    public CompletionStage<TransferResult> put(Path local, String remote, boolean resume, TransferProgress progress) {
        return run("put " + remote, c -> {
            long t0 = System.nanoTime();
            long total = Files.size(local);
            long offset = 0;
            if (resume) {
                try {
                    offset = c.stat(remote).getSize();
                } catch (SftpException missing) {
                    offset = 0;
                }
                if (offset > total) {
                    throw new SshException(Reason.SFTP, "sftp put " + remote + " on " + session.target() + ": cannot resume, the"
                            + " remote file (" + offset + " bytes) is larger than " + local + " (" + total + " bytes)", null);
                }
            }
            byte[] buf = new byte[CHUNK];
            long done = offset;
            progress.progress(done, total);
            if (offset == 0) {
                try (InputStream in = Files.newInputStream(local);
                        OutputStream out = c.write(remote, CHUNK, OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
                    for (int n; (n = in.read(buf)) >= 0;) {
                        out.write(buf, 0, n);
                        done += n;
                        progress.progress(done, total);
                    }
                }
            } else {
                try (SeekableByteChannel in = Files.newByteChannel(local); CloseableHandle h = c.open(remote, OpenMode.Write)) {
                    in.position(offset);
                    ByteBuffer bb = ByteBuffer.wrap(buf);
                    for (int n; (n = in.read(bb.clear())) > 0;) {
                        c.write(h, done, buf, 0, n);
                        done += n;
                        progress.progress(done, total);
                    }
                }
            }
            return new TransferResult(done, done - offset, offset, Duration.ofNanos(System.nanoTime() - t0));
        });
    }
}
