package org.vspam.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Outages far apart are each told; a source down again within a minute of recovering is flapping, told once a minute. */
class FlapWatchTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    private final FlapWatch flaps = new FlapWatch();

    @Test
    void outagesAMinuteOrMoreApartAreEachToldAndNothingElseIsDue() {
        assertThat(flaps.down(0)).isTrue();
        assertThat(flaps.up(5 * SECOND)).isTrue();
        assertThat(flaps.down(65 * SECOND)).as("a whole minute after recovering").isTrue();
        assertThat(flaps.up(70 * SECOND)).isTrue();
        for (long t = 0; t < 300; t++) {
            assertThat(flaps.due(t * SECOND)).isEmpty();
        }
    }

    @Test
    void aLinkGoingDownAndUpEveryTwoSecondsForAMinuteWritesTwoLinesThenOneAMinuteThenItsEnd() {
        int told = 0;
        long t = 0;
        for (; t < 60; t += 4) {
            told += flaps.down(t * SECOND) ? 1 : 0;
            told += flaps.up((t + 2) * SECOND) ? 1 : 0;
            for (long s = t; s < t + 4; s++) {
                assertThat(flaps.due(s * SECOND)).isEmpty();
            }
        }
        assertThat(told).as("the first outage and the first recovery").isEqualTo(2);
        assertThat(flaps.down(60 * SECOND)).isFalse();
        assertThat(flaps.due(60 * SECOND)).contains(new FlapWatch.Line(true,
                "flapping: down 15 times in the last 1m, unavailable now; told once a minute until it has answered for 1m"));
        assertThat(flaps.due(61 * SECOND)).isEmpty();
        assertThat(flaps.up(62 * SECOND)).isFalse();
        assertThat(flaps.due(121 * SECOND)).isEmpty();
        assertThat(flaps.due(122 * SECOND)).contains(new FlapWatch.Line(false, "stable again: answering for 1m after flapping for 1m "
                + "(16 outages)"));
        assertThat(flaps.due(200 * SECOND)).isEmpty();
        assertThat(flaps.down(300 * SECOND)).as("after it settled, an outage is told again").isTrue();
    }
}
