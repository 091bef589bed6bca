package org.vspam.agent.observe;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.logging.LogbackMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The registry every metric is kept in and {@code /metrics} renders: the agent's own, and the JVM's
 * and the process's under the names the dashboard reads ({@code jvm_memory_used_bytes}, …).
 */
@Factory
final class MetricsFactory {

    @Singleton
    @Bean(preDestroy = "close")
    PrometheusMeterRegistry prometheusMeterRegistry() {
        List<MeterBinder> binders = List.of(new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new LogbackMetrics(), new FileDescriptorMetrics(), new UptimeMetrics());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) {
            /** The GC and log binders listen to the JVM and to logback until closed, which a stopped agent must do. */
            @Override
            public void close() {
                binders.stream().filter(AutoCloseable.class::isInstance).forEach(binder -> {
                    try {
                        ((AutoCloseable) binder).close();
                    } catch (Exception e) {
                        // closing a listener fails only if it is already gone
                    }
                });
                super.close();
            }
        };
        binders.forEach(binder -> binder.bindTo(registry));
        return registry;
    }
}
