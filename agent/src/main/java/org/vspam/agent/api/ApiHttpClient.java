package org.vspam.agent.api;

import java.io.IOException;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import org.vspam.config.ApiProxy;
import org.vspam.config.CaBundle;

/**
 * The one HTTP client for vspam.org, lookups and reports alike: the JVM's trust store or only the
 * authorities of {@code api_ca_file} (host names are verified either way), and {@code api_proxy}
 * as a CONNECT tunnel for HTTPS, with Basic credentials given only to that proxy when it asks.
 */
public final class ApiHttpClient {
    /** The JDK refuses Basic credentials for CONNECT tunnels unless this net property says otherwise. */
    private static final String TUNNEL_SCHEMES_DISABLED = "jdk.http.auth.tunneling.disabledSchemes";

    private ApiHttpClient() {
    }

    /**
     * Lets a proxy given with {@code user:password@} authenticate the API's tunnel, as curl does. The
     * JDK reads the property once, when its HTTP client is first used, so the command's entry point
     * calls this before anything else runs.
     */
    public static void allowBasicProxyAuthentication() {
        if (System.getProperty(TUNNEL_SCHEMES_DISABLED) == null) {
            System.setProperty(TUNNEL_SCHEMES_DISABLED, "");
        }
    }

    /**
     * Starts building the client on a thread of its own: the JDK's client sets up TLS (the trust
     * store's hundred-odd certificates) as it is built, which would otherwise hold up the agent's
     * start by a tenth of a second or more. {@link Launched#client()} waits for it.
     */
    public static Launched launch(Optional<CaBundle> ca, Optional<ApiProxy> proxy, Duration connectTimeout) {
        return new Launched(CompletableFuture.supplyAsync(() -> build(ca, proxy, connectTimeout),
                task -> Thread.ofPlatform().daemon().name("vspam-api-client-setup").start(task)));
    }

    /** A client being built; the application context takes it from here. */
    public record Launched(CompletableFuture<HttpClient> building) {
        public HttpClient client() {
            try {
                return building.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
            }
        }
    }

    public static HttpClient build(Optional<CaBundle> ca, Optional<ApiProxy> proxy, Duration connectTimeout) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                // Answers are handled on virtual threads: the default pool keeps a platform thread (and
                // its stack) per lookup that was ever in flight at once, for a minute after.
                .executor(Executors.newVirtualThreadPerTaskExecutor());
        ca.ifPresent(bundle -> builder.sslContext(sslContext(bundle)));
        proxy.ifPresent(through -> {
            builder.proxy(new Selector(through));
            through.credentials().ifPresent(credentials -> builder.authenticator(new ProxyCredentials(credentials)));
        });
        return builder.build();
    }

    private static SSLContext sslContext(CaBundle bundle) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, bundle.trustManagers().getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot use the authorities of " + bundle.path(), e);
        }
    }

    /** The proxy for every API host but those {@code no_proxy} names. The proxy's name is resolved per connection. */
    private static final class Selector extends ProxySelector {
        private final ApiProxy through;
        private final List<Proxy> proxied;

        Selector(ApiProxy through) {
            this.through = through;
            this.proxied = List.of(new Proxy(Proxy.Type.HTTP,
                    InetSocketAddress.createUnresolved(through.address().host(), through.address().port())));
        }

        @Override
        public List<Proxy> select(URI uri) {
            return uri.getHost() != null && through.bypasses(uri.getHost()) ? List.of(Proxy.NO_PROXY) : proxied;
        }

        @Override
        public void connectFailed(URI uri, SocketAddress address, IOException failure) {
            // the lookup fails and says why; there is no other proxy to fall back to
        }
    }

    /**
     * Answers the proxy's 407 and no server's 401: the API authenticates with X-API-Key. (For a
     * CONNECT the JDK names the tunnel's target as the requesting host, so only the type is checked.)
     */
    private static final class ProxyCredentials extends Authenticator {
        private final PasswordAuthentication credentials;

        ProxyCredentials(ApiProxy.Credentials credentials) {
            this.credentials = new PasswordAuthentication(credentials.user(), credentials.password().toCharArray());
        }

        @Override
        protected PasswordAuthentication getPasswordAuthentication() {
            return getRequestorType() == RequestorType.PROXY ? credentials : null;
        }
    }
}
