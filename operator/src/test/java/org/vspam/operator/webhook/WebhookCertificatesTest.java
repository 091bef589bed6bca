package org.vspam.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vspam.operator.OperatorSettings;
import org.vspam.operator.testing.Fixtures;

/**
 * The webhook's certificates against Fabric8's mock API server, with a clock the test moves: the CA
 * kept in a Secret, the caBundle written into the MutatingWebhookConfiguration, both renewed before
 * they expire, and every replica serving a certificate the same bundle trusts.
 */
@EnableKubernetesMockClient(crud = true)
class WebhookCertificatesTest {
    static final String NAMESPACE = "vspam-system";
    static final WebhookSettings SETTINGS = new WebhookSettings("vspam-operator", "vspam-operator", null, "vspam-operator-webhook-ca",
            WebhookSettings.Source.OPERATOR, "/nonexistent", Duration.ofDays(1825), Duration.ofDays(30));
    private static final OperatorSettings OPERATOR = new OperatorSettings(List.of(), Fixtures.IMAGE, true, NAMESPACE, Duration.ofMinutes(2), 10);
    private static final Instant START = Instant.parse("2026-12-01T12:00:00Z");

    static KubernetesClient client;
    private final AtomicReference<Instant> now = new AtomicReference<>(START);
    private final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    };

    @BeforeEach
    void cluster() {
        client.secrets().inNamespace(NAMESPACE).delete();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().delete();
        client.resource(configuration()).create();
    }

    @Test
    void theCaIsMadeOnceKeptInASecretAndWrittenIntoTheCaBundle() throws Exception {
        WebhookCertificates certificates = new WebhookCertificates(client, SETTINGS, OPERATOR, clock);
        X509Certificate throwaway = certificates.serving();
        certificates.keep();

        List<X509Certificate> bundle = caBundle();
        assertThat(bundle).hasSize(1);
        assertThat(secret().getData()).containsKeys(WebhookCertificates.CA_CERTIFICATES, WebhookCertificates.CA_KEY);
        X509Certificate serving = certificates.serving();
        assertThat(serving).isNotEqualTo(throwaway);
        serving.verify(bundle.getFirst().getPublicKey());
        assertThat(serving.getSubjectAlternativeNames().stream().map(name -> (Object) name.get(1)).toList())
                .contains("vspam-operator.vspam-system.svc", "vspam-operator.vspam-system.svc.cluster.local");
        assertThat(serving.getNotAfter().toInstant()).isEqualTo(START.plus(Duration.ofDays(30)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));

        // Nothing due: a round later reads, and writes nothing.
        String version = secret().getMetadata().getResourceVersion();
        String configurationVersion = configurationNow().getMetadata().getResourceVersion();
        now.set(START.plus(Duration.ofDays(1)));
        certificates.keep();
        assertThat(secret().getMetadata().getResourceVersion()).isEqualTo(version);
        assertThat(configurationNow().getMetadata().getResourceVersion()).isEqualTo(configurationVersion);
        assertThat(certificates.serving()).isEqualTo(serving);

        // A second replica uses the same CA: whichever pod the Service picks, the API server trusts it.
        WebhookCertificates other = new WebhookCertificates(client, SETTINGS, OPERATOR, clock);
        other.keep();
        other.serving().verify(bundle.getFirst().getPublicKey());
        assertThat(caBundle()).isEqualTo(bundle);
    }

    @Test
    void servingCertificatesAndTheCaAreRenewedBeforeTheyExpire() throws Exception {
        WebhookCertificates certificates = new WebhookCertificates(client, SETTINGS, OPERATOR, clock);
        certificates.keep();
        X509Certificate firstCa = caBundle().getFirst();
        X509Certificate first = certificates.serving();

        now.set(START.plus(Duration.ofDays(21))); // two thirds of 30 days gone
        certificates.keep();
        X509Certificate second = certificates.serving();
        assertThat(second).isNotEqualTo(first);
        second.verify(firstCa.getPublicKey());

        now.set(START.plus(Duration.ofDays(1825 - 300))); // less than a fifth of the CA's five years left
        certificates.keep();
        List<X509Certificate> rotated = caBundle();
        assertThat(rotated).as("the new CA, and the old one until it expires").hasSize(2);
        assertThat(rotated.get(1)).isEqualTo(firstCa);
        X509Certificate newCa = rotated.getFirst();
        assertThat(newCa).isNotEqualTo(firstCa);
        certificates.serving().verify(newCa.getPublicKey());

        now.set(START.plus(Duration.ofDays(1826))); // the old CA has expired: it leaves the bundle at the next renewal
        certificates.keep();
        assertThat(caBundle().getFirst()).isEqualTo(newCa);
        assertThat(caBundle()).doesNotContain(firstCa);
    }

    @Test
    void aSecretThatHoldsNoUsableCaIsReplaced() throws Exception {
        client.resource(Fixtures.secret(NAMESPACE, SETTINGS.caSecret(), WebhookCertificates.CA_CERTIFICATES, "not a certificate")).create();
        WebhookCertificates certificates = new WebhookCertificates(client, SETTINGS, OPERATOR, clock);
        certificates.keep();

        certificates.serving().verify(caBundle().getFirst().getPublicKey());
    }

    @Test
    void withoutItsWebhookConfigurationItKeepsTheCaAndTriesAgain() throws Exception {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().delete();
        WebhookCertificates certificates = new WebhookCertificates(client, SETTINGS, OPERATOR, clock);
        certificates.keep();
        assertThat(secret()).isNotNull();

        client.resource(configuration()).create();
        certificates.keep();
        certificates.serving().verify(caBundle().getFirst().getPublicKey());
    }

    @Test
    void aMountedCertificateIsServedAndServedAnewWhenItsFilesChange(@TempDir Path mount) throws Exception {
        WebhookSettings settings = new WebhookSettings("vspam-operator", "vspam-operator", null, SETTINGS.caSecret(),
                WebhookSettings.Source.MOUNTED, mount.toString(), SETTINGS.caValidity(), SETTINGS.certificateValidity());
        CertificateAuthority issuer = CertificateAuthority.create("cert-manager CA", START, Duration.ofDays(90));
        var first = issuer.issue(List.of("vspam-operator.vspam-system.svc"), START, Duration.ofDays(90));
        Files.writeString(mount.resolve("tls.crt"), CertificateAuthority.pem(first.chain().toArray()));
        Files.writeString(mount.resolve("tls.key"), CertificateAuthority.pem(first.key()));
        WebhookCertificates certificates = new WebhookCertificates(client, settings, OPERATOR, clock);

        certificates.keep();
        assertThat(certificates.serving()).isEqualTo(first.leaf());
        certificates.keep();
        assertThat(certificates.serving()).isEqualTo(first.leaf());

        var renewed = issuer.issue(List.of("vspam-operator.vspam-system.svc"), START, Duration.ofDays(90));
        Files.writeString(mount.resolve("tls.crt"), CertificateAuthority.pem(renewed.chain().toArray()));
        Files.writeString(mount.resolve("tls.key"), CertificateAuthority.pem(renewed.key()));
        certificates.keep();
        assertThat(certificates.serving()).isEqualTo(renewed.leaf());

        // A half-written or broken file keeps what is served.
        Files.writeString(mount.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\n");
        certificates.keep();
        assertThat(certificates.serving()).isEqualTo(renewed.leaf());
        assertThat(secret()).as("the operator's own CA is not made").isNull();
        assertThat(configurationNow().getWebhooks().getFirst().getClientConfig().getCaBundle()).as("left to cert-manager").isNull();
    }

    static MutatingWebhookConfiguration configuration() {
        return new MutatingWebhookConfigurationBuilder().withNewMetadata().withName("vspam-operator").endMetadata()
                .addNewWebhook().withName("pods.vspam.org")
                .withNewClientConfig().withNewService().withName("vspam-operator").withNamespace(NAMESPACE).withPath("/mutate-pods")
                .withPort(443).endService().endClientConfig()
                .withAdmissionReviewVersions("v1").withSideEffects("None").withFailurePolicy("Ignore").withTimeoutSeconds(5)
                .addNewRule().withApiGroups("").withApiVersions("v1").withResources("pods").withOperations("CREATE").endRule()
                .endWebhook()
                // Someone else's webhook in the same configuration is not touched.
                .addNewWebhook().withName("other.example.org")
                .withNewClientConfig().withUrl("https://hooks.example.org/").withCaBundle("b3RoZXI=").endClientConfig()
                .withAdmissionReviewVersions("v1").withSideEffects("None")
                .endWebhook()
                .build();
    }

    private static MutatingWebhookConfiguration configurationNow() {
        return configurationNow(client);
    }

    private static MutatingWebhookConfiguration configurationNow(KubernetesClient client) {
        return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("vspam-operator").get();
    }

    static List<X509Certificate> caBundle() {
        return caBundle(client);
    }

    static List<X509Certificate> caBundle(KubernetesClient client) {
        MutatingWebhookConfiguration configuration = configurationNow(client);
        assertThat(configuration.getWebhooks().get(1).getClientConfig().getCaBundle()).isEqualTo("b3RoZXI=");
        String bundle = configuration.getWebhooks().getFirst().getClientConfig().getCaBundle();
        assertThat(bundle).as("caBundle").isNotNull();
        return CertificateAuthority.certificates(new String(Base64.getDecoder().decode(bundle), StandardCharsets.UTF_8));
    }

    private static Secret secret() {
        return client.secrets().inNamespace(NAMESPACE).withName(SETTINGS.caSecret()).get();
    }
}
