package org.vspam.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vspam.packaging.Packages.ok;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .tar.gz for machines without dpkg or rpm: unpacked anywhere, run through a link on the PATH. */
class TarballIT {
    @TempDir
    Path dir;

    @Test
    void runsFromWhereverItIsUnpackedAndLinked() throws Exception {
        ok("tar", "xzf", Packages.tarball().toString(), "-C", dir.toString());
        Path home = dir.resolve("vspam-agent-" + Packages.VERSION);
        assertThat(home.resolve("vspam-agent")).isExecutable();
        assertThat(home.resolve("agent.yml")).hasSameTextualContentAs(Packages.SOURCES.resolve("files/agent.yml"));
        assertThat(home.resolve("vspam-agent.service")).exists();
        assertThat(home.resolve("runtime/bin/java")).isExecutable();

        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("vspam-agent"), home.resolve("vspam-agent"));
        assertThat(ok(bin.resolve("vspam-agent").toString(), "--version").strip()).isEqualTo("vspam-agent " + Packages.VERSION);
        // Unpacked anywhere, the tree's AOT cache still fits it (AOTMode=on: the JVM would refuse to start otherwise).
        assertThat(ok("env", "JAVA_OPTS=-XX:AOTMode=on", bin.resolve("vspam-agent").toString(), "--version").strip())
                .isEqualTo("vspam-agent " + Packages.VERSION);
        // Owned by nobody in particular: unpacked as root, the files are root's, not the build machine's user.
        assertThat(ok("tar", "tzvf", Packages.tarball().toString())).doesNotContain(System.getProperty("user.name") + "/")
                .contains(" 0/0 ");
    }
}
