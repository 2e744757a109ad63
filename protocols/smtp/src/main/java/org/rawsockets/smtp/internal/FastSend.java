package org.rawsockets.smtp.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.RecipientResult;
import org.rawsockets.smtp.SendResult;
import org.rawsockets.smtp.SmtpProtocolException;
import org.rawsockets.smtp.SmtpReply;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.internal.SendTask.Prepared;

/**
 * The fast path: a small message of known size, the envelope in one pipelined group, nothing
 * else queued. The I/O thread drives it (replies decoded in the read callbacks, the data written
 * from there once DATA got 354, the caller's stage completed on the final reply), so a message
 * costs no hand-off to the worker per round trip; the worker only waits for the end.
 */
final class FastSend {

    /**
     * What the fast path ended with: the result (success, already handed to the caller), or the
     * replies for the worker to handle a refusal (before the data, or of the message).
     */
    record Outcome(SendResult result, List<SmtpReply> replies, SmtpReply dataReply, SmtpReply finalReply) {
    }

    private final SmtpSettings settings;
    private final String label;
    private final SmtpConnection conn;
    private final SessionWorker worker;

    FastSend(SmtpSettings settings, SmtpConnection conn, SessionWorker worker) {
        this.settings = settings;
        this.label = settings.serverLabel();
        this.conn = conn;
        this.worker = worker;
    }

    boolean eligible(SendTask task, Prepared p) {
        boolean oneGroup = p.pipelining() && p.commands().size() <= SendPipeline.PIPELINE_BATCH;
        return oneGroup && !task.batchWritten && conn.inflightReply == null && p.transfer().total >= 0
                && p.transfer().total < settings.chunkSize() && worker.queueEmpty();
    }

    private SmtpProtocolException closedWhileDue(boolean bodySent) {
        return new SmtpProtocolException("SMTP server " + label + " closed the connection while a reply was due ("
                + (bodySent ? "to the end of the message data" : "to MAIL FROM, RCPT TO or DATA") + ")");
    }

    Outcome run(SendTask task, Prepared p, byte[] body) throws IOException {
        conn.settleLastWrite();
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        int expected = p.commands().size() + 1; // MAIL, RCPT..., DATA
        List<SmtpReply> replies = new ArrayList<>(expected);
        Envelope env = task.env;
        Runnable[] next = new Runnable[1];
        boolean[] bodySent = new boolean[1];
        // one reply at a time; replies already received complete at once (at most expected + 1 deep)
        next[0] = () -> conn.replies.next().whenComplete((r, err) -> {
            try {
                if (err != null) {
                    done.completeExceptionally(err);
                    return;
                }
                if (r == null) {
                    done.completeExceptionally(closedWhileDue(bodySent[0]));
                    return;
                }
                if (r.code() == 421) {
                    conn.open = false;
                }
                if (!bodySent[0]) { // always so with CHUNKING: the data went with the commands
                    replies.add(r);
                    if (replies.size() < expected) {
                        next[0].run();
                        return;
                    }
                    SmtpReply data = replies.remove(expected - 1); // DATA's reply, or BDAT's
                    boolean accepted = replies.get(0).isPositive()
                            && replies.subList(1, replies.size()).stream().anyMatch(SmtpReply::isPositive);
                    if (p.chunking()) {
                        if (accepted && data.isPositive()) {
                            List<RecipientResult> results = SendPipeline.recipientResults(env, replies);
                            SendResult result = new SendResult(data, results, p.transfer().sent);
                            task.succeed(result);
                            done.complete(new Outcome(result, replies, null, null));
                        } else {
                            done.complete(new Outcome(null, replies, data, null));
                        }
                        return;
                    }
                    if (!accepted || data.code() != 354) {
                        done.complete(new Outcome(null, replies, data, null));
                        return;
                    }
                    bodySent[0] = true;
                    CompletableFuture<Void> w = SmtpConnection.wrap(conn.socket.writable().write(ByteBuffer.wrap(body)));
                    w.whenComplete((v, e) -> {
                        if (e != null) {
                            done.completeExceptionally(e);
                        }
                    });
                    conn.lastWrite = w;
                    conn.lastWriteWhat = "message data";
                    next[0].run(); // the reply to the end of the data
                } else {
                    List<RecipientResult> results = SendPipeline.recipientResults(env, replies);
                    if (r.isPositive()) {
                        SendResult result = new SendResult(r, results, p.transfer().sent);
                        task.succeed(result); // straight to the caller, from this I/O thread
                        done.complete(new Outcome(result, replies, null, null));
                    } else {
                        done.complete(new Outcome(null, replies, null, r));
                    }
                }
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        byte[] first;
        if (p.chunking()) {
            // RFC 3030: MAIL, RCPT..., BDAT n LAST and the message in one write.
            byte[] cmds = p.batch(0, p.commands().size(), false);
            byte[] bdat = ("BDAT " + body.length + " LAST\r\n").getBytes(US_ASCII);
            first = new byte[cmds.length + bdat.length + body.length];
            System.arraycopy(cmds, 0, first, 0, cmds.length);
            System.arraycopy(bdat, 0, first, cmds.length, bdat.length);
            System.arraycopy(body, 0, first, cmds.length + bdat.length, body.length);
        } else {
            first = p.batch(0, p.commands().size(), true);
        }
        CompletableFuture<Void> w = SmtpConnection.wrap(conn.socket.writable().write(ByteBuffer.wrap(first)));
        w.whenComplete((v, err) -> {
            if (err != null) {
                done.completeExceptionally(err);
            }
        });
        next[0].run();
        Outcome o = conn.await(done, settings.commandTimeout().plus(settings.dataTimeout()), "reply to the message");
        conn.settleLastWrite();
        return o;
    }
}
