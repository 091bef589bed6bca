package org.vspam.agent.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;

/**
 * The agent's logging, set up in code rather than from logback.xml: one line per event on standard
 * output, level first, easy to grep in journalctl and kubectl logs. Skipping logback's XML
 * configuration saves a sidecar some 450 classes (XML parsing among them) at every start. {@link LogOutput} then applies
 * {@code log_level} and {@code log_format}.
 */
public final class LogDefaults extends ContextAwareBase implements Configurator {
    static final String APPENDER = "STDOUT";
    private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0}: %msg%n";
    /** Libraries whose INFO lines say nothing an operator acts on. */
    private static final List<String> QUIET = List.of("io.micronaut", "io.netty", "io.lettuce", "org.xbill", "reactor");
    /**
     * Libraries whose warnings repeat what one of the agent's own lines already says: Lettuce's watchdog warns
     * at every reconnection attempt while Redis is away, beside the shared cache's one line about the outage
     * and its one line about the recovery. Netty's DNS client, which Lettuce sets up when its classes load though
     * the agent resolves Redis's names through the JVM, warns in a container without {@code /etc/resolv.conf} that
     * it would ask Google's public servers: it never asks anything, and the agent's own line says how names resolve
     * there. Their errors still show.
     */
    private static final List<String> SPOKEN_FOR = List.of("io.lettuce.core.protocol.ConnectionWatchdog",
            "io.netty.resolver.dns.DefaultDnsServerAddressStreamProvider");

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console(context, encoder));
        QUIET.forEach(name -> context.getLogger(name).setLevel(Level.WARN));
        SPOKEN_FOR.forEach(name -> context.getLogger(name).setLevel(Level.ERROR));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The standard-output appender every log line goes through, writing with a started {@code encoder}. */
    static OutputStreamAppender<ILoggingEvent> console(LoggerContext context, Encoder<ILoggingEvent> encoder) {
        BatchedConsoleAppender console = new BatchedConsoleAppender();
        console.setContext(context);
        console.setName(APPENDER);
        console.setEncoder(encoder);
        console.start();
        return console;
    }
}
