package org.vspam.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.vspam.config.Action;
import org.vspam.config.AgentConfig;
import org.vspam.config.AgentConfigLoader;
import org.vspam.config.ClientRange;
import org.vspam.config.Family;
import org.vspam.config.Mode;
import org.vspam.config.AddressRule;
import org.vspam.operator.customresource.ActionsSpec;
import org.vspam.operator.customresource.AgentMode;
import org.vspam.operator.customresource.FailureAction;
import org.vspam.operator.customresource.ListingAction;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.customresource.VspamAgentSpec;
import org.vspam.operator.testing.Fixtures;

/** The plan: what stops a rollout, with messages that say what to do, and never a secret value. */
class AgentPlannerTest {
    private final AgentPlanner planner = new AgentPlanner(Fixtures.DEFAULTS);

    @Test
    void aMissingSecretSaysWhichAndHowToCreateIt() {
        VspamAgent agent = Fixtures.agent("mail", "vspam");
        AgentPlan plan = planner.plan(agent, name -> Optional.empty());

        assertThat(plan.deployable()).isFalse();
        assertThat(plan.secretProblem()).hasValueSatisfying(problem -> {
            assertThat(problem.reason()).isEqualTo("SecretNotFound");
            assertThat(problem.message()).isEqualTo("secret \"vspam-key\" not found in namespace \"mail\"; create it, e.g. "
                    + "kubectl -n mail create secret generic vspam-key --from-literal=api-key=…");
        });
    }

    @Test
    void aMissingKeyNamesTheKeysThereAre() {
        VspamAgent agent = Fixtures.agent("mail", "vspam");
        AgentPlan plan = planner.plan(agent, name -> Optional.of(Fixtures.secret("mail", name, "token", "x")));

        assertThat(plan.secretProblem()).hasValueSatisfying(problem -> {
            assertThat(problem.reason()).isEqualTo("SecretKeyNotFound");
            assertThat(problem.message()).isEqualTo("secret \"vspam-key\" has no key \"api-key\" (its keys: token)");
        });
    }

    @Test
    void aValueTheAgentWouldRefuseIsTheAgentsOwnMessage() {
        VspamAgent agent = Fixtures.agent("mail", "vspam");
        agent.getSpec().decisionTimeout = "90s";
        AgentPlan plan = Fixtures.plan(agent);

        assertThat(plan.configProblem()).hasValueSatisfying(problem -> {
            assertThat(problem.reason()).isEqualTo("InvalidConfig");
            assertThat(problem.message()).isEqualTo("decision_timeout: \"90s\" must not be longer than 1m (from VspamAgent mail/vspam)");
        });
    }

    @Test
    void aRedisClusterUrlIsPassedToTheAgentAsWritten() {
        VspamAgent agent = Fixtures.agent("mail", "vspam");
        agent.getSpec().redis.urlSecretRef = null;
        agent.getSpec().redis.url = "redis-cluster://redis-0.redis.mail:6379,redis-1.redis.mail:6379";
        AgentPlan plan = Fixtures.plan(agent);
        assertThat(plan.configProblem()).isEmpty();
        assertThat(plan.secretEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("VSPAM_REDIS_URL");
            assertThat(env.getValue()).isEqualTo("redis-cluster://redis-0.redis.mail:6379,redis-1.redis.mail:6379");
        });
    }

    @Test
    void aRedisUrlInTheSecretThatIsNoRedisUrlIsRefusedWithoutShowingIt() {
        VspamAgent agent = Fixtures.agent("mail", "vspam");
        Map<String, String> values = Map.of("vspam-key", Fixtures.API_KEY, "vspam-redis", "http://:hunter2@redis.example.net");
        AgentPlan plan = planner.plan(agent, name -> Optional.of(Fixtures.secret("mail", name,
                name.equals("vspam-key") ? "api-key" : "url", values.get(name))));

        assertThat(plan.configProblem()).hasValueSatisfying(problem ->
                assertThat(problem.message()).startsWith("redis_url: (value hidden) is not a Redis URL").contains("VSPAM_REDIS_URL")
                        .doesNotContain("hunter2"));
    }

    @Test
    void theDigestFollowsSecretValuesSoAKeyRotationRollsThePods() {
        VspamAgent agent = Fixtures.agent("mail", "vspam");
        String before = Fixtures.plan(agent).configHash();
        AgentPlan rotated = planner.plan(agent, name -> Optional.of(name.equals("vspam-key")
                ? Fixtures.secret("mail", name, "api-key", "vspam_rotated")
                : Fixtures.secret("mail", name, "url", "redis://:pw@redis.example.net:6379/0")));

        assertThat(rotated.configHash()).isNotEqualTo(before).doesNotContain("vspam_rotated");
        assertThat(rotated.deployable()).isTrue();
    }

    @Test
    void theControlsAreWrittenAsTheAgentReadsThem() throws Exception {
        VspamAgent agent = Fixtures.agent("mail", "vspam");
        VspamAgentSpec spec = agent.getSpec();
        spec.mode = AgentMode.MONITOR;
        spec.failureAction = FailureAction.DEFER;
        spec.actions = new ActionsSpec();
        spec.actions.spam = ListingAction.PREPEND;
        spec.actions.tor = ListingAction.ALLOW;
        spec.allowClients = List.of("192.0.2.0/24", "2001:db8::/32");
        spec.allowSenders = List.of("partner.example", "postmaster@example.org");
        spec.skipAuthenticated = false;
        spec.deferMessage = "451 4.7.1 {indicator}: try later, see {delist_url}";
        spec.delistUrl = "https://delist.example/";
        spec.headerName = "X-Vspam-Trial";
        AgentPlan plan = Fixtures.plan(agent);

        assertThat(plan.configProblem()).isEmpty();
        assertThat(plan.agentYaml()).contains("actions:\n  spam: prepend\n  tor: allow\n");
        AgentConfig config = AgentConfigLoader.parse(plan.agentYaml(), "the ConfigMap", Map.of());
        assertThat(config.mode()).isEqualTo(Mode.MONITOR);
        assertThat(config.failureAction()).isEqualTo(org.vspam.config.FailureAction.DEFER);
        assertThat(config.actions().of(Family.SPAM)).isEqualTo(Action.PREPEND);
        assertThat(config.actions().of(Family.TOR)).isEqualTo(Action.ALLOW);
        assertThat(config.actions().of(Family.PHISHING)).isEqualTo(Action.REJECT);
        assertThat(config.allowList().clients()).extracting(ClientRange::written).containsExactly("192.0.2.0/24", "2001:db8::/32");
        assertThat(config.allowList().senders()).extracting(AddressRule::written).containsExactly("partner.example", "postmaster@example.org");
        assertThat(config.skipAuthenticated()).isFalse();
        assertThat(config.headerName()).isEqualTo("X-Vspam-Trial");
        assertThat(config.delistUrl()).as("printed as written").isEqualTo("https://delist.example/");
    }

    /** Unset, the agent's default (abuse@, postmaster@) holds; a list replaces it; [] turns it off. */
    @Test
    void allowedRecipientsReachTheAgentAsWrittenAndAnEmptyListTurnsThemOff() throws Exception {
        VspamAgent agent = Fixtures.agent("mail", "vspam");
        AgentConfig unset = AgentConfigLoader.parse(Fixtures.plan(agent).agentYaml(), "the ConfigMap", Map.of());
        assertThat(unset.allowList().matchRecipient(List.of("abuse@example.org"))).hasValue("allow_recipients: abuse@");

        agent.getSpec().allowRecipients = List.of("security@example.org", "abuse@");
        AgentConfig desks = AgentConfigLoader.parse(Fixtures.plan(agent).agentYaml(), "the ConfigMap", Map.of());
        assertThat(desks.allowList().recipients()).extracting(AddressRule::written).containsExactly("security@example.org", "abuse@");

        agent.getSpec().allowRecipients = List.of();
        AgentConfig none = AgentConfigLoader.parse(Fixtures.plan(agent).agentYaml(), "the ConfigMap", Map.of());
        assertThat(none.allowList().recipients()).isEmpty();
    }

    @Test
    void aControlTheAgentWouldRefuseIsTheAgentsOwnMessage() {
        VspamAgent agent = Fixtures.agent("mail", "vspam");
        agent.getSpec().deferMessage = "550 no";
        assertThat(Fixtures.plan(agent).configProblem()).hasValueSatisfying(problem -> assertThat(problem.message())
                .startsWith("defer_message: \"550 no\" starts with the reply code 550, which must be 4xx here"));
    }
}
