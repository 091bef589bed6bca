package org.vspam.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentContainer;
import org.vspam.operator.plan.AgentPlan;
import org.vspam.operator.plan.AgentPlanner;
import org.vspam.operator.sidecar.PostfixSidecar;
import org.vspam.operator.sidecar.Workload;
import org.vspam.operator.sidecar.Workloads;
import org.vspam.operator.testing.Fixtures;

/** examples/ as the README's Kubernetes walk-through applies them: they fit together and the operator accepts them. */
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("../examples");

    @Test
    void theExampleAgentProtectsTheExamplePostfix() throws Exception {
        VspamAgent agent = Serialization.unmarshal(Files.readString(EXAMPLES.resolve("vspamagent.yaml")), VspamAgent.class);
        Deployment postfix = Serialization.unmarshal(Files.readString(EXAMPLES.resolve("postfix.yaml")), Deployment.class);

        assertThat(agent.getMetadata().getNamespace()).isEqualTo(postfix.getMetadata().getNamespace());
        AgentPlan plan = new AgentPlanner(Fixtures.DEFAULTS).plan(agent, name ->
                Optional.of(Fixtures.secret("mail", name, agent.getSpec().apiKeySecretRef.key, "vspam_example")));
        assertThat(plan.configProblem()).isEmpty();
        assertThat(plan.secretProblem()).isEmpty();
        assertThat(Workloads.selects(agent.getSpec().sidecars.selector, new Workload.OfDeployment(postfix))).isTrue();

        var injected = PostfixSidecar.inject(postfix.getSpec().getTemplate(), agent, plan, agent.getSpec().sidecars.containers);
        var container = injected.getSpec().getContainers().stream().filter(c -> c.getName().equals("postfix")).findFirst().orElseThrow();
        assertThat(container.getVolumeMounts()).anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo(AgentContainer.SOCKET_DIR));
        assertThat(container.getEnv()).anySatisfy(env -> assertThat(env.getValue()).contains("check_policy_service unix:" + AgentContainer.SOCKET));
        assertThat(container.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("POSTFIX_smtpd_policy_service_default_action");
            assertThat(env.getValue()).isEqualTo("DUNNO");
        });
        // the milter: Postfix asks the socket the sidecar listens on, and accepts mail while the agent is away
        var sidecar = injected.getSpec().getInitContainers().getLast();
        assertThat(sidecar.getEnv()).anySatisfy(env -> assertThat(env.getValue()).isEqualTo("unix:" + AgentContainer.MILTER_SOCKET));
        assertThat(container.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("POSTFIX_smtpd_milters");
            assertThat(env.getValue()).isEqualTo("unix:" + AgentContainer.MILTER_SOCKET);
        }).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("POSTFIX_milter_default_action");
            assertThat(env.getValue()).isEqualTo("accept");
        });
    }
}
