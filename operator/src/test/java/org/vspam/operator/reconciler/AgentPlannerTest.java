package org.vspam.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.vspam.operator.customresource.VspamAgent;
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
}
