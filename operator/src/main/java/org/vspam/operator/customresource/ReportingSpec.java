package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import org.vspam.config.Rules;

/** {@code spec.reporting}: agent.yml's reporting_enabled and queue_size. */
public class ReportingSpec {
    @JsonPropertyDescription("Report blocked senders to vspam.org in the background (reporting_enabled; needs the API key)")
    @Default("true")
    public Boolean enabled = true;

    @JsonPropertyDescription("Reports waiting to be sent at most; the oldest is dropped when full (queue_size)")
    @Min(Rules.MIN_QUEUE_SIZE)
    @Max(Rules.MAX_QUEUE_SIZE)
    @Default("1000")
    public Integer queueSize = 1000;
}
