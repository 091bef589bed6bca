package org.vspam.agent.verdict;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/**
 * The parts of a vspam.org lookup worth passing on (SPEC §5, §8). Every field may be absent; a
 * DNSBL answer carries only its category.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ThreatDetails(
        @JsonProperty("status") @Nullable String status,
        @JsonProperty("confidence") @Nullable String confidence,
        @JsonProperty("ioc_type") @Nullable String iocType,
        @JsonProperty("category") @Nullable String category,
        @JsonProperty("effective_decision") @Nullable EffectiveDecision effectiveDecision,
        @JsonProperty("scoring") @Nullable Scoring scoring) {

    public static ThreatDetails ofCategory(String category) {
        return new ThreatDetails(null, null, null, category, null, null);
    }

    /** The consensus decision vspam.org reached about the indicator. */
    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record EffectiveDecision(
            @JsonProperty("source") @Nullable String source,
            @JsonProperty("verdict") @Nullable String verdict,
            @JsonProperty("listed") @Nullable Boolean listed,
            @JsonProperty("rationale") @Nullable String rationale) {
    }

    /** vspam.org's scoring of an indicator, often absent. */
    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Scoring(
            @JsonProperty("score") @Nullable String score,
            @JsonProperty("confidence") @Nullable String confidence,
            @JsonProperty("needs_manual_review") @Nullable Boolean needsManualReview,
            @JsonProperty("reason_summary") @Nullable String reasonSummary) {
    }
}
