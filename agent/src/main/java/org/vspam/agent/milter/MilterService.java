package org.vspam.agent.milter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.vspam.agent.decision.Decision;
import org.vspam.agent.decision.DecisionService;
import org.vspam.agent.decision.MailQuery;
import org.vspam.agent.decision.Transport;
import org.vspam.agent.indicator.Indicator;
import org.vspam.config.MilterSettings;

/**
 * Decides messages: the envelope (client address, sender's domain) and the hosts of the body's links
 * go through the same decision path and controls as a policy request, and the outcome is told to the
 * MTA at the end of the message. Every failure of our own accepts the message (or tempfails it, with
 * {@code failure_action: defer}). Knows nothing of Netty.
 */
public final class MilterService {
    /** The headers that tell the parser how the body is built; no other header is kept. */
    private static final List<String> MIME_HEADERS = List.of("content-type", "content-transfer-encoding", "mime-version");
    /** The most MIME header text kept per message: a header this long is broken, not a reason to hold memory. */
    private static final int MAX_MIME_HEADERS = 16 * 1024;
    /** The most recipients kept per message (Postfix's smtpd_recipient_limit): a recipient beyond is not an allowed one. */
    private static final int MAX_RECIPIENTS = 1000;

    private final DecisionService decisions;
    private final MilterSettings settings;
    private final Duration deadline;
    private final DistributionSummary linksPerMessage;
    private final Counter hostsSkipped;
    private final Counter bodiesTruncated;

    public MilterService(DecisionService decisions, MilterSettings settings, Duration deadline, MeterRegistry registry) {
        this.decisions = decisions;
        this.settings = settings;
        this.deadline = deadline;
        this.linksPerMessage = DistributionSummary.builder("vspam.milter.links")
                .description("distinct link hosts checked per message").register(registry);
        this.hostsSkipped = Counter.builder("vspam.milter.links.skipped")
                .description("distinct link hosts not checked because a message had more than milter_max_urls").register(registry);
        this.bodiesTruncated = Counter.builder("vspam.milter.truncated")
                .description("messages whose text went beyond milter_max_body, or could not be read to its end; the rest was not checked")
                .register(registry);
    }

    /**
     * A message begins (MAIL FROM): its envelope's lookups start now, unless the controls say it is
     * not to be looked up at all (an allow-listed client or sender, an authenticated user).
     */
    Message message(String clientAddress, String sender, String authenticated) {
        MailQuery query = MailQuery.envelope(sender, Indicator.domainOf(sender), clientAddress, authenticated, List.of());
        return new Message(query, decisions.prefetch(query, Transport.MILTER));
    }

    /** Decides a message that has ended; never completes exceptionally. */
    CompletableFuture<List<MilterReply>> answer(Message message, ScheduledExecutorService timer) {
        CompletableFuture<MessageScan.Links> links;
        try {
            links = message.links(timer);
        } catch (RuntimeException e) {
            links = CompletableFuture.failedFuture(e);
        }
        // the body could not be read: decided as a message nothing could be checked for, as the decision's own failures are
        return links.handle((read, failure) -> read != null ? decide(message, read, timer)
                        : CompletableFuture.completedFuture(replies(decisions.unchecked(message.query, Transport.MILTER, failure), Set.of())))
                .thenCompose(replies -> replies);
    }

    private CompletableFuture<List<MilterReply>> decide(Message message, MessageScan.Links links, ScheduledExecutorService timer) {
        linksPerMessage.record(links.hosts().size());
        hostsSkipped.increment(links.skippedHosts());
        if (links.truncated()) {
            bodiesTruncated.increment();
        }
        return decisions.decide(message.query.with(links.hosts()).to(message.recipients), Transport.MILTER, timer)
                .thenApply(decision -> replies(decision, Set.copyOf(links.hosts())));
    }

    private static List<MilterReply> replies(Decision decision, Set<Indicator> links) {
        return MilterReply.of(decision.outcome(), decision.replies(), links);
    }

    /** One message between MAIL FROM and its end: its envelope, its MIME headers and then the scan of its body. */
    final class Message {
        private final MailQuery query;
        private final boolean screened;
        private final StringBuilder mimeHeaders = new StringBuilder();
        private final List<String> recipients = new ArrayList<>();
        private MessageScan scan;

        private Message(MailQuery query, boolean screened) {
            this.query = query;
            this.screened = screened;
        }

        void recipient(String address) {
            if (recipients.size() < MAX_RECIPIENTS) {
                recipients.add(address);
            }
        }

        void header(String name, String value) {
            if (!screened && MIME_HEADERS.contains(name.toLowerCase(Locale.ROOT)) && mimeHeaders.length() + value.length() < MAX_MIME_HEADERS) {
                mimeHeaders.append(name).append(": ").append(value.strip()).append("\r\n");
            }
        }

        /** A piece of the body; true when the MTA may be answered now, else {@code resume} answers it later. */
        boolean body(byte[] piece, Runnable resume) {
            if (screened) {
                return true;
            }
            if (scan == null) {
                byte[] headers = mimeHeaders.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
                scan = MessageScan.start(headers, settings.maxUrls(), settings.maxBody(), decisions::prefetch);
            }
            return scan.body(piece, resume);
        }

        /** True once the rest of the body is not needed (not looked at, or read up to the limits). */
        boolean bodyDone() {
            return screened || (scan != null && scan.saturated());
        }

        void abort() {
            if (scan != null) {
                scan.abort();
            }
        }

        private CompletableFuture<MessageScan.Links> links(ScheduledExecutorService timer) {
            if (screened || scan == null) {
                return CompletableFuture.completedFuture(MessageScan.Links.NONE);
            }
            CompletableFuture<MessageScan.Links> links = scan.finish();
            if (links.isDone()) {
                return links;
            }
            // The parser keeps pace with the body, so this is the last piece's work; should it not end, what it found decides.
            CompletableFuture<MessageScan.Links> bounded = new CompletableFuture<>();
            ScheduledFuture<?> late = timer.schedule(() -> bounded.complete(scan.soFar()), deadline.toNanos(), TimeUnit.NANOSECONDS);
            links.whenComplete((done, failure) -> {
                late.cancel(false);
                bounded.complete(done == null ? scan.soFar() : done);
            });
            return bounded;
        }
    }
}
