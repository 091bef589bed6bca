package org.vspam.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README stays a page a newcomer reads top to bottom, and every page under docs/ is reachable from it, every link there leads somewhere. */
class ReadmeTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+\\.md)(?:#[^)]*)?\\)");

    @Test
    void theReadmeIsAtMost300LinesAndLinksEveryPageUnderDocs() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertThat(readme.lines().count()).isLessThanOrEqualTo(300);
        try (Stream<Path> pages = Files.list(ROOT.resolve("docs"))) {
            for (Path page : pages.filter(path -> path.toString().endsWith(".md")).toList()) {
                assertThat(readme).as("a link to " + page.getFileName()).contains("](docs/" + page.getFileName() + ")");
            }
        }
    }

    @Test
    void everyLinkBetweenThePagesLeadsToAPage() throws IOException {
        List<Path> pages;
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            pages = Stream.concat(Stream.of(ROOT.resolve("README.md")), docs.filter(path -> path.toString().endsWith(".md"))).toList();
        }
        for (Path page : pages) {
            Matcher link = LINK.matcher(Files.readString(page));
            while (link.find()) {
                assertThat(page.getParent().resolve(link.group(1))).as(page.getFileName() + " links " + link.group(1)).exists();
            }
        }
    }
}
