package org.vspam.agent.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.cache.NewLookups;
import org.vspam.agent.observe.Pace;
import org.vspam.config.Setting;

/**
 * Each {@code /check} client's budget of lookups the cache cannot answer, {@code http_new_lookups_per_second}: a
 * token bucket per client address holding {@value #BURST_SECONDS} seconds' worth, so that a client may check a
 * message with many links at once, but not feed the agent a stream of new names that spends the API quota of every
 * mail server the agent serves. Over it the answer is what the caches and the DNSBL know, counted in
 * {@code vspam_check_lookups_limited_total} and told once a minute. The agent's own mail servers (Postfix, the
 * milter) are never bounded.
 */
final class NewLookupBudgets {
    private static final Logger LOG = LoggerFactory.getLogger(NewLookupBudgets.class);
    static final int BURST_SECONDS = 10;
    /** Buckets of clients quiet this long are dropped: a full bucket is what a new one is anyway. */
    private static final Duration FORGOTTEN_AFTER = Duration.ofSeconds(BURST_SECONDS);
    private static final long MOST_CLIENTS = 10_000;

    private final int perSecond;
    private final LongSupplier nanoClock;
    private final Cache<InetAddress, Bucket> buckets;
    private final Counter limited;
    private final Pace told = new Pace(Duration.ofMinutes(1));

    NewLookupBudgets(int perSecond, MeterRegistry registry, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.nanoClock = nanoClock;
        this.buckets = Caffeine.newBuilder().expireAfterAccess(FORGOTTEN_AFTER).maximumSize(MOST_CLIENTS).executor(Runnable::run).build();
        this.limited = Counter.builder("vspam.check.lookups.limited")
                .description("lookups of /check requests over their client's http_new_lookups_per_second: the API was not asked")
                .register(registry);
    }

    /** The budget of the client at {@code remote}; unbounded when the setting is 0. */
    NewLookups of(SocketAddress remote) {
        if (perSecond == 0) {
            return NewLookups.UNBOUNDED;
        }
        InetAddress client = remote instanceof InetSocketAddress address ? address.getAddress() : InetAddress.getLoopbackAddress();
        return buckets.get(client, Bucket::new);
    }

    private final class Bucket implements NewLookups {
        private final InetAddress client;
        private final double capacity = (double) perSecond * BURST_SECONDS;
        private double tokens = capacity;
        private long filledAt = nanoClock.getAsLong();

        Bucket(InetAddress client) {
            this.client = client;
        }

        @Override
        public boolean take() {
            synchronized (this) {
                long now = nanoClock.getAsLong();
                tokens = Math.min(capacity, tokens + (now - filledAt) / 1e9 * perSecond);
                filledAt = now;
                if (tokens >= 1) {
                    tokens--;
                    return true;
                }
            }
            limited.increment();
            if (told.due()) {
                LOG.warn("/check client {} asks more than {} {} names the cache does not know: the API is not asked for the rest, "
                        + "they are answered from the caches and the DNSBL (said at most once a minute)", client.getHostAddress(),
                        Setting.HTTP_NEW_LOOKUPS_PER_SECOND.key(), perSecond);
            }
            return false;
        }
    }
}
