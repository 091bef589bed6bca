package org.vspam.agent.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Standard output with its lines written in batches: a line is copied into a buffer, and the buffer is
 * written out every {@link #FLUSH_INTERVAL}, when full, at once for a warning or an error, and at the
 * end. Written line by line, every refused sender cost the event loop that answered it a system call and
 * a wake-up of whatever reads the pipe (journald, the container runtime): with one request in ten refused,
 * a sixth of the agent's CPU per answer and a quarter of its answers per second. An informational line
 * reaches the log at most {@link #FLUSH_INTERVAL} later; what a sudden end of the JVM (an out-of-memory
 * exit) keeps in the buffer is lost, never a warning or an error.
 */
final class BatchedConsoleAppender extends OutputStreamAppender<ILoggingEvent> {
    static final Duration FLUSH_INTERVAL = Duration.ofMillis(200);
    private static final int BUFFER = 64 * 1024;

    private final OutputStream target;
    private ScheduledExecutorService flusher;
    private Thread atExit;

    /** Standard output's descriptor, not System.out: its PrintStream flushes at every write. */
    BatchedConsoleAppender() {
        this(new FileOutputStream(FileDescriptor.out));
    }

    BatchedConsoleAppender(OutputStream target) {
        this.target = target;
    }

    @Override
    public void start() {
        // Stopping the appender (a change of log_format) flushes it and leaves the target open.
        setOutputStream(new BufferedOutputStream(new FilterOutputStream(target) {
            // FilterOutputStream's own would hand the target a full buffer one byte at a time
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                out.write(bytes, offset, length);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        }, BUFFER));
        setImmediateFlush(false);
        super.start();
        flusher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("vspam-log-flush").daemon().factory());
        flusher.scheduleWithFixedDelay(this::flush, FLUSH_INTERVAL.toMillis(), FLUSH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        atExit = new Thread(this::flush, "vspam-log-flush-at-exit");
        Runtime.getRuntime().addShutdownHook(atExit);
    }

    @Override
    protected void subAppend(ILoggingEvent event) {
        super.subAppend(event);
        if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
            flush();
        }
    }

    /** Writes out what the buffer holds. */
    void flush() {
        OutputStream out = getOutputStream();
        if (out == null) {
            return;
        }
        streamWriteLock.lock();
        try {
            out.flush();
        } catch (IOException e) {
            addError("standard output could not be written", e);
        } finally {
            streamWriteLock.unlock();
        }
    }

    @Override
    public void stop() {
        if (flusher != null) {
            flusher.shutdownNow();
            try {
                Runtime.getRuntime().removeShutdownHook(atExit);
            } catch (IllegalStateException e) {
                // the JVM is already exiting: the hook runs, or has run, the last flush
            }
        }
        super.stop(); // flushes, through the stream's close
    }
}
