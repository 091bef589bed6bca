package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import org.vspam.config.Rules;

/**
 * {@code spec.milter}: the agent also listens as a milter, which checks the hosts of the links in each
 * message's body; beside Postfix on {@code unix:/var/run/vspam/milter.sock}, in the shared Deployment on
 * TCP 10047 behind its Service. agent.yml's milter_max_urls and milter_max_body.
 */
public class MilterSpec {
    @JsonPropertyDescription("Listen as a milter (Postfix smtpd_milters = unix:/var/run/vspam/milter.sock beside Postfix, "
            + "inet:<service>:10047 for the shared Deployment)")
    @Default("false")
    public Boolean enabled = false;

    @JsonPropertyDescription("Distinct link hosts looked up per message at most (milter_max_urls); the rest is counted, never refused")
    @Min(Rules.MIN_MILTER_URLS)
    @Max(Rules.MAX_MILTER_URLS)
    public Integer maxUrls;

    @JsonPropertyDescription("Decoded text scanned for links per message at most (milter_max_body), e.g. 1MiB or 512KiB")
    @Pattern(Rules.SIZE)
    public String maxBody;

    /** True when the resource asks for the milter. */
    public static boolean enabled(VspamAgentSpec spec) {
        return spec.milter != null && Boolean.TRUE.equals(spec.milter.enabled);
    }
}
