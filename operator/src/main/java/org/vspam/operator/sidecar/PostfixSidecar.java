package org.vspam.operator.sidecar;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentContainer;
import org.vspam.operator.plan.AgentNames;
import org.vspam.operator.plan.AgentPlan;

/**
 * What the sidecar adds to a Postfix pod template, and how it is taken out again leaving the rest
 * exactly as the user wrote it. The agent runs as a native sidecar (an init container that keeps
 * running), so Postfix starts only once the agent's startup probe passes; the policy socket lives in
 * an emptyDir mounted at /var/run/vspam/ in the agent and in Postfix's containers. The pod is labelled
 * with the resource's name ({@link AgentNames#SIDECAR_LABEL}), by which Prometheus finds the sidecars.
 */
public final class PostfixSidecar {
    /** On a Postfix pod template: what was injected; a change of it rolls the Postfix pods. */
    public static final String SIDECAR_HASH = "vspam.org/sidecar-hash";
    private static final Set<String> VOLUMES = Set.of(AgentContainer.CONFIG_VOLUME, AgentContainer.CACHE_VOLUME,
            AgentContainer.TMP_VOLUME, AgentContainer.SOCKET_VOLUME);
    /** Everything injected, also what only some resources have (the Redis authority). */
    private static final Set<String> INJECTED_VOLUMES = Set.of(AgentContainer.CONFIG_VOLUME, AgentContainer.CACHE_VOLUME,
            AgentContainer.TMP_VOLUME, AgentContainer.SOCKET_VOLUME, AgentContainer.REDIS_CA_VOLUME);

    private PostfixSidecar() {
    }

    /**
     * The template with the sidecar as {@code plan} says; applied to a template that already has
     * it, the result equals that template when nothing changed.
     *
     * @param containers the containers that get the socket mount; empty = every container
     */
    public static PodTemplateSpec inject(PodTemplateSpec template, VspamAgent agent, AgentPlan plan, List<String> containers) {
        PodTemplateSpec result = remove(template);
        Container sidecar = AgentContainer.container(plan, true).withRestartPolicy("Always").build();
        Map<String, String> annotations = new HashMap<>(mapOrEmpty(result.getMetadata().getAnnotations()));
        annotations.put(SIDECAR_HASH, fingerprint(agent, plan, containers));
        result.getMetadata().setAnnotations(annotations);
        // what the sidecars' PodMonitor selects the pods by
        Map<String, String> labels = new HashMap<>(mapOrEmpty(result.getMetadata().getLabels()));
        labels.putAll(AgentNames.sidecarSelector(agent));
        result.getMetadata().setLabels(labels);
        result.getSpec().getInitContainers().add(sidecar); // after the user's own init containers
        result.getSpec().getVolumes().addAll(AgentContainer.volumes(agent, plan, true));
        VolumeMount socket = new VolumeMountBuilder().withName(AgentContainer.SOCKET_VOLUME).withMountPath(AgentContainer.SOCKET_DIR).build();
        for (Container container : result.getSpec().getContainers()) {
            if (containers == null || containers.isEmpty() || containers.contains(container.getName())) {
                container.getVolumeMounts().add(socket);
            }
        }
        return result;
    }

    /** The template without anything {@link #inject} adds. */
    public static PodTemplateSpec remove(PodTemplateSpec template) {
        PodTemplateSpec result = new PodTemplateSpecBuilder(template).editOrNewMetadata().endMetadata().editOrNewSpec().endSpec().build();
        if (result.getMetadata().getAnnotations() != null && result.getMetadata().getAnnotations().containsKey(SIDECAR_HASH)) {
            Map<String, String> annotations = new HashMap<>(result.getMetadata().getAnnotations());
            annotations.remove(SIDECAR_HASH);
            result.getMetadata().setAnnotations(annotations.isEmpty() ? null : annotations);
        }
        if (result.getMetadata().getLabels() != null && result.getMetadata().getLabels().containsKey(AgentNames.SIDECAR_LABEL)) {
            Map<String, String> labels = new HashMap<>(result.getMetadata().getLabels());
            labels.remove(AgentNames.SIDECAR_LABEL);
            result.getMetadata().setLabels(labels.isEmpty() ? null : labels);
        }
        result.getSpec().setInitContainers(new ArrayList<>(result.getSpec().getInitContainers().stream()
                .filter(container -> !AgentContainer.NAME.equals(container.getName())).toList()));
        result.getSpec().setVolumes(new ArrayList<>(result.getSpec().getVolumes().stream()
                .filter(volume -> !INJECTED_VOLUMES.contains(volume.getName())).toList()));
        for (Container container : result.getSpec().getContainers()) {
            container.setVolumeMounts(new ArrayList<>(container.getVolumeMounts().stream()
                    .filter(mount -> !AgentContainer.SOCKET_VOLUME.equals(mount.getName())).toList()));
        }
        return result;
    }

    /**
     * The pod as the API server is about to create it, with the sidecar {@link #inject} puts into a
     * template: webhook injection gives each pod exactly what patch injection gives its template.
     */
    public static Pod inject(Pod pod, VspamAgent agent, AgentPlan plan, List<String> containers) {
        PodTemplateSpec injected = inject(new PodTemplateSpec(pod.getMetadata(), pod.getSpec()), agent, plan, containers);
        return new PodBuilder(pod).withMetadata(injected.getMetadata()).withSpec(injected.getSpec()).build();
    }

    /** Whether the pod carries the sidecar at all. */
    public static boolean present(Pod pod) {
        return present(new PodTemplateSpec(pod.getMetadata(), pod.getSpec()));
    }

    /** What was injected into the pod ({@link #fingerprint}), if anything. */
    public static String fingerprintOf(Pod pod) {
        return pod.getMetadata() == null ? null : mapOrEmpty(pod.getMetadata().getAnnotations()).get(SIDECAR_HASH);
    }

    /** Whether the template carries the sidecar at all. */
    public static boolean present(PodTemplateSpec template) {
        return template.getSpec() != null && template.getSpec().getInitContainers() != null
                && template.getSpec().getInitContainers().stream().anyMatch(container -> AgentContainer.NAME.equals(container.getName()));
    }

    /**
     * Whether the template already carries exactly this sidecar. The API server fills defaults into
     * what it stores, so the template is not compared field by field: the fingerprint annotation says
     * what was injected, and the parts a person might delete by hand are checked to be there.
     */
    public static boolean upToDate(PodTemplateSpec template, String fingerprint, List<String> containers) {
        if (!present(template) || template.getMetadata() == null
                || !fingerprint.equals(mapOrEmpty(template.getMetadata().getAnnotations()).get(SIDECAR_HASH))
                || !mapOrEmpty(template.getMetadata().getLabels()).containsKey(AgentNames.SIDECAR_LABEL)) {
            return false;
        }
        Set<String> volumes = new HashSet<>();
        template.getSpec().getVolumes().forEach(volume -> volumes.add(volume.getName()));
        return volumes.containsAll(VOLUMES) && template.getSpec().getContainers().stream()
                .filter(container -> containers == null || containers.isEmpty() || containers.contains(container.getName()))
                .allMatch(container -> container.getVolumeMounts().stream().anyMatch(m -> AgentContainer.SOCKET_VOLUME.equals(m.getName())));
    }

    /** A digest of everything {@link #inject} would add: configuration, secrets, image, resources, probes, mounts. */
    public static String fingerprint(VspamAgent agent, AgentPlan plan, List<String> containers) {
        String rendered = Serialization.asJson(AgentContainer.container(plan, true).build())
                + Serialization.asJson(AgentContainer.volumes(agent, plan, true)) + containers + plan.configHash();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(rendered.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static <K, V> Map<K, V> mapOrEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}
