package org.vspam.operator.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentNames;
import org.vspam.operator.plan.AgentPlan;
import org.vspam.operator.customresource.CaRef;
import org.vspam.operator.testing.Fixtures;

/** The sidecar's shape in a Postfix pod template, and that taking it out restores the user's template exactly. */
class PostfixSidecarTest {
    private final VspamAgent agent = Fixtures.agent("mail", "vspam");
    private final AgentPlan plan = Fixtures.plan(agent);
    private final PodTemplateSpec original = Fixtures.postfix("mail", "postfix", Map.of("app", "postfix")).getSpec().getTemplate();

    @Test
    void theAgentIsANativeSidecarAfterTheUsersInitContainers() {
        PodTemplateSpec injected = PostfixSidecar.inject(copy(original), agent, plan, List.of());
        List<Container> init = injected.getSpec().getInitContainers();

        assertThat(init).extracting(Container::getName).containsExactly("render-config", "vspam-agent");
        Container sidecar = init.getLast();
        assertThat(sidecar.getRestartPolicy()).as("native sidecar").isEqualTo("Always");
        assertThat(sidecar.getStartupProbe().getHttpGet().getPath()).as("Postfix starts once the agent answers").isEqualTo("/health");
        assertThat(sidecar.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("VSPAM_LISTEN");
            assertThat(env.getValue()).isEqualTo("unix:/var/run/vspam/agent.sock");
        });
        assertThat(sidecar.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("VSPAM_API_KEY");
            assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("vspam-key");
        });
        assertThat(sidecar.getResources().getRequests().get("memory").toString()).isEqualTo("160Mi");
        assertThat(sidecar.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(sidecar.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sidecar.getVolumeMounts()).anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/var/run/vspam"));
        assertThat(injected.getSpec().getContainers()).allSatisfy(container -> assertThat(container.getVolumeMounts())
                .anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/var/run/vspam")));
        assertThat(injected.getSpec().getVolumes()).extracting(v -> v.getName())
                .containsExactlyInAnyOrder("spool", "vspam-config", "vspam-cache", "vspam-tmp", "vspam-socket");
        assertThat(injected.getMetadata().getAnnotations()).containsEntry("example.org/owner", "mail-team")
                .containsKey(PostfixSidecar.SIDECAR_HASH);
        // what the sidecars' PodMonitor selects, beside the user's own labels
        assertThat(injected.getMetadata().getLabels()).containsEntry(AgentNames.SIDECAR_LABEL, "vspam")
                .containsAllEntriesOf(original.getMetadata().getLabels());
    }

    @Test
    void withTheMilterTheSidecarAlsoListensOnTheSharedDirectory() {
        agent.getSpec().milter.enabled = true;
        Container sidecar = PostfixSidecar.inject(copy(original), agent, Fixtures.plan(agent), List.of()).getSpec().getInitContainers().getLast();
        assertThat(sidecar.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("VSPAM_MILTER_LISTEN");
            assertThat(env.getValue()).isEqualTo("unix:/var/run/vspam/milter.sock");
        }).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("VSPAM_MILTER_SOCKET_MODE");
            assertThat(env.getValue()).as("Postfix's uid connects").isEqualTo("0666");
        });
        assertThat(sidecar.getPorts()).extracting(port -> port.getName()).containsExactly("metrics");
    }

    /** Beside Postfix, /check is on loopback (the pod's own rspamd or scripts), health and metrics on the pod's address. */
    @Test
    void theSidecarsCheckApiIsOnLoopbackUnlessExposed() {
        Container sidecar = PostfixSidecar.inject(copy(original), agent, Fixtures.plan(agent), List.of()).getSpec().getInitContainers().getLast();
        assertThat(sidecar.getEnv()).filteredOn(env -> env.getName().endsWith("_LISTEN") && !env.getName().equals("VSPAM_LISTEN"))
                .extracting(env -> env.getName() + "=" + env.getValue())
                .containsExactlyInAnyOrder("VSPAM_HTTP_LISTEN=127.0.0.1:10046", "VSPAM_METRICS_LISTEN=0.0.0.0:10048");
        assertThat(sidecar.getPorts()).extracting(port -> port.getName()).containsExactly("metrics");
        assertThat(sidecar.getStartupProbe().getHttpGet().getPort().getStrVal()).isEqualTo("metrics");

        agent.getSpec().sidecars.exposeCheckApi = true;
        Container exposed = PostfixSidecar.inject(copy(original), agent, Fixtures.plan(agent), List.of()).getSpec().getInitContainers().getLast();
        assertThat(exposed.getEnv()).anySatisfy(env -> assertThat(env.getName() + "=" + env.getValue()).isEqualTo("VSPAM_HTTP_LISTEN=0.0.0.0:10046"));
        assertThat(exposed.getPorts()).extracting(port -> port.getName()).containsExactly("http", "metrics");
    }

    @Test
    void besidePostfixTheRedisAuthorityIsMountedTooAndRemovedWithTheSidecar() {
        agent.getSpec().redis.ca = CaRef.ofSecret("redis-tls", "ca.crt");
        AgentPlan withCa = Fixtures.plan(agent);
        PodTemplateSpec injected = PostfixSidecar.inject(copy(original), agent, withCa, List.of());

        assertThat(injected.getSpec().getVolumes()).extracting(volume -> volume.getName()).contains("vspam-redis-ca");
        assertThat(injected.getSpec().getInitContainers().getLast().getVolumeMounts()).extracting(mount -> mount.getMountPath())
                .contains("/etc/vspam-tls");
        assertThat(PostfixSidecar.remove(injected)).isEqualTo(original);
    }

    @Test
    void onlyTheNamedContainersGetTheSocket() {
        PodTemplateSpec injected = PostfixSidecar.inject(copy(original), agent, plan, List.of("postfix"));
        assertThat(injected.getSpec().getContainers()).filteredOn(c -> c.getName().equals("exporter")).singleElement()
                .satisfies(exporter -> assertThat(exporter.getVolumeMounts()).isEmpty());
        assertThat(PostfixSidecar.upToDate(injected, PostfixSidecar.fingerprint(agent, plan, List.of("postfix")), List.of("postfix"))).isTrue();
    }

    @Test
    void removingItRestoresTheTemplateExactly() {
        PodTemplateSpec injected = PostfixSidecar.inject(copy(original), agent, plan, List.of());
        assertThat(PostfixSidecar.remove(injected)).isEqualTo(original);
        assertThat(PostfixSidecar.present(PostfixSidecar.remove(injected))).isFalse();
    }

    @Test
    void injectingTwiceChangesNothing() {
        PodTemplateSpec once = PostfixSidecar.inject(copy(original), agent, plan, List.of());
        assertThat(PostfixSidecar.inject(copy(once), agent, plan, List.of())).isEqualTo(once);
        assertThat(PostfixSidecar.upToDate(once, PostfixSidecar.fingerprint(agent, plan, List.of()), List.of())).isTrue();
    }

    @Test
    void aConfigurationChangeOrAMissingPieceIsNotUpToDate() {
        PodTemplateSpec injected = PostfixSidecar.inject(copy(original), agent, plan, List.of());
        agent.getSpec().cacheTtl = "1m";
        assertThat(PostfixSidecar.upToDate(injected, PostfixSidecar.fingerprint(agent, Fixtures.plan(agent), List.of()), List.of())).isFalse();

        PodTemplateSpec mountRemoved = copy(injected);
        mountRemoved.getSpec().getContainers().getFirst().getVolumeMounts().removeIf(m -> m.getName().equals("vspam-socket"));
        assertThat(PostfixSidecar.upToDate(mountRemoved, PostfixSidecar.fingerprint(agent, plan, List.of()), List.of())).isFalse();

        PodTemplateSpec labelRemoved = copy(injected);
        labelRemoved.getMetadata().getLabels().remove(AgentNames.SIDECAR_LABEL);
        assertThat(PostfixSidecar.upToDate(labelRemoved, PostfixSidecar.fingerprint(agent, plan, List.of()), List.of())).isFalse();
    }

    @Test
    void selectorsFollowKubernetesSemanticsOnTheWorkloadsLabels() {
        var tier = new LabelSelectorRequirementBuilder().withKey("tier").withOperator("In").withValues("mx", "submission").build();
        var canary = new LabelSelectorRequirementBuilder().withKey("canary").withOperator("DoesNotExist").build();
        var selector = new LabelSelectorBuilder().withMatchLabels(Map.of("app", "postfix")).withMatchExpressions(tier, canary).build();

        assertThat(Workloads.matches(selector, Map.of("app", "postfix", "tier", "mx"))).isTrue();
        assertThat(Workloads.matches(selector, Map.of("app", "postfix", "tier", "web"))).isFalse();
        assertThat(Workloads.matches(selector, Map.of("app", "postfix", "tier", "mx", "canary", "yes"))).isFalse();
        assertThat(Workloads.matches(new LabelSelectorBuilder().build(), Map.of("app", "postfix")))
                .as("an empty selector selects nothing").isFalse();
    }

    private static PodTemplateSpec copy(PodTemplateSpec template) {
        return new PodTemplateSpecBuilder(template).build();
    }
}
