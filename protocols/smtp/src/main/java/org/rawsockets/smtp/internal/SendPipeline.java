package org.rawsockets.smtp.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;

import org.rawsockets.smtp.Capabilities;
import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.MessageSource;
import org.rawsockets.smtp.ProgressListener;
import org.rawsockets.smtp.RecipientResult;
import org.rawsockets.smtp.SendResult;
import org.rawsockets.smtp.SmtpCapabilityException;
import org.rawsockets.smtp.SmtpPermanentException;
import org.rawsockets.smtp.SmtpReply;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTransientException;
import org.rawsockets.smtp.internal.MessageTransfer.SourceOpenException;
import org.rawsockets.smtp.internal.SendTask.Prepared;
import org.rawsockets.socket.SocketClosedException;

/**
 * Sending messages on the worker: a send is checked against the server's capabilities and its
 * MAIL/RCPT commands built ({@link #prepare}), then run as MAIL, RCPT..., DATA or BDAT, pipelined
 * when the server offers it, with one result per recipient. A send queued behind a message is
 * chained to it: its commands go out with the previous message's end of data.
 */
final class SendPipeline {

    /** Commands per pipelined batch (RFC 2920 leaves the size to the client; bounded for buffers). */
    static final int PIPELINE_BATCH = 100;

    private final SmtpSessionImpl session;
    private final SmtpSettings settings;
    private final String label;
    private final SmtpConnection conn;
    private final SmtpHandshake hello;
    private final SessionWorker worker;
    private final FastSend fast;

    SendPipeline(SmtpSessionImpl session, SmtpSettings settings, SmtpConnection conn, SmtpHandshake hello,
            SessionWorker worker) {
        this.session = session;
        this.settings = settings;
        this.label = settings.serverLabel();
        this.conn = conn;
        this.hello = hello;
        this.worker = worker;
        this.fast = new FastSend(settings, conn, worker);
    }

    /** Runs {@code first} and the sends chained behind it, one after the other. */
    void runSends(SendTask first) {
        SendTask t = first;
        while (t != null) {
            SendTask current = t;
            current.start();
            // Late but its commands already went out: it runs, and fails at its first wait.
            if (!current.batchWritten && current.expiredInQueue()) {
                current.closeSource();
                return; // nothing of it was sent, and no send was chained to it
            }
            try {
                current.succeed(session.guarded(() -> doSend(current)));
            } catch (Throwable e) {
                current.fail(e);
            } finally {
                current.closeSource();
            }
            t = current.chained;
            if (t != null && !session.isOpen()) {
                t.fail(new SocketClosedException("the SMTP session to " + label + " closed before this message was sent"));
                t = null;
            }
        }
    }

    /**
     * At the end of a message's data: takes the next queued send (if it is the next operation) and,
     * when it fits one pipelined group, returns its MAIL/RCPT/DATA to go out in the same write as the
     * end of data, saving a round trip per message.
     */
    byte[] chainNext(SendTask current) {
        if (!current.prepared.pipelining()) {
            return null;
        }
        SendTask next = worker.takeNextSend();
        if (next == null) {
            return null;
        }
        current.chained = next;
        try {
            next.prepared = prepare(next.env, next.content, next.progress);
        } catch (Throwable e) {
            next.prepareFailure = e;
            return null;
        }
        if (!next.prepared.singleDataBatch()) {
            return null;
        }
        next.batchWritten = true;
        return next.prepared.batch(0, next.prepared.commands().size(), true);
    }

    private Prepared prepare(Envelope env, MessageSource content, ProgressListener progress) throws IOException {
        Capabilities caps = hello.capabilities;
        OptionalLong size;
        try {
            size = content.size();
        } catch (RuntimeException e) {
            throw new SourceOpenException("cannot read the size of the message to send (" + e.getMessage()
                    + "); nothing was sent", e);
        }
        OptionalLong limit = caps.sizeLimit();
        if (size.isPresent() && limit.isPresent() && size.getAsLong() > limit.getAsLong()) {
            throw new SmtpCapabilityException("the message (" + size.getAsLong() + " bytes) is larger than the "
                    + limit.getAsLong() + " bytes SMTP server " + label + " accepts (SIZE); not sent");
        }
        if (env.smtpUtf8() && !caps.has("SMTPUTF8")) {
            throw new SmtpCapabilityException("the message needs SMTPUTF8 (a non-ASCII address or UTF-8 headers) but"
                    + " SMTP server " + label + " does not offer it; not sent");
        }
        if (env.eightBitMime() && !caps.has("8BITMIME")) {
            throw new SmtpCapabilityException("the message has 8-bit content (BODY=8BITMIME) but SMTP server " + label
                    + " does not offer 8BITMIME; not sent (encode it as quoted-printable or base64)");
        }
        boolean dsn = env.wantsDsn() && caps.has("DSN");
        boolean chunking = settings.chunking() && caps.has("CHUNKING");
        boolean pipelining = settings.pipelining() && caps.has("PIPELINING");
        Charset cs = env.smtpUtf8() ? UTF_8 : US_ASCII;

        List<String> commands = new ArrayList<>(env.recipients().size() + 1);
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(env.from()).append('>');
        if (size.isPresent() && caps.has("SIZE")) {
            mail.append(" SIZE=").append(size.getAsLong());
        }
        if (env.eightBitMime()) {
            mail.append(" BODY=8BITMIME");
        }
        if (env.smtpUtf8()) {
            mail.append(" SMTPUTF8");
        }
        if (dsn) {
            env.dsnReturn().ifPresent(r -> mail.append(" RET=").append(r.name()));
            env.envelopeId().ifPresent(id -> mail.append(" ENVID=").append(xtext(id)));
        }
        commands.add(mail.toString());
        for (String rcpt : env.recipients()) {
            StringBuilder sb = new StringBuilder("RCPT TO:<").append(rcpt).append('>');
            if (dsn && env.dsnNotify().isPresent()) {
                sb.append(" NOTIFY=").append(env.dsnNotify().get().stream().sorted().map(Enum::name)
                        .collect(Collectors.joining(",")));
            }
            if (dsn && rcpt.chars().allMatch(ch -> ch < 128)) {
                sb.append(" ORCPT=rfc822;").append(xtext(rcpt));
            }
            commands.add(sb.toString());
        }
        long total = size.orElse(-1);
        InputStream in;
        try {
            in = content.open();
        } catch (IOException | RuntimeException e) {
            throw new SourceOpenException("cannot open the message to send (" + e.getMessage() + "); nothing was sent", e);
        }
        return new Prepared(List.copyOf(commands), cs, chunking, pipelining, in,
                new MessageTransfer(conn, this, label, settings.chunkSize(), in, total, progress, chunking));
    }

    private SendResult doSend(SendTask task) throws IOException {
        session.ensureOpen();
        if (task.prepareFailure != null) {
            throw task.prepareFailure instanceof IOException io ? io : new IOException(task.prepareFailure);
        }
        if (task.prepared == null) {
            task.prepared = prepare(task.env, task.content, task.progress);
        }
        Prepared p = task.prepared;
        Envelope env = task.env;
        List<String> commands = p.commands();
        boolean chunking = p.chunking();
        Charset cs = p.cs();
        MessageTransfer t = p.transfer();
        t.task = task;
        List<SmtpReply> replies = new ArrayList<>(commands.size());
        SmtpReply dataReply = null; // DATA's reply, or the first BDAT chunk's reply
        if (fast.eligible(task, p)) {
            FastSend.Outcome o = fast.run(task, p, t.encodeWhole());
            if (o.result() != null) {
                return o.result();
            }
            replies.addAll(o.replies());
            dataReply = o.dataReply();
            if (o.finalReply() != null) {
                List<RecipientResult> results = recipientResults(env, replies);
                throw conn.replyError("the message", o.finalReply(), results);
            }
            // A refusal before the data: handled below like any pipelined refusal.
        } else if (p.pipelining()) {
            for (int i = 0; i < commands.size(); i += PIPELINE_BATCH) {
                int end = Math.min(commands.size(), i + PIPELINE_BATCH);
                boolean lastBatch = end == commands.size();
                byte[] batch = p.batch(i, end, lastBatch && !chunking);
                if (task.batchWritten) {
                    // Already sent behind the previous message's end of data.
                } else if (lastBatch && chunking) {
                    // RFC 3030: BDAT may be pipelined after RCPT; one write for a small message.
                    t.writeNextChunk(batch);
                } else {
                    conn.write(batch, i == 0 ? "MAIL FROM" : "RCPT TO");
                }
                for (int k = i; k < end; k++) {
                    replies.add(conn.readReply(settings.commandTimeout(), k == 0 ? "MAIL FROM" : "RCPT TO"));
                }
            }
            dataReply = conn.readReply(chunking && t.lastSent ? settings.dataTimeout() : settings.commandTimeout(),
                    chunking ? "BDAT" : "DATA");
        } else {
            for (int k = 0; k < commands.size(); k++) {
                SmtpReply r = conn.command(commands.get(k), cs, k == 0 ? "MAIL FROM" : "RCPT TO");
                replies.add(r);
                if (k == 0 && !r.isPositive()) {
                    throw conn.replyError("the sender <" + env.from() + ">", r, null);
                }
            }
        }
        SmtpReply mailReply = replies.get(0);
        List<RecipientResult> results = recipientResults(env, replies);
        boolean anyAccepted = results.stream().anyMatch(RecipientResult::accepted);

        if (!mailReply.isPositive() || !anyAccepted) {
            if (dataReply != null && dataReply.code() == 354) {
                // The server took DATA although nothing can be delivered: end it empty.
                conn.write(".\r\n".getBytes(US_ASCII), "end of empty message");
                conn.readReply(settings.dataTimeout(), "end of empty message");
            }
            if (mailReply.isPositive() && session.isOpen()) {
                conn.command("RSET", "RSET");
            }
            if (!mailReply.isPositive()) {
                throw conn.replyError("the sender <" + env.from() + ">", mailReply, null);
            }
            boolean anyTransient = results.stream().anyMatch(r -> r.reply().isTransientFailure());
            String msg = "SMTP server " + label + " refused every recipient: "
                    + results.stream().map(RecipientResult::toString).collect(Collectors.joining("; "));
            SmtpReply first = results.get(0).reply();
            throw anyTransient ? new SmtpTransientException(msg, first, results)
                    : new SmtpPermanentException(msg, first, results);
        }

        SmtpReply finalReply;
        if (chunking) {
            if (dataReply == null) {
                t.writeNextChunk(new byte[0]);
                dataReply = conn.readReply(t.lastSent ? settings.dataTimeout() : settings.commandTimeout(), "BDAT");
            }
            while (true) {
                if (!dataReply.isPositive()) {
                    conn.rsetQuietly();
                    throw conn.replyError("the message data (BDAT)", dataReply, results);
                }
                if (t.lastSent) {
                    finalReply = dataReply;
                    break;
                }
                t.writeNextChunk(new byte[0]);
                dataReply = conn.readReply(t.lastSent ? settings.dataTimeout() : settings.commandTimeout(), "BDAT");
            }
        } else {
            if (dataReply == null) {
                dataReply = conn.command("DATA", "DATA");
            }
            if (dataReply.code() != 354) {
                conn.rsetQuietly();
                throw conn.replyError("DATA", dataReply, results);
            }
            t.writeDotStuffed();
            finalReply = conn.readReply(settings.dataTimeout(), "the end of the message data");
            if (!finalReply.isPositive()) {
                throw conn.replyError("the message", finalReply, results);
            }
        }
        return new SendResult(finalReply, results, t.sent);
    }

    /** One result per recipient, from the replies to MAIL (index 0) and each RCPT (index k + 1). */
    static List<RecipientResult> recipientResults(Envelope env, List<SmtpReply> replies) {
        List<RecipientResult> results = new ArrayList<>(env.recipients().size());
        for (int k = 0; k < env.recipients().size(); k++) {
            results.add(new RecipientResult(env.recipients().get(k), replies.get(k + 1)));
        }
        return results;
    }

    static String xtext(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(UTF_8)) {
            int c = b & 0xff;
            if (c >= 33 && c <= 126 && c != '+' && c != '=') {
                sb.append((char) c);
            } else {
                sb.append('+').append(String.format("%02X", c));
            }
        }
        return sb.toString();
    }
}
