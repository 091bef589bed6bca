package org.vspam.agent.cli;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.vspam.config.FileStamp;

/**
 * Calls {@code changed} when a file changes: looked at twice a second, through its symlinks, so an edit, a
 * replaced file and a ConfigMap's swapped {@code ..data} all count. Polling rather than inotify, which
 * sees neither a symlink swapped two directories up nor a file on every kind of volume.
 */
final class FileWatch implements AutoCloseable {
    static final long POLL_MILLIS = 500;

    private final Path file;
    private final Runnable changed;
    private final ScheduledExecutorService poller;
    private FileStamp seen;

    FileWatch(Path file, Runnable changed) {
        this.file = file;
        this.changed = changed;
        this.seen = FileStamp.of(file);
        this.poller = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("vspam-config-file").daemon(true).factory());
        poller.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        FileStamp now = FileStamp.of(file);
        if (!now.equals(seen)) {
            seen = now;
            changed.run();
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
