package org.vspam.agent.cache;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.serde.annotation.Serdeable;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.indicator.Indicator;

/**
 * The local cache on disk, so a restart does not send every sender back to the API. Written
 * atomically (temporary file, then rename); a file that cannot be read means an empty cache and a
 * warning, never a failed start.
 */
final class CacheSnapshot {
    private static final Logger LOG = LoggerFactory.getLogger(CacheSnapshot.class);
    private static final int VERSION = 1;

    private final Path path;
    private final ObjectMapper json;

    CacheSnapshot(Path path, ObjectMapper json) {
        this.path = path;
        this.json = json;
    }

    Path path() {
        return path;
    }

    /** Checks up front that the snapshot can be written, so trouble is one warning at start. */
    boolean writable() {
        try {
            Path parent = path.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path probe = Files.createTempFile(parent, ".cache", ".probe");
            Files.delete(probe);
            return true;
        } catch (IOException | SecurityException e) {
            LOG.warn("cache_path {} cannot be written ({}); the cache is kept in memory only and will not survive a restart",
                    path, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            return false;
        }
    }

    Map<Indicator, CachedVerdict> read(long nowMillis) {
        Map<Indicator, CachedVerdict> entries = new LinkedHashMap<>();
        byte[] content;
        try {
            content = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return entries;
        } catch (IOException e) {
            LOG.warn("cannot read the cache snapshot {} ({}); starting with an empty cache", path, e.getMessage());
            return entries;
        }
        try {
            File file = json.readValue(content, File.class);
            if (file == null || file.version() != VERSION) {
                throw new IOException("unknown format");
            }
            // an empty cache is written without its empty list
            for (Entry entry : file.entries() == null ? List.<Entry>of() : file.entries()) {
                if (entry.verdict().expiresAtMillis() > nowMillis) {
                    entries.put(new Indicator(Indicator.Kind.valueOf(entry.kind()), entry.value()), entry.verdict().toCached());
                }
            }
            return entries;
        } catch (IOException | RuntimeException e) {
            LOG.warn("the cache snapshot {} is damaged ({}); starting with an empty cache", path, firstLine(e.getMessage()));
            return new LinkedHashMap<>();
        }
    }

    void write(Map<Indicator, CachedVerdict> entries) {
        List<Entry> list = entries.entrySet().stream()
                .map(e -> new Entry(e.getKey().kind().name(), e.getKey().value(), StoredVerdict.of(e.getValue())))
                .toList();
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        try {
            Files.write(temporary, json.writeValueAsBytes(new File(VERSION, list)));
            try {
                Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("cannot write the cache snapshot {} ({}); cached verdicts will not survive a restart", path, e.getMessage());
        }
    }

    private static String firstLine(String message) {
        return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
    }

    @Serdeable
    record File(@JsonProperty("version") int version, @JsonProperty("entries") List<Entry> entries) {
    }

    @Serdeable
    record Entry(@JsonProperty("k") String kind, @JsonProperty("i") String value, @JsonProperty("r") StoredVerdict verdict) {
    }
}
