package org.rawsockets.smtp.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;

import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.MessageSource;
import org.rawsockets.smtp.ProgressListener;
import org.rawsockets.smtp.SendResult;

/** A queued send. The worker runs it; its commands may already have gone out with the previous message. */
final class SendTask extends Operation<SendResult> {

    private static final byte[] CRLF = { '\r', '\n' };

    final Envelope env;
    final MessageSource content;
    final ProgressListener progress;
    Prepared prepared;
    Throwable prepareFailure;
    /** Its MAIL/RCPT/DATA were written behind the previous message's end of data (RFC 2920 3.1). */
    boolean batchWritten;
    /** The next send, taken from the queue while this one ended its data; runs right after it. */
    SendTask chained;

    SendTask(SmtpSessionImpl session, Envelope env, MessageSource content, ProgressListener progress, long deadline,
            Duration limit) {
        super(session, "sending the message", deadline, limit);
        this.env = env;
        this.content = content;
        this.progress = progress;
    }

    @Override
    public void run() {
        session.sender().runSends(this);
    }

    @Override
    boolean fail(Throwable reason) {
        closeSource();
        return super.fail(reason);
    }

    void closeSource() {
        Prepared p = prepared;
        if (p != null) {
            try {
                p.in.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /** A send checked against the capabilities, with its commands built and its source open. */
    record Prepared(List<String> commands, Charset cs, boolean chunking, boolean pipelining, InputStream in,
            MessageTransfer transfer) {

        /** Every command in one pipelined group, DATA included (only without CHUNKING, one batch). */
        boolean singleDataBatch() {
            return pipelining && !chunking && commands.size() <= SendPipeline.PIPELINE_BATCH;
        }

        byte[] batch(int from, int to, boolean withData) {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64 * (to - from + 1));
            for (int k = from; k < to; k++) {
                b.writeBytes(commands.get(k).getBytes(cs));
                b.writeBytes(CRLF);
            }
            if (withData) {
                b.writeBytes("DATA\r\n".getBytes(US_ASCII));
            }
            return b.toByteArray();
        }
    }
}
