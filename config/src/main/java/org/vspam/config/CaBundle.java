package org.vspam.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificate authorities of a PEM file ({@code api_ca_file}, {@code redis_ca_file}): the only
 * ones trusted for that connection instead of the JVM's store, as {@code curl --cacert} does. Read
 * and checked once, when the configuration is loaded, so a wrong file stops start-up with one line.
 */
public record CaBundle(Path path, List<X509Certificate> certificates) {

    public CaBundle {
        certificates = List.copyOf(certificates);
    }

    static CaBundle read(String text) {
        Path path = Path.of(text.strip());
        byte[] pem;
        try {
            pem = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("does not exist");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("cannot be read: permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot be read: " + e.getMessage());
        }
        List<X509Certificate> certificates = List.of();
        try {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).stream()
                    .map(X509Certificate.class::cast).toList();
        } catch (CertificateException e) {
            // said below
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("holds no certificate (expected PEM, -----BEGIN CERTIFICATE-----)");
        }
        return new CaBundle(path, certificates);
    }

    /** Trust managers that accept exactly these authorities; host names are still verified by the client. */
    public TrustManagerFactory trustManagers() {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int index = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + index++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust store from " + path, e);
        }
    }

    @Override
    public String toString() {
        return path + " (" + certificates.size() + (certificates.size() == 1 ? " certificate)" : " certificates)");
    }
}
