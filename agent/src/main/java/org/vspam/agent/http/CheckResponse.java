package org.vspam.agent.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import org.vspam.agent.verdict.ThreatDetails;

/**
 * The body of a {@code /check} answer. Compact JSON with {@code malicious} first: Exim's
 * {@code readsocket} greps for {@code "malicious":true}.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.NON_NULL)
record CheckResponse(
        @JsonProperty("malicious") boolean malicious,
        @JsonProperty("action") String action,
        @JsonProperty("reason") @Nullable String reason,
        @JsonProperty("category") @Nullable String category,
        @JsonProperty("already_known") @Nullable Boolean alreadyKnown,
        @JsonProperty("ioc_type") @Nullable String iocType,
        @JsonProperty("ioc_value") @Nullable String iocValue,
        @JsonProperty("lookup_value") @Nullable String lookupValue,
        @JsonProperty("effective_decision") @Nullable ThreatDetails.EffectiveDecision effectiveDecision,
        @JsonProperty("scoring") @Nullable ThreatDetails.Scoring scoring) {

    static final CheckResponse ALLOW = new CheckResponse(false, "allow", null, null, null, null, null, null, null, null);
}
