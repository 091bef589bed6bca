package org.vspam.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PaceTest {

    @Test
    void theFirstThenOneAWholePeriodAfterTheLast() {
        AtomicLong now = new AtomicLong(-5); // nanoTime may be negative
        Pace pace = new Pace(Duration.ofMinutes(1), now::get);
        assertThat(pace.due()).isTrue();
        assertThat(pace.due()).isFalse();
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        assertThat(pace.due()).isFalse();
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(pace.due()).isTrue();
        assertThat(pace.due()).isFalse();
    }
}
