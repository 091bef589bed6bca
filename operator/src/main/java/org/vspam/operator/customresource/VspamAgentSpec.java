package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import org.vspam.config.ClientRange;
import org.vspam.config.Rules;
import org.vspam.config.AddressRule;

/**
 * The agent's settings (agent.yml's keys in camelCase) and where it runs. Fields are public: this is
 * the wire form of the resource, read by Jackson and the CRD generator; defaults in the field
 * initializers match the schema's, so an object built in code reads like one the API server defaulted.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.deployment) || self.deployment.enabled || has(self.sidecars)",
        message = "nothing to run: enable deployment or select Postfix workloads under sidecars")
public class VspamAgentSpec {
    /** Go-style durations, as agent.yml takes them: 500ms, 30s, 10m, 1h30m. */
    static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";
    /** One line of text: a reply Postfix sends. */
    static final String ONE_LINE = "^[^\\x00-\\x1f\\x7f]+$";

    @JsonPropertyDescription("vspam.org API base URL (api_url); an empty string disables the API and leaves the DNSBL")
    @Pattern("^(https?://[^\\s]+)?$")
    @Default("https://api.vspam.org")
    public String apiUrl = "https://api.vspam.org";

    @JsonPropertyDescription("The Secret key holding the vspam.org API key (api_key); it enables the authenticated lookups "
            + "and reporting. Without it the agent uses the public lookup path.")
    public SecretKeyRef apiKeySecretRef;

    @JsonPropertyDescription("How long listed and clean answers are cached (cache_ttl), e.g. 10m")
    @Pattern(DURATION)
    @Default("10m")
    public String cacheTtl = "10m";

    @JsonPropertyDescription("Deadline for one answer (decision_timeout); after it the answer is allow. Keep it well "
            + "inside Postfix's smtpd_policy_service_timeout.")
    @Pattern(DURATION)
    @Default("2s")
    public String decisionTimeout = "2s";

    @JsonPropertyDescription("The vspam.org DNSBL")
    public DnsblSpec dnsbl = new DnsblSpec();

    @JsonPropertyDescription("Answer for a listed sender (reject_message); a leading 4xx/5xx code is sent as the action; live: applied without restarting any pod")
    @Size(min = 1, max = Rules.MAX_REPLY_LENGTH)
    @Pattern(ONE_LINE)
    @Default("\"550 Message rejected: sender listed in vspam.org (phishing)\"") // YAML: quoted because of the colon
    public String rejectMessage = "550 Message rejected: sender listed in vspam.org (phishing)";

    @JsonPropertyDescription("Answer for a family whose action is defer (defer_message); a leading code must be 4xx. "
            + "{category}, {indicator} and {delist_url} are filled in; live: applied without restarting any pod")
    @Size(min = 1, max = Rules.MAX_REPLY_LENGTH)
    @Pattern(ONE_LINE)
    public String deferMessage;

    @JsonPropertyDescription("Where refused senders ask to be delisted ({delist_url} in the messages); live: applied without restarting any pod")
    @Pattern("^https?://[^\\s]+$")
    public String delistUrl;

    @JsonPropertyDescription("What a listing of each family does: reject, defer, prepend (a header) or allow (actions); live: applied without restarting any pod")
    public ActionsSpec actions;

    @JsonPropertyDescription("enforce, or monitor: decide as in enforce, tag what would be refused instead, report nothing (mode); live: applied without restarting any pod")
    public AgentMode mode;

    @JsonPropertyDescription("What to answer when something could not be checked: dunno (fail open, the default) or defer (failure_action); live: applied without restarting any pod")
    public FailureAction failureAction;

    @JsonPropertyDescription("Name of the header prepend adds (header_name), X-Vspam by default; live: applied without restarting any pod")
    @Pattern("^[!-9;-~]{1,64}$")
    public String headerName;

    @JsonPropertyDescription("Client addresses and CIDR ranges that are never looked up (allow_clients); live: applied without restarting any pod")
    public List<@Pattern(ClientRange.PATTERN) String> allowClients;

    @JsonPropertyDescription("Sender domains (with their subdomains) and addresses that are never looked up (allow_senders); live: applied without restarting any pod")
    public List<@Pattern(AddressRule.PATTERN) String> allowSenders;

    @JsonPropertyDescription("Recipients whose mail is never refused (allow_recipients): addresses, local parts such as abuse@ at any "
            + "domain, domains. A policy request for one is not looked up; a message for one is tagged where it would be refused. "
            + "Unset: abuse@ and postmaster@ (RFC 2142); [] for none; live: applied without restarting any pod")
    public List<@Pattern(AddressRule.RECIPIENT_PATTERN) String> allowRecipients;

    @JsonPropertyDescription("Mail of authenticated users (Postfix's sasl_username) is not looked up (skip_authenticated); default true; live: applied without restarting any pod")
    public Boolean skipAuthenticated;

    @JsonPropertyDescription("Reporting blocked senders back to vspam.org (needs apiKeySecretRef)")
    public ReportingSpec reporting = new ReportingSpec();

    @JsonPropertyDescription("Log level of the agent (log_level); live: applied without restarting any pod")
    @Default("info")
    public LogLevel logLevel = LogLevel.INFO;

    @JsonPropertyDescription("Log format of the agent (log_format): text lines, or one JSON object per line for log shippers")
    @Default("text")
    public LogFormat logFormat = LogFormat.TEXT;

    @JsonPropertyDescription("The Redis shared by every agent of this resource, so a verdict one pod learned saves the others "
            + "the API call; without it each pod caches on its own")
    public RedisSpec redis;

    @JsonPropertyDescription("The milter, which also checks the hosts of the links in each message's body")
    public MilterSpec milter = new MilterSpec();

    @JsonPropertyDescription("Agent image; the operator's default when empty")
    @Pattern("^[^\\s]*$")
    public String image;

    @JsonPropertyDescription("The shared Deployment and Service other MTAs in the cluster use (policy on 10045, HTTP check on 10046)")
    public DeploymentSpec deployment = new DeploymentSpec();

    @JsonPropertyDescription("Postfix workloads (Deployments and StatefulSets in this namespace) that get the agent as a "
            + "sidecar, answering on unix:/var/run/vspam/agent.sock")
    public SidecarSpec sidecars;

    @JsonPropertyDescription("Prometheus scraping of the agents")
    public MetricsSpec metrics = new MetricsSpec();

    @JsonPropertyDescription("A NetworkPolicy for the shared agents: who may use them, who may scrape them")
    public NetworkPolicySpec networkPolicy;
}
