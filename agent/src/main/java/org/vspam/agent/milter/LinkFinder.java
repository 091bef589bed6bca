package org.vspam.agent.milter;

import java.util.EnumSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.nibor.autolink.LinkExtractor;
import org.nibor.autolink.LinkSpan;
import org.nibor.autolink.LinkType;

/**
 * The links a reader of the message could follow, as URL text: in plain text, what a mail reader
 * would turn into a link ({@code http://}, {@code https://}, {@code www.}) and bare host names under a
 * known top-level domain; in HTML, what the markup links to ({@code href}, {@code src}, a form's
 * {@code action}), resolved against {@code <base>}. The text a link shows is not taken: a link that
 * shows one host and goes to another counts where it goes.
 */
final class LinkFinder {
    private static final LinkExtractor LINKS = LinkExtractor.builder().linkTypes(EnumSet.of(LinkType.URL, LinkType.WWW)).build();
    /** A dotted name standing alone: not part of a URL, an address ({@code @}) or a longer word. */
    private static final Pattern BARE_HOST = Pattern.compile(
            "(?<![\\p{L}\\p{N}@/._-])((?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?\\.)+\\p{L}[\\p{L}\\p{N}-]{1,62})(?![\\p{L}\\p{N}@_-]|\\.[\\p{L}\\p{N}])");
    /** The attributes that take the reader, or the reader's mail client, somewhere. */
    private static final String LINKING = "a[href], area[href], link[href], base[href], img[src], iframe[src], frame[src], "
            + "embed[src], script[src], source[src], form[action], button[formaction], input[formaction]";

    private LinkFinder() {
    }

    static void inText(CharSequence text, Consumer<String> url) {
        for (LinkSpan link : LINKS.extractLinks(text)) {
            String found = text.subSequence(link.getBeginIndex(), link.getEndIndex()).toString();
            url.accept(link.getType() == LinkType.WWW ? "http://" + found : found);
        }
        Matcher bare = BARE_HOST.matcher(text);
        while (bare.find()) {
            if (PublicSuffixes.knownTopLevel(bare.group(1))) {
                url.accept(bare.group(1));
            }
        }
    }

    static void inHtml(String html, Consumer<String> url) {
        Document document = Jsoup.parse(html); // <base href> sets the document's base, which abs: resolves against
        for (Element element : document.select(LINKING)) {
            for (String attribute : new String[] {"href", "src", "action", "formaction"}) {
                if (element.hasAttr(attribute)) {
                    String absolute = element.attr("abs:" + attribute);
                    url.accept(absolute.isEmpty() ? element.attr(attribute).strip() : absolute);
                }
            }
        }
    }
}
