package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import java.util.Map;

/** {@code spec.metrics}: how Prometheus finds the agents' /metrics on port 10048 ({@code metrics_listen}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetricsSpec {
    @JsonPropertyDescription("Create a ServiceMonitor (Prometheus Operator) for the shared Deployment and a PodMonitor for the sidecars; each only where its CRD is installed")
    @Default("false")
    public Boolean serviceMonitor = false;

    @JsonPropertyDescription("Scrape interval of the ServiceMonitor and the PodMonitor")
    @Pattern(VspamAgentSpec.DURATION)
    @Default("30s")
    public String interval = "30s";

    @JsonPropertyDescription("Extra labels on the ServiceMonitor and the PodMonitor, e.g. the release label a Prometheus selects on")
    public Map<String, String> labels;
}
