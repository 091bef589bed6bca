package org.vspam.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file's identity as seen through its symlinks: its real path, time and size. It changes when the
 * file is edited or replaced, and when a Kubernetes ConfigMap volume swaps its {@code ..data} symlink
 * (the file's own path then resolves to another directory). What the agent polls its files by.
 */
public record FileStamp(Path real, long modified, long size) {
    /** Not looked at yet. */
    public static final FileStamp NONE = new FileStamp(null, -1, -1);

    /** The file as it is now; a file that cannot be read has a stamp of its own, so that its return is a change. */
    public static FileStamp of(Path file) {
        try {
            Path real = file.toRealPath();
            return new FileStamp(real, Files.getLastModifiedTime(real).toMillis(), Files.size(real));
        } catch (IOException e) {
            return new FileStamp(null, 0, 0);
        }
    }
}
