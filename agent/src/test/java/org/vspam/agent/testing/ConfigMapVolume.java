package org.vspam.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A directory laid out as the kubelet lays out a mounted ConfigMap, and changed as it changes one: the
 * data in a timestamped directory, {@code ..data} a symlink to it, each key a symlink through {@code ..data};
 * an update writes a new directory and renames a new symlink over {@code ..data} in one step (the
 * kubelet's AtomicWriter), so the file's own path never changes and no write to it ever happens.
 */
public final class ConfigMapVolume {
    private final Path dir;
    private final String key;
    private final AtomicInteger version = new AtomicInteger();
    private Path current;

    private ConfigMapVolume(Path dir, String key) {
        this.dir = dir;
        this.key = key;
    }

    /** A volume at {@code dir} holding {@code key} with {@code content}. */
    public static ConfigMapVolume create(Path dir, String key, String content) throws IOException {
        Files.createDirectories(dir);
        ConfigMapVolume volume = new ConfigMapVolume(dir, key);
        volume.swap(content);
        Files.createSymbolicLink(dir.resolve(key), Path.of("..data", key));
        return volume;
    }

    /** The key's path, as a container sees it: {@code /etc/vspam/agent.yml}. */
    public Path file() {
        return dir.resolve(key);
    }

    /** The kubelet's update: new data beside the old, {@code ..data} swapped to it at once, the old data removed. */
    public void swap(String content) throws IOException {
        Path data = Files.createDirectory(dir.resolve("..2026_12_07_00_00_00." + version.incrementAndGet()));
        Files.writeString(data.resolve(key), content);
        Path next = dir.resolve("..data_tmp");
        Files.createSymbolicLink(next, data.getFileName());
        Files.move(next, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (current != null) {
            Files.delete(current.resolve(key));
            Files.delete(current);
        }
        current = data;
    }
}
