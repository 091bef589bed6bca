package org.vspam.agent.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;
import org.vspam.config.LogFormat;
import org.vspam.config.LogLevel;

/**
 * Applies {@code log_level} and {@code log_format} to the logging {@link LogDefaults} set up: the level
 * of the agent's own loggers, and for {@code json} one JSON object per line on standard output
 * (logback's own encoder: timestamp, level, logger, formatted message, exception).
 */
public final class LogOutput {
    private static final String APPENDER = LogDefaults.APPENDER;

    private LogOutput() {
    }

    public static void apply(LogLevel level, LogFormat format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext logging)) {
            return; // another SLF4J backend: it is configured its own way
        }
        logging.getLogger("org.vspam").setLevel(Level.toLevel(level.name()));
        if (format == LogFormat.JSON) {
            useJson(logging);
        }
    }

    private static void useJson(LoggerContext logging) {
        Logger root = logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getAppender(APPENDER) instanceof OutputStreamAppender<ILoggingEvent> console && console.getEncoder() instanceof JsonEncoder) {
            return;
        }
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(logging);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false); // the formatted message is what people search for
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        Appender<ILoggingEvent> text = root.getAppender(APPENDER);
        root.addAppender(LogDefaults.console(logging, encoder));
        if (text != null) {
            root.detachAppender(text);
            text.stop(); // writes out what it still held
        }
    }
}
