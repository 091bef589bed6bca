package org.vspam.operator.plan;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vspam.config.Setting;
import org.vspam.operator.customresource.CaRef;
import org.vspam.operator.customresource.VspamAgent;

/**
 * The agent container, the same in the shared Deployment and beside Postfix: one image, the
 * ConfigMap's agent.yml, the secrets as environment, uid 65532 on a read-only root filesystem with
 * no capabilities, and {@code /health} probes. Only how it listens differs, set by environment.
 */
public final class AgentContainer {
    public static final String NAME = "vspam-agent";
    public static final int UID = 65532;
    public static final String CONFIG_DIR = "/etc/vspam";
    public static final String SOCKET_DIR = "/var/run/vspam";
    /** The container port of health and metrics, as probes and the monitors name it. */
    public static final String METRICS_PORT_NAME = "metrics";
    public static final String SOCKET = SOCKET_DIR + "/agent.sock";

    /** The shared Deployment: policy over TCP and the HTTP check for other MTAs, health and metrics, all on the pod IP. */
    public static final Map<String, String> DEPLOYMENT_ENV = Map.of(
            Setting.LISTEN.environmentVariable(), "tcp://0.0.0.0:" + AgentNames.POLICY_PORT,
            Setting.HTTP_ENABLED.environmentVariable(), "true",
            Setting.HTTP_LISTEN.environmentVariable(), "0.0.0.0:" + AgentNames.HTTP_PORT,
            Setting.METRICS_LISTEN.environmentVariable(), "0.0.0.0:" + AgentNames.METRICS_PORT);

    /**
     * Beside Postfix: policy on the shared socket, world-writable because Postfix runs under its own
     * uid and the socket's directory is private to the pod; health and metrics on the pod's address for
     * probes and Prometheus; the HTTP check on loopback, for the pod's own rspamd or scripts only: on
     * the pod's address any pod of the cluster could spend this operator's API quota through it.
     */
    public static final Map<String, String> SIDECAR_ENV = Map.of(
            Setting.LISTEN.environmentVariable(), "unix:" + SOCKET,
            Setting.SOCKET_MODE.environmentVariable(), "0666",
            Setting.HTTP_ENABLED.environmentVariable(), "true",
            Setting.HTTP_LISTEN.environmentVariable(), "127.0.0.1:" + AgentNames.HTTP_PORT,
            Setting.METRICS_LISTEN.environmentVariable(), "0.0.0.0:" + AgentNames.METRICS_PORT);

    /** With {@code spec.sidecars.exposeCheckApi}: the sidecar's HTTP check on the pod's address too. */
    private static final Map<String, String> SIDECAR_EXPOSED_CHECK_ENV = Map.of(
            Setting.HTTP_LISTEN.environmentVariable(), "0.0.0.0:" + AgentNames.HTTP_PORT);

    /** The milter's socket beside Postfix, in the same shared directory. */
    public static final String MILTER_SOCKET = SOCKET_DIR + "/milter.sock";

    /** With {@code spec.milter.enabled}: the milter on TCP in the shared Deployment, on the shared socket's directory beside Postfix. */
    private static final Map<String, String> DEPLOYMENT_MILTER_ENV = Map.of(
            Setting.MILTER_LISTEN.environmentVariable(), "tcp://0.0.0.0:" + AgentNames.MILTER_PORT);
    private static final Map<String, String> SIDECAR_MILTER_ENV = Map.of(
            Setting.MILTER_LISTEN.environmentVariable(), "unix:" + MILTER_SOCKET,
            Setting.MILTER_SOCKET_MODE.environmentVariable(), "0666");

    /** Volume names, prefixed so that they cannot collide with a user's own in a Postfix pod. */
    public static final String CONFIG_VOLUME = "vspam-config";
    public static final String CACHE_VOLUME = "vspam-cache";
    public static final String TMP_VOLUME = "vspam-tmp";
    public static final String SOCKET_VOLUME = "vspam-socket";
    public static final String REDIS_CA_VOLUME = "vspam-redis-ca";
    /** Beside, not below, the read-only config mount: Kubernetes cannot make a mount point inside one. */
    public static final String TLS_DIR = "/etc/vspam-tls";
    public static final String REDIS_CA_FILE = TLS_DIR + "/redis-ca.crt";

    /**
     * Below this memory limit an agent with Redis or the milter keeps its JVM to the quick compiler
     * ({@link #QUICK_COMPILER_ONLY}): with both compilers, either one's load got the JVM killed under
     * 96 MiB, while the policy service alone fits (docs/images.md, "A memory limit below 128 MiB").
     */
    static final Quantity QUICK_COMPILER_BELOW = new Quantity("128Mi");
    /** Set as {@code JDK_JAVA_OPTIONS}, which the JVM adds to the image's and the packages' flags. */
    static final String QUICK_COMPILER_ONLY = "-XX:TieredStopAtLevel=1";

    private AgentContainer() {
    }

    /**
     * How the agent listens, by environment: {@link #DEPLOYMENT_ENV} or {@link #SIDECAR_ENV}, the milter's
     * when it is on, and a sidecar's check API on the pod's address when {@code exposeCheckApi}.
     */
    public static Map<String, String> listenerEnv(boolean milter, boolean sidecar, boolean exposeCheckApi) {
        Map<String, String> env = new HashMap<>(sidecar ? SIDECAR_ENV : DEPLOYMENT_ENV);
        if (milter) {
            env.putAll(sidecar ? SIDECAR_MILTER_ENV : DEPLOYMENT_MILTER_ENV);
        }
        if (sidecar && exposeCheckApi) {
            env.putAll(SIDECAR_EXPOSED_CHECK_ENV);
        }
        return env;
    }

    /** The container, beside Postfix ({@code sidecar}) or in the shared Deployment. */
    public static ContainerBuilder container(AgentPlan plan, boolean sidecar) {
        List<EnvVar> env = new ArrayList<>();
        listenerEnv(plan.milter(), sidecar, plan.exposeCheckApi()).entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(entry -> env.add(new EnvVar(entry.getKey(), entry.getValue(), null)));
        env.addAll(plan.secretEnv());
        ResourceRequirements resources = sidecar ? plan.sidecarResources() : plan.deploymentResources();
        if (quickCompilerOnly(plan, resources)) {
            env.add(new EnvVar("JDK_JAVA_OPTIONS", QUICK_COMPILER_ONLY, null));
        }
        List<VolumeMount> mounts = new ArrayList<>(List.of(
                mount(CONFIG_VOLUME, CONFIG_DIR, true),
                mount(CACHE_VOLUME, "/var/lib/vspam", false),
                mount(TMP_VOLUME, "/tmp", false)));
        if (sidecar) {
            mounts.add(mount(SOCKET_VOLUME, SOCKET_DIR, false));
        }
        if (plan.redisCa().isPresent()) {
            // by environment, like the listeners: the path exists in the pod, not where the operator validates agent.yml
            env.add(new EnvVar(Setting.REDIS_CA_FILE.environmentVariable(), REDIS_CA_FILE, null));
            mounts.add(mount(REDIS_CA_VOLUME, TLS_DIR, true));
        }
        return new ContainerBuilder()
                .withName(NAME)
                .withImage(plan.image())
                .withArgs("--config", CONFIG_DIR + "/" + AgentNames.CONFIG_FILE, "serve")
                .withEnv(env)
                .withVolumeMounts(mounts)
                .withResources(resources)
                .withSecurityContext(securityContext())
                .addAllToPorts(!sidecar || plan.exposeCheckApi()
                        ? List.of(new ContainerPortBuilder().withName("http").withContainerPort(AgentNames.HTTP_PORT).withProtocol("TCP").build())
                        : List.of())
                .addNewPort().withName(METRICS_PORT_NAME).withContainerPort(AgentNames.METRICS_PORT).withProtocol("TCP").endPort()
                .addAllToPorts(plan.milter() && !sidecar
                        ? List.of(new ContainerPortBuilder().withName("milter").withContainerPort(AgentNames.MILTER_PORT).withProtocol("TCP").build())
                        : List.of())
                .withStartupProbe(health(1, 60))
                .withLivenessProbe(health(10, 3));
    }

    private static boolean quickCompilerOnly(AgentPlan plan, ResourceRequirements resources) {
        Quantity limit = resources == null || resources.getLimits() == null ? null : resources.getLimits().get("memory");
        boolean redis = plan.secretEnv().stream().anyMatch(variable -> variable.getName().equals(Setting.REDIS_URL.environmentVariable()));
        return limit != null && (redis || plan.milter())
                && Quantity.getAmountInBytes(limit).compareTo(Quantity.getAmountInBytes(QUICK_COMPILER_BELOW)) < 0;
    }

    /** The volumes the container mounts (the socket's only beside Postfix, the Redis CA's only when one is named). */
    public static List<Volume> volumes(VspamAgent agent, AgentPlan plan, boolean sidecar) {
        List<Volume> volumes = new ArrayList<>(List.of(
                new VolumeBuilder().withName(CONFIG_VOLUME).withNewConfigMap().withName(AgentNames.configMap(agent)).endConfigMap().build(),
                emptyDir(CACHE_VOLUME, "64Mi"),
                emptyDir(TMP_VOLUME, "64Mi")));
        if (sidecar) {
            volumes.add(emptyDir(SOCKET_VOLUME, "1Mi"));
        }
        plan.redisCa().ifPresent(ca -> volumes.add(caVolume(ca)));
        return volumes;
    }

    /** Only the named key, as {@code redis-ca.crt}. */
    private static Volume caVolume(CaRef ca) {
        KeyToPath item = new KeyToPath(ca.secretKeyRef != null ? ca.secretKeyRef.key : ca.configMapKeyRef.key, null, "redis-ca.crt");
        VolumeBuilder volume = new VolumeBuilder().withName(REDIS_CA_VOLUME);
        return ca.secretKeyRef != null
                ? volume.withNewSecret().withSecretName(ca.secretKeyRef.name).withItems(item).endSecret().build()
                : volume.withNewConfigMap().withName(ca.configMapKeyRef.name).withItems(item).endConfigMap().build();
    }

    public static SecurityContext securityContext() {
        return new SecurityContextBuilder()
                .withRunAsUser((long) UID)
                .withRunAsGroup((long) UID)
                .withRunAsNonRoot(true)
                .withReadOnlyRootFilesystem(true)
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .build();
    }

    /** {@code /health} answers 200 only while the agent's listeners are up. */
    public static Probe health(int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath("/health").withPort(new IntOrString(METRICS_PORT_NAME)).endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withFailureThreshold(failureThreshold)
                .withTimeoutSeconds(1)
                .build();
    }

    private static VolumeMount mount(String name, String path, boolean readOnly) {
        return new VolumeMountBuilder().withName(name).withMountPath(path).withReadOnly(readOnly ? true : null).build();
    }

    private static Volume emptyDir(String name, String sizeLimit) {
        return new VolumeBuilder().withName(name).withEmptyDir(new EmptyDirVolumeSource(null, new Quantity(sizeLimit))).build();
    }
}
