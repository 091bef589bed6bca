package org.vspam.agent.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Finds the system programs the tests drive, or says exactly how to install a missing one. */
public final class Tools {
    private Tools() {
    }

    public static Path require(String name, String install) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin:/sbin:/bin";
        return Stream.of(path.split(":"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(name + " is needed by this test and is not installed: " + install
                        + " (.ci/run installs everything the tests need)"));
    }
}
