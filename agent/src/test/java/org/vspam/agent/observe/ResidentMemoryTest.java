package org.vspam.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vspam.agent.testing.Commands;

/** The resident memory gauge says what the kernel counts for the process, under Prometheus' usual name. */
class ResidentMemoryTest {

    @Test
    void theGaugeReadsWhatPsReadsForThisProcess() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ResidentMemory.register(registry);
        double gauge = registry.get("process.resident.memory").gauge().value();
        // ps reads the same counter independently; the JVM's memory moves a little between the two readings
        double ps = Long.parseLong(Commands.run(List.of("ps", "-o", "rss=", "-p", Long.toString(ProcessHandle.current().pid()))).strip()) * 1024.0;
        assertThat(gauge).isGreaterThan(16 << 20).isCloseTo(ps, within(ps * 0.2));
    }

    @Test
    void prometheusShowsItAsProcessResidentMemoryBytes() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ResidentMemory.register(registry);
        assertThat(registry.scrape()).containsPattern("(?m)^process_resident_memory_bytes [0-9.E]+$");
    }

    @Test
    void theStatusLineIsInKibibytes() {
        String status = "Name:\tjava\nVmPeak:\t 3000000 kB\nVmRSS:\t  131072 kB\nRssAnon:\t   65536 kB\n";
        assertThat(ResidentMemory.bytes(status)).isEqualTo(128.0 * 1024 * 1024);
        assertThat(ResidentMemory.bytes("Name:\tkthreadd\n")).isNaN();
    }
}
