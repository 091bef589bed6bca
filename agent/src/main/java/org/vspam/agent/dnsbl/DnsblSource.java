package org.vspam.agent.dnsbl;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Failures;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.LookupSource;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.verdict.ThreatDetails;
import org.vspam.agent.verdict.Verdict;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Asks the DNSBL: NXDOMAIN or no A record is clean, {@code 127.x} is listed, {@code 127.255.255.x}
 * is the list's own error code (a failure of this resolver, never a listing), SERVFAIL, REFUSED and timeouts are errors.
 */
public final class DnsblSource implements LookupSource {
    private final String zone;
    private final DnsblResolvers resolvers;

    public DnsblSource(String zone, DnsblResolvers resolvers) {
        this.zone = zone;
        this.resolvers = resolvers;
    }

    @Override
    public Source source() {
        return Source.DNSBL;
    }

    @Override
    public CompletableFuture<Lookup> lookup(Indicator indicator) {
        Name name;
        try {
            name = DnsblName.of(indicator, zone);
        } catch (TextParseException e) {
            return CompletableFuture.completedFuture(skipped(Lookup.Reason.ERROR, "no DNS name for " + indicator));
        }
        Resolver resolver = resolvers.current().orElse(null);
        if (resolver == null) {
            return CompletableFuture.completedFuture(skipped(Lookup.Reason.ERROR, resolvers.problem()));
        }
        Message query = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
        return resolver.sendAsync(query).toCompletableFuture()
                .handle((answer, failure) -> failure == null ? interpret(name, answer) : failed(failure));
    }

    private Lookup interpret(Name name, Message answer) {
        int rcode = answer.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            return new Lookup.Answered(Source.DNSBL, Verdict.CLEAN);
        }
        if (rcode != Rcode.NOERROR) {
            return skipped(Lookup.Reason.ERROR, Rcode.string(rcode) + " for " + name);
        }
        Lookup result = new Lookup.Answered(Source.DNSBL, Verdict.CLEAN);
        for (Record record : answer.getSection(Section.ANSWER)) {
            if (record instanceof ARecord a) {
                switch (DnsblCode.of((Inet4Address) a.getAddress())) {
                    case DnsblCode.Listed listed -> {
                        return new Lookup.Answered(Source.DNSBL, new Verdict.Listed(listed.category(), ThreatDetails.ofCategory(listed.category())));
                    }
                    case DnsblCode.ListError error -> result = skipped(Lookup.Reason.ERROR, "the list refuses queries from "
                            + resolvers.description() + " (it answered " + error.address() + "); set dnsbl_resolvers to a resolver of your own");
                    case DnsblCode.Foreign foreign -> result = skipped(Lookup.Reason.ERROR, "answer " + foreign.address() + " is not a DNSBL code");
                }
            }
        }
        return result;
    }

    /** dnsjava reports a resolver that never answered as an IOException saying "Timed out". */
    private Lookup failed(Throwable failure) {
        Throwable cause = Failures.cause(failure);
        boolean timedOut = cause instanceof TimeoutException || cause instanceof SocketTimeoutException
                || cause instanceof IOException && String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).contains("timed out");
        if (timedOut) {
            return skipped(Lookup.Reason.TIMEOUT, "no answer from " + resolvers.description());
        }
        String why = cause instanceof PortUnreachableException ? "nothing answers DNS at" : Failures.rootMessage(failure) + " from";
        return skipped(Lookup.Reason.ERROR, why + " " + resolvers.description());
    }

    private static Lookup skipped(Lookup.Reason reason, String detail) {
        return new Lookup.Skipped(Source.DNSBL, reason, detail);
    }
}
