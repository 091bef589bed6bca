package org.vspam.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vspam.packaging.Packages.lines;
import static org.vspam.packaging.Packages.ok;
import static org.vspam.packaging.Packages.rpm;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vspam.agent.testing.Tools;

/**
 * The .rpm, read with Debian's {@code rpm} (no RPM system here to install it into): the same tree as
 * the .deb, with the modes the .deb sets on install written into the package, and scripts that make
 * the vspam user and restart a running service on upgrade.
 */
class RpmPackageIT {

    @Test
    void carriesTheTreeWithItsOwnersModesAndConfigFiles() throws Exception {
        Tools.require("rpm", "apt-get install rpm");
        List<String> files = lines("rpm", "-qp", "--queryformat",
                "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES}\\n]", rpm().toString());
        assertThat(files).contains(
                "lrwxrwxrwx root root  /usr/bin/vspam-agent",
                "-rwxr-xr-x root root  /usr/lib/vspam-agent/vspam-agent",
                "-rw-r--r-- root root  /usr/lib/vspam-agent/vspam-agent.jar",
                "-rw-r--r-- root root  /usr/lib/vspam-agent/jvm.options",
                "-rw-r--r-- root root  /usr/lib/vspam-agent/vspam-agent.aot",
                "-rwxr-xr-x root root  /usr/lib/vspam-agent/runtime/bin/java",
                "-rw-r--r-- root root  /usr/lib/systemd/system/vspam-agent.service",
                "drwxr-x--- root vspam  /etc/vspam",
                "-rw-r----- root vspam cn /etc/vspam/agent.yml",
                "-rw------- root root cn /etc/sysconfig/vspam-agent",
                "drwxr-x--- vspam vspam  /var/lib/vspam");
        // Nothing but the package's own tree: no build-id links, no stray directories of the build machine.
        assertThat(files).allSatisfy(line -> assertThat(line).containsPattern(
                " (/usr/bin/vspam-agent|/usr/lib/vspam-agent(/.*)?|/usr/lib/systemd/system/vspam-agent.service|/etc/vspam(/agent.yml)?"
                        + "|/etc/sysconfig/vspam-agent|/var/lib/vspam|/usr/share/licenses/vspam-agent/LICENSE)$"));
        assertThat(ok("rpm", "-qp", "--queryformat", "%{NAME} %{VERSION}-%{RELEASE} %{ARCH}", rpm().toString()))
                .isEqualTo("vspam-agent " + Packages.PACKAGE_VERSION + "-1 x86_64");
        // The unit is the .deb's, byte for byte.
        assertThat(ok("sh", "-c", "rpm2cpio " + rpm() + " | cpio -i --to-stdout --quiet ./usr/lib/systemd/system/vspam-agent.service"))
                .isEqualTo(ok("cat", Packages.SOURCES.resolve("files/vspam-agent.service").toString()));
    }

    @Test
    void itsScriptsMakeTheUserAndRestartOnUpgrade() throws Exception {
        String scripts = ok("rpm", "-qp", "--scripts", rpm().toString());
        assertThat(scripts).contains("preinstall scriptlet", "useradd --system --gid vspam --home-dir /nonexistent --no-create-home");
        assertThat(scripts).contains("--shell /sbin/nologin");
        assertThat(scripts).contains("postuninstall scriptlet", "systemctl try-restart vspam-agent.service");
        assertThat(scripts).contains("preuninstall scriptlet", "systemctl --no-reload disable --now vspam-agent.service");
    }
}
