package org.vspam.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.vspam.operator.customresource.RedisSpec;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.testing.Fixtures;

/** The agent's JVM under a small memory limit: the quick compiler alone where both would not fit. */
class AgentContainerTest {
    private static final String JVM_OPTIONS = "JDK_JAVA_OPTIONS";

    @Test
    void aSidecarWithTheMilterOrRedisUnder128MiBKeepsToTheQuickCompiler() {
        VspamAgent milter = agent("96Mi");
        milter.getSpec().milter.enabled = true;
        assertThat(jvmOptions(AgentContainer.container(Fixtures.plan(milter), true).build())).containsExactly("-XX:TieredStopAtLevel=1");

        VspamAgent inline = agent("120Mi");
        inline.getSpec().redis = new RedisSpec();
        inline.getSpec().redis.url = "redis://redis.mail.svc:6379/0";
        assertThat(jvmOptions(AgentContainer.container(Fixtures.plan(inline), true).build())).containsExactly("-XX:TieredStopAtLevel=1");

        VspamAgent fromSecret = Fixtures.agent("mail", "vspam"); // its Redis URL in a Secret
        fromSecret.getSpec().sidecars.resources = memory("96Mi");
        assertThat(jvmOptions(AgentContainer.container(Fixtures.plan(fromSecret), true).build())).containsExactly("-XX:TieredStopAtLevel=1");
    }

    @Test
    void bothCompilersStayWhereTheyFit() {
        // the policy service alone fits 96 MiB with both compilers
        assertThat(jvmOptions(AgentContainer.container(Fixtures.plan(agent("96Mi")), true).build())).isEmpty();

        VspamAgent at128 = agent("128Mi");
        at128.getSpec().milter.enabled = true;
        assertThat(jvmOptions(AgentContainer.container(Fixtures.plan(at128), true).build())).isEmpty();

        // the operator's defaults (a 256 MiB limit), milter on, for both containers
        VspamAgent defaults = Fixtures.agent("mail", "vspam"); // with Redis
        defaults.getSpec().milter.enabled = true;
        AgentPlan plan = Fixtures.plan(defaults);
        assertThat(jvmOptions(AgentContainer.container(plan, true).build())).isEmpty();
        assertThat(jvmOptions(AgentContainer.container(plan, false).build())).isEmpty();
    }

    @Test
    void noLimitNoChange() {
        VspamAgent agent = Fixtures.agent("mail", "vspam");
        agent.getSpec().redis = null;
        agent.getSpec().milter.enabled = true;
        AgentPlan plan = new AgentPlanner(new OperatorDefaults(Fixtures.IMAGE, null, null))
                .plan(agent, name -> Optional.of(Fixtures.secret("mail", name, "api-key", Fixtures.API_KEY)));
        assertThat(jvmOptions(AgentContainer.container(plan, true).build())).isEmpty();
        assertThat(jvmOptions(AgentContainer.container(plan, false).build())).isEmpty();
    }

    @Test
    void theSharedDeploymentFollowsItsOwnLimit() {
        VspamAgent agent = Fixtures.agent("mail", "vspam"); // with Redis
        agent.getSpec().deployment.resources = memory("96Mi");
        AgentPlan plan = Fixtures.plan(agent);
        assertThat(jvmOptions(AgentContainer.container(plan, false).build())).containsExactly("-XX:TieredStopAtLevel=1");
        assertThat(jvmOptions(AgentContainer.container(plan, true).build())).isEmpty();
    }

    /** Policy only (no Redis, no milter), the sidecars limited to {@code sidecarLimit}. */
    private static VspamAgent agent(String sidecarLimit) {
        VspamAgent agent = Fixtures.agent("mail", "vspam");
        agent.getSpec().redis = null;
        agent.getSpec().sidecars.resources = memory(sidecarLimit);
        return agent;
    }

    private static ResourceRequirements memory(String limit) {
        return new ResourceRequirementsBuilder()
                .addToRequests("memory", new Quantity(limit))
                .addToLimits("memory", new Quantity(limit))
                .build();
    }

    private static List<String> jvmOptions(Container container) {
        return container.getEnv().stream().filter(variable -> variable.getName().equals(JVM_OPTIONS)).map(EnvVar::getValue).toList();
    }
}
