package org.vspam.operator.plan;

import org.vspam.operator.plan.AgentPlan.Problem;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.vspam.config.AgentConfigLoader;
import org.vspam.config.AgentYaml;
import org.vspam.config.ConfigException;
import org.vspam.config.Setting;
import org.vspam.operator.customresource.ActionsSpec;
import org.vspam.operator.customresource.MilterSpec;
import org.vspam.operator.customresource.RedisSpec;
import org.vspam.operator.customresource.SecretKeyRef;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.customresource.VspamAgentSpec;

/**
 * Turns a {@link VspamAgent} into its {@link AgentPlan}. The agent.yml is written with the agent's own
 * key names and then read back with the agent's own loader, so a value the agent would refuse at
 * start-up is refused here instead, with the agent's message, before any pod is touched.
 */
public final class AgentPlanner {
    /** Where the agent keeps its cache snapshot: an emptyDir, so a restarted container starts warm. */
    static final String CACHE_PATH = "/var/lib/vspam/cache.db";

    private final OperatorDefaults defaults;

    public AgentPlanner(OperatorDefaults defaults) {
        this.defaults = defaults;
    }

    /** {@code secrets} finds a Secret of the resource's namespace by name. */
    public AgentPlan plan(VspamAgent agent, Function<String, Optional<Secret>> secrets) {
        VspamAgentSpec spec = agent.getSpec();
        Map<Setting, Object> settings = settings(spec);
        String yaml = AgentYaml.write(settings);
        // The agents follow their ConfigMap and apply live settings themselves: only the others roll the pods.
        Map<Setting, Object> restartOnly = new EnumMap<>(Setting.class);
        settings.forEach((setting, value) -> {
            if (!setting.live()) {
                restartOnly.put(setting, value);
            }
        });
        String image = spec.image == null || spec.image.isBlank() ? defaults.agentImage() : spec.image;

        Map<String, String> secretValues = new HashMap<>(); // env name -> value, only to validate and to hash
        List<EnvVar> env = new ArrayList<>();
        Optional<Problem> secretProblem = Optional.empty();
        for (var ref : secretRefs(spec).entrySet()) {
            env.add(fromSecret(ref.getKey(), ref.getValue()));
            Resolved resolved = resolve(ref.getValue(), agent.getMetadata().getNamespace(), secrets);
            resolved.value().ifPresent(value -> secretValues.put(ref.getKey(), value));
            if (secretProblem.isEmpty()) {
                secretProblem = resolved.problem();
            }
        }
        RedisSpec redis = spec.redis;
        if (redis != null && redis.url != null) {
            env.add(new EnvVarBuilder().withName(Setting.REDIS_URL.environmentVariable()).withValue(redis.url).build());
            secretValues.put(Setting.REDIS_URL.environmentVariable(), redis.url);
        }
        Optional<Problem> configProblem = validate(yaml, secretValues, agent);
        return new AgentPlan(yaml, env, hash(AgentYaml.write(restartOnly), image, secretValues), liveHash(yaml), image, MilterSpec.enabled(spec),
                spec.sidecars != null && Boolean.TRUE.equals(spec.sidecars.exposeCheckApi),
                spec.deployment != null && spec.deployment.resources != null ? spec.deployment.resources : defaults.deploymentResources(),
                spec.sidecars != null && spec.sidecars.resources != null ? spec.sidecars.resources : defaults.sidecarResources(),
                configProblem, secretProblem, Optional.ofNullable(redis).map(r -> r.ca));
    }

    /** The spec's agent settings under agent.yml's keys. Secrets are not among them. */
    static Map<Setting, Object> settings(VspamAgentSpec spec) {
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        values.put(Setting.API_URL, spec.apiUrl == null ? Setting.API_URL.defaultValue() : spec.apiUrl);
        putIfSet(values, Setting.CACHE_TTL, spec.cacheTtl);
        putIfSet(values, Setting.DECISION_TIMEOUT, spec.decisionTimeout);
        values.put(Setting.CACHE_PATH, CACHE_PATH);
        if (spec.dnsbl != null) {
            putIfSet(values, Setting.DNSBL_ENABLED, spec.dnsbl.enabled);
            putIfSet(values, Setting.DNSBL_ZONE, spec.dnsbl.zone);
            if (spec.dnsbl.resolvers != null && !spec.dnsbl.resolvers.isEmpty()) {
                values.put(Setting.DNSBL_RESOLVERS, spec.dnsbl.resolvers);
            }
        }
        putIfSet(values, Setting.REJECT_MESSAGE, spec.rejectMessage);
        putIfSet(values, Setting.DEFER_MESSAGE, spec.deferMessage);
        putIfSet(values, Setting.DELIST_URL, spec.delistUrl);
        putIfSet(values, Setting.HEADER_NAME, spec.headerName);
        putIfSet(values, Setting.SKIP_AUTHENTICATED, spec.skipAuthenticated);
        if (spec.mode != null) {
            values.put(Setting.MODE, spec.mode.name().toLowerCase(Locale.ROOT));
        }
        if (spec.failureAction != null) {
            values.put(Setting.FAILURE_ACTION, spec.failureAction.name().toLowerCase(Locale.ROOT));
        }
        if (spec.actions != null) {
            Map<String, String> actions = actions(spec.actions);
            if (!actions.isEmpty()) {
                values.put(Setting.ACTIONS, actions);
            }
        }
        if (spec.allowClients != null && !spec.allowClients.isEmpty()) {
            values.put(Setting.ALLOW_CLIENTS, spec.allowClients);
        }
        if (spec.allowSenders != null && !spec.allowSenders.isEmpty()) {
            values.put(Setting.ALLOW_SENDERS, spec.allowSenders);
        }
        if (spec.allowRecipients != null) {
            values.put(Setting.ALLOW_RECIPIENTS, spec.allowRecipients); // [] turns the default off
        }
        if (spec.reporting != null) {
            putIfSet(values, Setting.REPORTING_ENABLED, spec.reporting.enabled);
            putIfSet(values, Setting.QUEUE_SIZE, spec.reporting.queueSize);
        }
        if (spec.milter != null) {
            putIfSet(values, Setting.MILTER_MAX_URLS, spec.milter.maxUrls);
            putIfSet(values, Setting.MILTER_MAX_BODY, spec.milter.maxBody);
        }
        if (spec.logLevel != null) {
            values.put(Setting.LOG_LEVEL, spec.logLevel.name().toLowerCase(Locale.ROOT));
        }
        if (spec.logFormat != null) {
            values.put(Setting.LOG_FORMAT, spec.logFormat.name().toLowerCase(Locale.ROOT));
        }
        if (spec.redis != null) {
            putIfSet(values, Setting.REDIS_KEY_PREFIX, spec.redis.keyPrefix);
        }
        return values;
    }

    /** {@code spec.actions} as agent.yml's {@code actions} mapping: family → action word. */
    private static Map<String, String> actions(ActionsSpec spec) {
        Map<String, String> actions = new LinkedHashMap<>();
        spec.byFamily().forEach((family, action) -> actions.put(family.key(), action.name().toLowerCase(Locale.ROOT)));
        return actions;
    }

    private static void putIfSet(Map<Setting, Object> values, Setting setting, Object value) {
        if (value != null) {
            values.put(setting, value);
        }
    }

    /** Environment variable → the Secret key it comes from: every Secret the resource depends on. */
    static Map<String, SecretKeyRef> secretRefs(VspamAgentSpec spec) {
        Map<String, SecretKeyRef> refs = new LinkedHashMap<>();
        if (spec.apiKeySecretRef != null) {
            refs.put(Setting.API_KEY.environmentVariable(), spec.apiKeySecretRef);
        }
        if (spec.redis != null && spec.redis.urlSecretRef != null) {
            refs.put(Setting.REDIS_URL.environmentVariable(), spec.redis.urlSecretRef);
        }
        return refs;
    }

    private static EnvVar fromSecret(String name, SecretKeyRef ref) {
        return new EnvVarBuilder().withName(name)
                .withNewValueFrom().withNewSecretKeyRef(ref.key, ref.name, false).endValueFrom()
                .build();
    }

    private record Resolved(Optional<String> value, Optional<Problem> problem) {
    }

    private static Resolved resolve(SecretKeyRef ref, String namespace, Function<String, Optional<Secret>> secrets) {
        Optional<Secret> secret = secrets.apply(ref.name);
        if (secret.isEmpty()) {
            return new Resolved(Optional.empty(), Optional.of(new Problem("SecretNotFound", "secret \"" + ref.name
                    + "\" not found in namespace \"" + namespace + "\"; create it, e.g. kubectl -n " + namespace
                    + " create secret generic " + ref.name + " --from-literal=" + ref.key + "=…")));
        }
        Map<String, String> data = secret.get().getData() == null ? Map.of() : secret.get().getData();
        String encoded = data.get(ref.key);
        if (encoded == null) {
            return new Resolved(Optional.empty(), Optional.of(new Problem("SecretKeyNotFound", "secret \"" + ref.name
                    + "\" has no key \"" + ref.key + "\"" + (data.isEmpty() ? "" : " (its keys: " + String.join(", ", new TreeSet<>(data.keySet())) + ")"))));
        }
        return new Resolved(Optional.of(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8)), Optional.empty());
    }

    /** Reads the configuration back as the agent will, in both of its shapes (shared Deployment and sidecar). */
    private static Optional<Problem> validate(String yaml, Map<String, String> secretValues, VspamAgent agent) {
        String origin = "VspamAgent " + agent.getMetadata().getNamespace() + "/" + agent.getMetadata().getName();
        for (boolean sidecar : List.of(false, true)) {
            Map<String, String> environment = AgentContainer.listenerEnv(MilterSpec.enabled(agent.getSpec()), sidecar, false);
            environment.putAll(secretValues);
            try {
                AgentConfigLoader.parse(yaml, origin, environment);
            } catch (ConfigException e) {
                return Optional.of(new Problem("InvalidConfig", e.getMessage()));
            }
        }
        return Optional.empty();
    }

    /** The digest the agents report for this agent.yml; empty when it does not parse (the plan then deploys nothing). */
    private static String liveHash(String yaml) {
        try {
            return AgentConfigLoader.parse(yaml, "agent.yml", Map.of()).liveHash();
        } catch (ConfigException e) {
            return "";
        }
    }

    private static String hash(String yaml, String image, Map<String, String> secretValues) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(yaml.getBytes(StandardCharsets.UTF_8));
            digest.update(("\n" + image).getBytes(StandardCharsets.UTF_8));
            new TreeMap<>(secretValues).forEach((name, value) ->
                    digest.update(("\n" + name + "=" + value).getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
