package org.vspam.agent.decision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.config.AgentConfig;
import org.vspam.config.AllowList;
import org.vspam.config.Setting;

/**
 * The controls in force, replaced whole when the configuration is reloaded or {@code allow_file}
 * changes; a decision reads them once, so no request sees half of a change. The allow file is
 * looked at every second (its time and size, through any symlink, as a Kubernetes ConfigMap swaps
 * it) and read again when it changed. A file that cannot be read keeps the previous list in force.
 */
public final class LiveControls implements Supplier<Controls>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveControls.class);
    static final long POLL_MILLIS = 1_000;

    private final AtomicReference<Controls> current = new AtomicReference<>();
    private final ScheduledExecutorService poller;
    private volatile AgentConfig config;
    private volatile AllowList fromFile = AllowList.EMPTY;
    private volatile Stamp stamp = Stamp.NONE;

    /** The file's identity as seen through its symlinks: what changes when it is replaced or edited. */
    private record Stamp(Path real, long modified, long size) {
        static final Stamp NONE = new Stamp(null, -1, -1);
    }

    public LiveControls(AgentConfig config) {
        this.config = config;
        readFile(config.allowFile());
        publish();
        this.poller = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("vspam-allow-file").daemon(true).factory());
        poller.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public Controls get() {
        return current.get();
    }

    /** A reloaded configuration: its controls replace the running ones. */
    public synchronized void apply(AgentConfig reloaded) {
        boolean fileMoved = !reloaded.allowFile().equals(config.allowFile());
        config = reloaded;
        if (fileMoved) {
            stamp = Stamp.NONE;
            fromFile = AllowList.EMPTY;
            readFile(reloaded.allowFile());
        }
        publish();
    }

    private synchronized void poll() {
        try {
            Optional<Path> file = config.allowFile();
            if (file.isPresent() && !stampOf(file.get()).equals(stamp)) {
                readFile(file);
                publish();
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: {}", Setting.ALLOW_FILE.key(), e.toString());
        }
    }

    private void readFile(Optional<Path> file) {
        if (file.isEmpty()) {
            return;
        }
        Stamp seen = stampOf(file.get());
        try {
            AllowList read = AllowList.read(file.get(), warning -> LOG.warn("{}", warning));
            boolean first = stamp == Stamp.NONE && fromFile.isEmpty();
            fromFile = read;
            stamp = seen;
            LOG.info("{} {}: {} clients and {} senders {}", Setting.ALLOW_FILE.key(), file.get(), read.clients().size(),
                    read.senders().size(), first ? "allowed" : "allowed now (the file changed)");
        } catch (NoSuchFileException e) {
            stamp = seen;
            LOG.warn("{} {} does not exist; {}", Setting.ALLOW_FILE.key(), file.get(), keeping());
        } catch (IOException e) {
            stamp = seen;
            LOG.warn("{} {} cannot be read ({}); {}", Setting.ALLOW_FILE.key(), file.get(), e.getMessage(), keeping());
        }
    }

    private String keeping() {
        return fromFile.isEmpty() ? "it is read again when it appears or changes"
                : "the previous " + (fromFile.clients().size() + fromFile.senders().size()) + " entries stay in force";
    }

    private void publish() {
        current.set(Controls.of(config, fromFile));
    }

    private static Stamp stampOf(Path file) {
        try {
            Path real = file.toRealPath();
            return new Stamp(real, Files.getLastModifiedTime(real).toMillis(), Files.size(real));
        } catch (IOException e) {
            return new Stamp(null, 0, 0);
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
