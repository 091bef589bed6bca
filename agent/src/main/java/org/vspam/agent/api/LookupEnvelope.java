package org.vspam.agent.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.Objects;
import org.vspam.agent.verdict.ThreatDetails;
import org.vspam.agent.verdict.Verdict;

/** The body of a {@code 200} lookup: {@code {"data": {...}}}. Unknown fields are ignored. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
record LookupEnvelope(@JsonProperty("data") @Nullable ThreatDetails data) {

    private static final String UNKNOWN_CATEGORY = "threat";

    /**
     * Listed is {@code effective_decision.listed}; without an effective decision it is
     * {@code status == "confirmed"}. Not listed but judged suspicious or awaiting review is suspicious.
     */
    Verdict verdict() {
        ThreatDetails details = Objects.requireNonNull(data, "data");
        var decision = details.effectiveDecision();
        boolean listed = decision != null && decision.listed() != null
                ? decision.listed()
                : "confirmed".equalsIgnoreCase(details.status());
        String category = details.category() == null || details.category().isBlank() ? UNKNOWN_CATEGORY : details.category();
        if (listed) {
            return new Verdict.Listed(category, details);
        }
        boolean suspicious = decision != null && "suspicious".equalsIgnoreCase(decision.verdict())
                || details.scoring() != null && Boolean.TRUE.equals(details.scoring().needsManualReview());
        return suspicious ? new Verdict.Suspicious(category, details) : Verdict.CLEAN;
    }
}
