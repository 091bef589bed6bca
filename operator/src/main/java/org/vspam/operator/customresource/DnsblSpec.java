package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import org.vspam.config.Rules;
import java.util.List;

/** {@code spec.dnsbl}: agent.yml's dnsbl_enabled, dnsbl_zone and dnsbl_resolvers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DnsblSpec {
    @JsonPropertyDescription("Ask the DNSBL when the API gives no answer (dnsbl_enabled)")
    @Default("true")
    public Boolean enabled = true;

    @JsonPropertyDescription("DNSBL zone (dnsbl_zone)")
    @Pattern(Rules.ZONE)
    @Default("dnsbl.vspam.org")
    public String zone = "dnsbl.vspam.org";

    @JsonPropertyDescription("DNS servers for the DNSBL as host or host:port ([IPv6]:port); empty = the pod's resolvers (dnsbl_resolvers)")
    public List<@Pattern("^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$") String> resolvers;
}
