package org.vspam.agent.milter;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.SequenceInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.MimeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.indicator.LinkHostLimit;
import org.vspam.agent.indicator.LinkHosts;

/**
 * The link hosts of one message, found while it streams in: the MIME parser (mime4j) runs on a virtual
 * thread of its own, decodes each text part (quoted-printable, base64, its charset), in nested
 * multiparts and attached messages, and hands each new host to {@code found} at once, so its lookup
 * starts before the message has ended. At most {@code maxUrls} distinct hosts and {@code maxBody}
 * bytes of decoded text are taken; what lies beyond is counted, never a reason to refuse.
 */
public final class MessageScan {
    private static final Logger LOG = LoggerFactory.getLogger(MessageScan.class);
    /** Lenient as mail is: no limit on line length, header count or nesting that real mail breaks. */
    private static final MimeConfig MIME = MimeConfig.PERMISSIVE;

    /** What was found: the hosts in the order met, those beyond the limit, and whether text was left unread. */
    public record Links(List<Indicator> hosts, int skippedHosts, boolean truncated) {
        static final Links NONE = new Links(List.of(), 0, false);
    }

    private final BodyPipe pipe = new BodyPipe();
    private final Consumer<Indicator> found;
    private final List<Indicator> hosts = new CopyOnWriteArrayList<>();
    private final LinkHostLimit limit;
    private final AtomicBoolean truncated = new AtomicBoolean();
    private final CompletableFuture<Links> done = new CompletableFuture<>();
    private long bodyLeft;

    private MessageScan(int maxUrls, long maxBody, Consumer<Indicator> found) {
        this.limit = new LinkHostLimit(maxUrls);
        this.bodyLeft = maxBody;
        this.found = found;
    }

    /** Starts reading a message whose MIME headers ({@code Content-Type: ...\r\n...}) are {@code headers}; the body follows by {@link #body}. */
    static MessageScan start(byte[] headers, int maxUrls, long maxBody, Consumer<Indicator> found) {
        MessageScan scan = new MessageScan(maxUrls, maxBody, found);
        InputStream message = new SequenceInputStream(new ByteArrayInputStream(headers), scan.pipe);
        Thread.ofVirtual().name("vspam-milter-scan").start(() -> scan.run(message));
        return scan;
    }

    /** Reads a whole message (a saved {@code .eml}) on the calling thread. */
    public static Links read(InputStream message, int maxUrls, long maxBody, Consumer<Indicator> found) {
        MessageScan scan = new MessageScan(maxUrls, maxBody, found);
        scan.run(message);
        return scan.done.join();
    }

    /** Passes a piece of the body on; see {@link BodyPipe#offer}. */
    boolean body(byte[] piece, Runnable resume) {
        return pipe.offer(piece, resume);
    }

    /** True once nothing more of the body will be read: the MTA may skip sending the rest. */
    boolean saturated() {
        return pipe.discarding();
    }

    /** The message has ended; completes when the parser has read what it has. */
    CompletableFuture<Links> finish() {
        pipe.end();
        return done;
    }

    /** What has been found so far, the parser stopped: for an answer that cannot wait longer. */
    Links soFar() {
        pipe.discard();
        truncated.set(true);
        return links();
    }

    /** The message was abandoned: the parser stops and nothing is reported. */
    void abort() {
        pipe.discard();
    }

    private Links links() {
        return new Links(List.copyOf(hosts), limit.beyond(), truncated.get());
    }

    private void run(InputStream message) {
        MimeStreamParser parser = new MimeStreamParser(MIME, DecodeMonitor.SILENT, null);
        parser.setContentDecoding(true);
        parser.setRecurse(); // into attached messages (message/rfc822)
        parser.setContentHandler(new AbstractContentHandler() {
            @Override
            public void body(BodyDescriptor part, InputStream content) throws IOException {
                if (bodyLeft > 0 && part.getMimeType().toLowerCase(Locale.ROOT).startsWith("text/")) {
                    text(part, content);
                }
                if (bodyLeft <= 0) {
                    truncated.set(true);
                    parser.stop();
                }
            }
        });
        try {
            parser.parse(message);
        } catch (MimeException | IOException | RuntimeException e) {
            LOG.debug("message not read to its end ({}); the links found so far are checked", e.toString());
            truncated.set(true);
        } finally {
            pipe.discard();
            done.complete(links());
        }
    }

    /**
     * Reads one text part as it streams, within what is left of {@code milter_max_body}: its links are
     * handed on as they are met, and only a window of it is held at a time (a plain-text window, or the
     * HTML elements still open).
     */
    private void text(BodyDescriptor part, InputStream content) throws IOException {
        Budget budget = new Budget(content);
        Reader text = new InputStreamReader(budget, charset(part.getCharset()));
        if (part.getMimeType().equalsIgnoreCase("text/html")) {
            LinkFinder.inHtml(text, this::link);
        } else {
            LinkFinder.inText(text, this::link);
        }
        if (budget.exhausted() && content.read() >= 0) {
            truncated.set(true);
        }
    }

    /** A part's decoded bytes, counted against {@code milter_max_body}: the stream ends where the budget does. */
    private final class Budget extends FilterInputStream {
        Budget(InputStream content) {
            super(content);
        }

        boolean exhausted() {
            return bodyLeft <= 0;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (bodyLeft <= 0) {
                return -1;
            }
            int read = super.read(into, offset, (int) Math.min(length, bodyLeft));
            if (read > 0) {
                bodyLeft -= read;
            }
            return read;
        }
    }

    private void link(String url) {
        for (Indicator host : LinkHosts.hosts(url)) {
            if (limit.take(host)) {
                hosts.add(host);
                found.accept(host);
            }
        }
    }

    private static Charset charset(String name) {
        try {
            // us-ascii is MIME's default; 8-bit text that claims it is nearly always UTF-8, which reads ASCII alike
            return name == null || name.equalsIgnoreCase("us-ascii") ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8; // an unknown charset: UTF-8 still reads every ASCII host
        }
    }
}
