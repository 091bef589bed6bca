package org.vspam.agent.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.serde.annotation.Serdeable;

/** The body of {@code POST /api/v1/reports}. */
@Serdeable
public record ThreatReport(
        @JsonProperty("ioc_type") String iocType,
        @JsonProperty("ioc_value") String iocValue,
        @JsonProperty("category") String category,
        @JsonProperty("evidence") String evidence) {
}
