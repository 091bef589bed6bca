package org.vspam.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image build is reproducible: the same staged files give the same digest, a changed file another. */
class ImageBuildTest {
    @TempDir
    Path work;

    @Test
    void theSameStagedFilesGiveTheSameDigest() throws Exception {
        Path staging = stage(work.resolve("staging"));
        String first = build(staging, work.resolve("first.tar"));
        // the same files, copied later: other times and inode order on disk, the same image
        Path copy = stage(work.resolve("copy"));
        String second = build(copy, work.resolve("second.tar"));
        assertThat(second).isEqualTo(first);

        Files.writeString(copy.resolve("agent/usr/lib/vspam-agent/jvm.options"), "-XX:+UseSerialGC\n-Xmn8m\n");
        assertThat(build(copy, work.resolve("third.tar"))).isNotEqualTo(first);
    }

    private static Path stage(Path staging) throws Exception {
        for (String layer : ImageBuild.AGENT.layers()) {
            Files.createDirectories(staging.resolve(layer));
        }
        Files.createDirectories(staging.resolve("base/etc"));
        Files.writeString(staging.resolve("base/etc/passwd"), "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n");
        Path bin = Files.createDirectories(staging.resolve("agent-runtime/usr/lib/vspam-agent/runtime/bin"));
        Files.writeString(bin.resolve("java"), "#!not really\n");
        Files.setPosixFilePermissions(bin.resolve("java"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path lib = Files.createDirectories(staging.resolve("agent/usr/lib/vspam-agent"));
        Files.writeString(lib.resolve("jvm.options"), "-XX:+UseSerialGC\n");
        Files.createDirectories(staging.resolve("agent/var/lib/vspam"));
        Files.createDirectories(staging.resolve("agent/var/run/vspam"));
        return staging;
    }

    private static String build(Path staging, Path tar) throws Exception {
        ImageBuild.build(ImageBuild.AGENT, staging, "registry.example.net/vspam", "1.0", tar);
        List<String> digest = Files.readAllLines(tar.resolveSibling(tar.getFileName().toString().replace(".tar", ".digest")));
        return digest.getFirst();
    }
}
