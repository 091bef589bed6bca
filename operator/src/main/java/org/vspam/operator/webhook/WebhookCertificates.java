package org.vspam.operator.webhook;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micronaut.http.ssl.CertificateProvider;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.operator.OperatorSettings;
import reactor.core.publisher.Sinks;

/**
 * The webhook's serving certificate: from the operator's own CA, or mounted (cert-manager).
 *
 * <p>Its own CA lives in a Secret, so every
 * replica serves a certificate the same {@code caBundle} trusts; each replica signs its own serving
 * certificate in memory. Checked every minute: a CA with a fifth of its life left is replaced (the
 * bundle keeps the old one until it expires, so the API server trusts either meanwhile), a serving
 * certificate two thirds through its life is replaced, and the MutatingWebhookConfiguration's
 * {@code caBundle} is written when it differs. Until the CA is read, the listener serves a throwaway
 * certificate nobody trusts: the API server's calls fail, and {@code failurePolicy: Ignore} lets
 * pods start, which the reconciler then reports.
 *
 * <p>A mounted certificate ({@code tls.crt}, {@code tls.key}) is read every minute and served anew
 * when the files change; the Secret and the caBundle are then not touched.
 */
@Singleton
@Named(WebhookSettings.KEY_NAME)
public final class WebhookCertificates implements CertificateProvider {
    static final String CA_CERTIFICATES = "ca.crt";
    static final String CA_KEY = "ca.key";
    /** The files of a kubernetes.io/tls Secret, as cert-manager writes them. */
    static final String TLS_CERTIFICATE = "tls.crt";
    static final String TLS_KEY = "tls.key";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookCertificates.class);
    private static final String ALIAS = "webhook";

    private final KubernetesClient client;
    private final WebhookSettings settings;
    private final String namespace;
    private final Clock clock;
    private final Sinks.Many<KeyStore> keyStores = Sinks.many().replay().latest();
    private volatile CertificateAuthority.ServingCertificate serving;
    /** The CA serving certificates are signed with, as last read from the Secret. */
    private CertificateAuthority authority;
    private String problem;
    private String mountedText;

    @Inject
    public WebhookCertificates(KubernetesClient client, WebhookSettings settings, OperatorSettings operator) {
        this(client, settings, operator, Clock.systemUTC());
    }

    WebhookCertificates(KubernetesClient client, WebhookSettings settings, OperatorSettings operator, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.clock = clock;
        this.namespace = settings.namespace() != null && !settings.namespace().isBlank() ? settings.namespace()
                : operator.leaseNamespace() != null ? operator.leaseNamespace() : client.getNamespace();
        Instant now = clock.instant();
        serve(CertificateAuthority.create("vspam-operator throwaway", now, Duration.ofDays(1))
                .issue(settings.dnsNames(String.valueOf(namespace)), now, Duration.ofDays(1)));
    }

    @Override
    public String getName() {
        return WebhookSettings.KEY_NAME;
    }

    @Override
    public Publisher<KeyStore> getKeyStore() {
        return keyStores.asFlux();
    }

    /** The certificate new connections get. */
    X509Certificate serving() {
        return serving.leaf();
    }

    @EventListener
    void onStartup(ServerStartupEvent event) {
        keep();
    }

    @Scheduled(fixedDelay = "1m", initialDelay = "1m")
    void onSchedule() {
        keep();
    }

    /**
     * One round: with the operator's own CA, the CA Secret, the serving certificate and the caBundle;
     * with a mounted certificate, the files. A failure is logged once, retried next round, and its
     * end logged too.
     */
    synchronized void keep() {
        try {
            String source;
            if (settings.certificates() == WebhookSettings.Source.MOUNTED) {
                source = "files " + settings.certificateDir() + "/" + TLS_CERTIFICATE + " and " + TLS_KEY;
                mounted();
            } else if (settings.provisioned()) {
                source = "Secret " + namespace + "/" + settings.caSecret() + ", MutatingWebhookConfiguration " + settings.configuration();
                provisioned();
            } else {
                return; // outside a cluster: the throwaway certificate
            }
            if (problem != null) {
                LOG.info("the webhook's certificate is kept again ({})", source);
                problem = null;
            }
        } catch (KubernetesClientException | IllegalStateException | IllegalArgumentException | UncheckedIOException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            if (!message.equals(problem)) {
                LOG.warn("cannot keep the webhook's certificate: {}; the API server may not trust the webhook, so pods created meanwhile "
                        + "may start without the sidecar (they are reported in the VspamAgent's status)", message);
                problem = message;
            }
        }
    }

    private void provisioned() {
        Instant now = clock.instant();
        List<X509Certificate> bundle = authorities(now);
        if (bundle == null) {
            return; // another replica wrote the Secret first; its CA is read next round
        }
        if (!issuedBy(serving.chain(), bundle.getFirst()) || pastTwoThirds(serving.leaf(), now)) {
            serve(authority.issue(settings.dnsNames(namespace), now, settings.certificateValidity()));
            LOG.info("webhook serving certificate for {} issued; valid until {}", settings.dnsNames(namespace).getFirst(),
                    serving.leaf().getNotAfter().toInstant());
        }
        caBundle(CertificateAuthority.pem(bundle.toArray()));
    }

    /** A mounted Secret's files change in place (the kubelet swaps them): served again when they differ from what is served. */
    private void mounted() {
        Path directory = Path.of(settings.certificateDir());
        String text;
        String key;
        try {
            text = Files.readString(directory.resolve(TLS_CERTIFICATE));
            key = Files.readString(directory.resolve(TLS_KEY));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + e.getMessage(), e);
        }
        if ((text + key).equals(mountedText)) {
            return;
        }
        List<X509Certificate> chain = CertificateAuthority.certificates(text);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(directory.resolve(TLS_CERTIFICATE) + " holds no PEM certificate");
        }
        serve(new CertificateAuthority.ServingCertificate(chain, CertificateAuthority.privateKey(key)));
        mountedText = text + key;
        LOG.info("webhook serving certificate read from {}; valid until {}", directory, chain.getFirst().getNotAfter().toInstant());
    }

    /**
     * The CA certificates to trust, newest first, after making sure the Secret holds a CA that is
     * not near its end; {@code null} when another replica changed the Secret at the same time.
     */
    private List<X509Certificate> authorities(Instant now) {
        Secret secret = client.secrets().inNamespace(namespace).withName(settings.caSecret()).get();
        List<X509Certificate> bundle = List.of();
        CertificateAuthority current = null;
        if (secret != null) {
            try {
                bundle = CertificateAuthority.certificates(decode(secret, CA_CERTIFICATES)).stream()
                        .filter(certificate -> certificate.getNotAfter().toInstant().isAfter(now)).toList();
                if (!bundle.isEmpty()) {
                    current = new CertificateAuthority(bundle.getFirst(), CertificateAuthority.privateKey(decode(secret, CA_KEY)));
                    current.issue(List.of("check"), now, Duration.ofMinutes(1)).leaf().verify(bundle.getFirst().getPublicKey());
                }
            } catch (IllegalArgumentException | GeneralSecurityException e) {
                LOG.warn("Secret {}/{} does not hold a usable CA ({}); making a new one", namespace, settings.caSecret(), e.getMessage());
                current = null;
                bundle = List.of();
            }
        }
        if (current != null && !nearEnd(current.certificate(), now)) {
            authority = current;
            return bundle;
        }
        CertificateAuthority fresh = CertificateAuthority.create("vspam-operator webhook CA", now, settings.caValidity());
        List<X509Certificate> next = new ArrayList<>();
        next.add(fresh.certificate());
        next.addAll(bundle); // still valid: trusted until they expire, so serving certificates they signed keep working
        Map<String, String> data = Map.of(
                CA_CERTIFICATES, encode(CertificateAuthority.pem(next.toArray())),
                CA_KEY, encode(CertificateAuthority.pem(fresh.key())));
        try {
            if (secret == null) {
                client.resource(new SecretBuilder().withNewMetadata().withName(settings.caSecret()).withNamespace(namespace)
                        .addToLabels("app.kubernetes.io/managed-by", "vspam-operator").endMetadata()
                        .withType("Opaque").withData(data).build()).create();
            } else {
                secret.setData(data);
                client.resource(secret).update(); // carries the resourceVersion read: a concurrent change is a conflict
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return null;
            }
            throw e;
        }
        LOG.info("{} the webhook's CA in Secret {}/{}; valid until {}", current == null ? "made" : "renewed", namespace, settings.caSecret(),
                fresh.certificate().getNotAfter().toInstant());
        authority = fresh;
        return List.copyOf(next);
    }

    private void caBundle(String pem) {
        String wanted = Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
        MutatingWebhookConfiguration configuration = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(settings.configuration()).get();
        if (configuration == null) {
            throw new IllegalStateException("MutatingWebhookConfiguration " + settings.configuration() + " does not exist");
        }
        List<MutatingWebhook> ours = ours(configuration).toList();
        if (ours.isEmpty()) {
            throw new IllegalStateException("MutatingWebhookConfiguration " + settings.configuration() + " has no webhook calling Service "
                    + namespace + "/" + settings.service() + " (vspam.operator.webhook.service)");
        }
        if (ours.stream().allMatch(webhook -> wanted.equals(webhook.getClientConfig().getCaBundle()))) {
            return;
        }
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(settings.configuration()).edit(current -> {
            ours(current).forEach(webhook -> webhook.getClientConfig().setCaBundle(wanted));
            return current;
        });
        LOG.info("caBundle of MutatingWebhookConfiguration {} written", settings.configuration());
    }

    /** The configuration's webhooks that call this Service. */
    private Stream<MutatingWebhook> ours(MutatingWebhookConfiguration configuration) {
        return configuration.getWebhooks().stream().filter(webhook -> webhook.getClientConfig() != null
                && webhook.getClientConfig().getService() != null
                && settings.service().equals(webhook.getClientConfig().getService().getName())
                && namespace.equals(webhook.getClientConfig().getService().getNamespace()));
    }

    private void serve(CertificateAuthority.ServingCertificate certificate) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, certificate.key(), new char[0], certificate.chain().toArray(X509Certificate[]::new));
            serving = certificate;
            keyStores.tryEmitNext(store);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot hold the webhook's certificate: " + e.getMessage(), e);
        }
    }

    private boolean nearEnd(X509Certificate certificate, Instant now) {
        Duration life = Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
        return now.isAfter(certificate.getNotAfter().toInstant().minus(life.dividedBy(5)));
    }

    private static boolean pastTwoThirds(X509Certificate certificate, Instant now) {
        Duration life = Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
        return now.isAfter(certificate.getNotBefore().toInstant().plus(life.multipliedBy(2).dividedBy(3)));
    }

    private static boolean issuedBy(List<X509Certificate> chain, X509Certificate authority) {
        return chain.size() > 1 && Objects.equals(chain.get(1), authority);
    }

    private static String decode(Secret secret, String key) {
        String value = secret.getData() == null ? null : secret.getData().get(key);
        if (value == null) {
            throw new IllegalArgumentException("no key " + key);
        }
        return new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
    }

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
