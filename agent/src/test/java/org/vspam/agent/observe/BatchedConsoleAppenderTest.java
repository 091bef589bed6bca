package org.vspam.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchedConsoleAppenderTest {
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("org.vspam.agent.blocked");
    private final Target target = new Target();
    private final BatchedConsoleAppender appender = new BatchedConsoleAppender(target);

    BatchedConsoleAppenderTest() {
        context.setMDCAdapter(new LogbackMDCAdapter());
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%-5level %msg%n");
        encoder.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.start();
    }

    @AfterEach
    void stop() {
        appender.stop();
    }

    @Test
    void informationalLinesReachTheOutputInBatchesWithinTheFlushInterval() {
        for (int i = 0; i < 1_000; i++) {
            appender.doAppend(event(Level.INFO, "domain phish" + i + ".example.net category=phishing"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> target.text().lines().count() == 1_000);
        // line by line, this was one write (a system call on standard output) per line
        assertThat(target.writes.get()).isLessThanOrEqualTo(10);
        assertThat(target.text()).startsWith("INFO  domain phish0.example.net category=phishing\n")
                .endsWith("INFO  domain phish999.example.net category=phishing\n");
    }

    @Test
    void aWarningIsWrittenAtOnceWithWhatCameBeforeIt() {
        appender.doAppend(event(Level.INFO, "blocked first"));
        appender.doAppend(event(Level.WARN, "vspam.org API unavailable"));
        assertThat(target.text()).isEqualTo("INFO  blocked first\nWARN  vspam.org API unavailable\n");
    }

    @Test
    void stoppingWritesOutWhatIsHeldAndLeavesTheOutputOpen() {
        appender.doAppend(event(Level.INFO, "the last line"));
        appender.stop();
        assertThat(target.text()).isEqualTo("INFO  the last line\n");
        assertThat(target.closed.get()).isFalse();
    }

    private LoggingEvent event(Level level, String message) {
        return new LoggingEvent(Logger.class.getName(), logger, level, message, null, null);
    }

    /** Standard output's stand-in: what was written, in how many writes, and whether it was closed. */
    private static final class Target extends ByteArrayOutputStream {
        final AtomicInteger writes = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            writes.incrementAndGet();
            super.write(bytes, offset, length);
        }

        @Override
        public void close() {
            closed.set(true);
        }

        synchronized String text() {
            return toString(StandardCharsets.UTF_8);
        }
    }
}
