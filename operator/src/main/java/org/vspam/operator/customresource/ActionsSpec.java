package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.EnumMap;
import java.util.Map;
import org.vspam.config.Family;

/**
 * {@code spec.actions}: what a listing of each family does (agent.yml's {@code actions}). A family
 * left out keeps the agent's default: reject, and allow for suspicious. One field per
 * {@link org.vspam.config.Family}, so that the schema refuses a misspelt family.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ActionsSpec {
    @JsonPropertyDescription("phishing, phishing_url, credential_harvest, brand_impersonation, scam, ...")
    public ListingAction phishing;
    @JsonPropertyDescription("malware, malware_url, malware_domain, spyware_domain")
    public ListingAction malware;
    @JsonPropertyDescription("botnet, botnet_c2")
    public ListingAction botnet;
    @JsonPropertyDescription("spam, spam_source, blacklist_ip")
    public ListingAction spam;
    @JsonPropertyDescription("tor, tor_exit_node")
    public ListingAction tor;
    @JsonPropertyDescription("every other category")
    public ListingAction threat;
    @JsonPropertyDescription("scored but not listed (default allow)")
    public ListingAction suspicious;

    /** The families given an action, as agent.yml's {@code actions} keys them. */
    @JsonIgnore
    public Map<Family, ListingAction> byFamily() {
        Map<Family, ListingAction> actions = new EnumMap<>(Family.class);
        Map<Family, ListingAction> fields = new EnumMap<>(Family.class);
        fields.put(Family.PHISHING, phishing);
        fields.put(Family.MALWARE, malware);
        fields.put(Family.BOTNET, botnet);
        fields.put(Family.SPAM, spam);
        fields.put(Family.TOR, tor);
        fields.put(Family.THREAT, threat);
        fields.put(Family.SUSPICIOUS, suspicious);
        fields.forEach((family, action) -> {
            if (action != null) {
                actions.put(family, action);
            }
        });
        return actions;
    }
}
