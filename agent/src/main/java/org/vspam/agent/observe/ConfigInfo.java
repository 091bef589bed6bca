package org.vspam.agent.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.vspam.agent.decision.LiveControls;

/**
 * {@code vspam_config_info{hash="..."} 1}: the configuration in force, named by the digest of its live
 * settings (as {@code /health}'s {@code "config"}), so that a dashboard or the operator sees when a change
 * has reached every agent. One series at a time: a reload that changes the digest replaces it.
 */
public final class ConfigInfo {
    private final MeterRegistry registry;
    private final LiveControls controls;
    private Gauge current;
    private String hash = "";

    public ConfigInfo(MeterRegistry registry, LiveControls controls) {
        this.registry = registry;
        this.controls = controls;
        update();
    }

    /** After a reload: the series names the configuration now in force. */
    public synchronized void update() {
        String now = controls.configHash();
        if (now.equals(hash)) {
            return;
        }
        if (current != null) {
            registry.remove(current);
        }
        current = Gauge.builder("vspam.config.info", () -> 1).tag("hash", now)
                .description("1, labelled with the digest of the live settings in force (the hash /health reports)").register(registry);
        hash = now;
    }
}
