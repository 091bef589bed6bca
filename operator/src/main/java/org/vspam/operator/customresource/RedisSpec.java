package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import org.vspam.config.Rules;
import io.fabric8.generator.annotation.ValidationRule;

/** {@code spec.redis}: the shared verdict cache (redis_url, redis_key_prefix, redis_ca_file). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.url) != has(self.urlSecretRef)", message = "set exactly one of url and urlSecretRef")
public class RedisSpec {
    @JsonPropertyDescription("Redis URL without credentials: redis://host[:port][/db], rediss://… (TLS) or "
            + "redis-sentinel://host:26379[,host2:26379]/db#master, or redis-cluster://host:6379[,host2:6379] (rediss-cluster://… "
            + "for TLS) for a Redis Cluster. A URL with a password belongs in a Secret: use urlSecretRef.")
    @Pattern("^(redis|rediss|redis-sentinel|redis-cluster|rediss-cluster)://[^@\\s]+$")
    public String url;

    @JsonPropertyDescription("The Secret key holding the Redis URL, password included")
    public SecretKeyRef urlSecretRef;

    @JsonPropertyDescription("First part of every Redis key the agents write (redis_key_prefix)")
    @Pattern(Rules.KEY_PREFIX)
    @Default("vspam")
    public String keyPrefix = "vspam";

    @JsonPropertyDescription("The authorities trusted for a rediss:// server's certificate (redis_ca_file), from a Secret or "
            + "ConfigMap key; unset = the image's default trust store")
    public CaRef ca;
}
