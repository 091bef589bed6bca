package org.vspam.agent.decision;

import java.io.IOException;
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
import org.vspam.config.FileStamp;
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
    private volatile FileStamp stamp = FileStamp.NONE;

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

    /** The digest of the configuration in force ({@link AgentConfig#liveHash}). */
    public String configHash() {
        return config.liveHash();
    }

    /** A reloaded configuration: its controls replace the running ones. */
    public synchronized void apply(AgentConfig reloaded) {
        boolean fileMoved = !reloaded.allowFile().equals(config.allowFile());
        config = reloaded;
        if (fileMoved) {
            stamp = FileStamp.NONE;
            fromFile = AllowList.EMPTY;
            readFile(reloaded.allowFile());
        }
        publish();
    }

    private synchronized void poll() {
        try {
            Optional<Path> file = config.allowFile();
            if (file.isPresent() && !FileStamp.of(file.get()).equals(stamp)) {
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
        FileStamp seen = FileStamp.of(file.get());
        try {
            AllowList read = AllowList.read(file.get(), warning -> LOG.warn("{}", warning));
            boolean first = stamp == FileStamp.NONE && fromFile.isEmpty();
            fromFile = read;
            stamp = seen;
            LOG.info("{} {}: {} clients, {} senders and {} recipients {}", Setting.ALLOW_FILE.key(), file.get(), read.clients().size(),
                    read.senders().size(), read.recipients().size(), first ? "allowed" : "allowed now (the file changed)");
        } catch (NoSuchFileException e) {
            stamp = seen;
            LOG.warn("{} {} does not exist; {}", Setting.ALLOW_FILE.key(), file.get(), keeping());
        } catch (IOException e) {
            stamp = seen;
            LOG.warn("{} {} cannot be read ({}); {}", Setting.ALLOW_FILE.key(), file.get(), e.getMessage(), keeping());
        }
    }

    private String keeping() {
        return fromFile.isEmpty() && fromFile.recipients().isEmpty() ? "it is read again when it appears or changes"
                : "the previous " + (fromFile.clients().size() + fromFile.senders().size() + fromFile.recipients().size()) + " entries stay in force";
    }

    private void publish() {
        current.set(Controls.of(config, fromFile));
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
