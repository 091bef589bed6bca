package org.vspam.operator.webhook;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;
import java.util.List;

/**
 * The admission webhook's settings, {@code vspam.operator.webhook.*} ({@code VSPAM_OPERATOR_WEBHOOK_*}
 * from the chart).
 *
 * @param configuration       the MutatingWebhookConfiguration whose {@code caBundle} the operator keeps;
 *                            empty (outside a cluster) = no certificate is provisioned, the listener
 *                            serves a throwaway one
 * @param service             the Service in front of the webhook: the serving certificate's names
 * @param namespace           where that Service and the CA Secret are; the lease namespace when empty
 * @param caSecret            the Secret holding the operator's CA certificate(s) and key
 * @param certificates        {@code operator}: from the operator's own CA, which it keeps in caSecret and
 *                            caBundle; {@code mounted}: {@code tls.crt} and {@code tls.key} in certificateDir
 *                            (a cert-manager Certificate's Secret), re-read when they change, caBundle left
 *                            to whoever made them (cert-manager's CA injector)
 * @param certificateDir      where a mounted certificate is
 * @param caValidity          how long a CA certificate is valid; a new one is made when a fifth of it is left
 * @param certificateValidity how long a serving certificate is valid; a new one is made after two thirds of it
 */
@ConfigurationProperties("vspam.operator.webhook")
public record WebhookSettings(
        @Nullable String configuration,
        @Bindable(defaultValue = "vspam-operator") String service,
        @Nullable String namespace,
        @Bindable(defaultValue = "vspam-operator-webhook-ca") String caSecret,
        @Bindable(defaultValue = "operator") Source certificates,
        @Bindable(defaultValue = "/etc/vspam-operator/webhook") String certificateDir,
        @Bindable(defaultValue = "1825d") Duration caValidity,
        @Bindable(defaultValue = "30d") Duration certificateValidity) {

    /** Where the serving certificate comes from. */
    public enum Source {
        OPERATOR, MOUNTED
    }

    /** The name the listener's {@code key-name} refers to. */
    public static final String KEY_NAME = "webhook";

    /** The names the API server may call the Service by. */
    List<String> dnsNames(String namespace) {
        return List.of(service + "." + namespace + ".svc", service + "." + namespace + ".svc.cluster.local", service + "." + namespace, service);
    }

    boolean provisioned() {
        return configuration != null && !configuration.isBlank();
    }
}
