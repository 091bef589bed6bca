package org.vspam.agent.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.serde.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.testing.LogCapture;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.lookup.LookupSource;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.verdict.ThreatDetails;
import org.vspam.agent.verdict.Verdict;

class VerdictCacheTest {
    private static final Indicator PHISH = Indicator.domain("phish.example.net");
    private static final Indicator CLEAN = Indicator.ip("192.0.2.10");

    private final AtomicInteger upstreamCalls = new AtomicInteger();

    private LookupChain chain(Duration ttl) {
        LookupSource api = new LookupSource() {
            @Override
            public Source source() {
                return Source.API;
            }

            @Override
            public CompletableFuture<Lookup> lookup(Indicator indicator) {
                upstreamCalls.incrementAndGet();
                Verdict verdict = indicator.equals(PHISH)
                        ? new Verdict.Listed("phishing_url", new ThreatDetails("confirmed", "0.91", "domain", "phishing_url",
                                new ThreatDetails.EffectiveDecision("consensus", "malicious", true, "why"), null))
                        : Verdict.CLEAN;
                return CompletableFuture.completedFuture(new Lookup.Answered(Source.API, verdict));
            }
        };
        return new LookupChain(List.of(api), List.of(), ttl, Clock.systemUTC());
    }

    private VerdictCache cache(Path file) {
        return new VerdictCache(chain(Duration.ofMinutes(10)), 1000, Optional.of(file), ObjectMapper.getDefault(), Clock.systemUTC());
    }

    @Test
    void verdictsSurviveARestart(@TempDir Path dir) {
        Path file = dir.resolve("state/cache.db");
        try (VerdictCache first = cache(file)) {
            first.lookup(PHISH).join();
            first.lookup(CLEAN).join();
        }
        assertThat(file).exists();

        try (VerdictCache second = cache(file)) {
            Finding.Answered phish = (Finding.Answered) second.lookup(PHISH).join();
            Finding.Answered clean = (Finding.Answered) second.lookup(CLEAN).join();

            assertThat(upstreamCalls).as("both answered from the restored cache").hasValue(2);
            assertThat(phish.source()).isEqualTo(Source.LOCAL_CACHE);
            assertThat(phish.verdict().origin()).isEqualTo(Source.API);
            Verdict.Listed listed = (Verdict.Listed) phish.verdict().verdict();
            assertThat(listed.details().effectiveDecision().rationale()).isEqualTo("why");
            assertThat(clean.verdict().verdict()).isEqualTo(Verdict.CLEAN);
        }
    }

    @Test
    void expiredEntriesAreNotRestored(@TempDir Path dir) {
        Path file = dir.resolve("cache.db");
        try (VerdictCache first = new VerdictCache(chain(Duration.ofMillis(1)), 1000, Optional.of(file), ObjectMapper.getDefault(), Clock.systemUTC())) {
            first.lookup(PHISH).join();
        }
        // Read an hour later: on a fast machine the whole test can run within the entry's millisecond.
        Clock anHourLater = Clock.offset(Clock.systemUTC(), Duration.ofHours(1));
        try (VerdictCache second = new VerdictCache(chain(Duration.ofMinutes(10)), 1000, Optional.of(file), ObjectMapper.getDefault(), anHourLater)) {
            assertThat(second.size()).isZero();
        }
    }

    /** Stopping with nothing cached writes a file the next start reads without complaint. */
    @Test
    void anEmptyCacheRestartsWithoutAWarning(@TempDir Path dir) {
        Path file = dir.resolve("cache.db");
        try (LogCapture log = LogCapture.of(CacheSnapshot.class)) {
            cache(file).close();
            assertThat(file).exists();
            try (VerdictCache again = cache(file)) {
                assertThat(again.size()).isZero();
            }
            assertThat(log.lines()).isEmpty();
        }
    }

    @Test
    void aDamagedSnapshotMeansAnEmptyCache(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cache.db");
        Files.writeString(file, "{\"version\": 1, \"entries\": [{\"k\": \"DOMAIN\", \"i\": ");
        try (VerdictCache cache = cache(file)) {
            assertThat(cache.size()).isZero();
            assertThat(cache.lookup(PHISH).join()).isInstanceOf(Finding.Answered.class);
        }
        assertThat(Files.readString(file)).as("rewritten whole on close").contains("phish.example.net");
    }

    @Test
    void anUnwritablePathMeansMemoryOnly(@TempDir Path dir) throws Exception {
        Path blocker = dir.resolve("not-a-directory");
        Files.writeString(blocker, "x");
        try (VerdictCache cache = cache(blocker.resolve("cache.db"))) {
            assertThat(cache.lookup(PHISH).join()).isInstanceOf(Finding.Answered.class);
        }
        assertThat(blocker.resolve("cache.db")).doesNotExist();
    }
}
