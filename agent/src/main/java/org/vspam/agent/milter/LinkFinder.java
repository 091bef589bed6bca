package org.vspam.agent.milter;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Element;
import org.jsoup.parser.Parser;
import org.jsoup.parser.StreamParser;
import org.jsoup.select.Evaluator;
import org.jsoup.select.QueryParser;
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
    private static final Evaluator LINKING = QueryParser.parse("a[href], area[href], link[href], base[href], img[src], iframe[src], "
            + "frame[src], embed[src], script[src], source[src], form[action], button[formaction], input[formaction]");
    private static final List<String> LINK_ATTRIBUTES = List.of("href", "src", "action", "formaction");

    private LinkFinder() {
    }

    /** The most plain text scanned at a time; what follows the window's last space is carried into the next. */
    private static final int WINDOW = 16 * 1024;

    /** Plain text as it streams: a window at a time, cut after a space so that no link is split. */
    static void inText(Reader text, Consumer<String> url) throws IOException {
        char[] buffer = new char[WINDOW];
        StringBuilder window = new StringBuilder(2 * WINDOW);
        int read;
        while ((read = text.read(buffer)) >= 0) {
            window.append(buffer, 0, read);
            if (window.length() < WINDOW) {
                continue;
            }
            int cut = lastSpace(window);
            int end = cut < 0 || cut < window.length() - WINDOW ? window.length() : cut + 1; // a "word" longer than a window is cut
            inText(window.subSequence(0, end), url);
            window.delete(0, end);
        }
        inText(window, url);
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

    /**
     * HTML as it streams (jsoup's stream parser): each element is looked at once it is complete and then
     * dropped, so only the elements still open are held, whatever the size of the part.
     */
    static void inHtml(Reader html, Consumer<String> url) throws IOException {
        try (StreamParser parser = new StreamParser(Parser.htmlParser()).parse(html, "")) {
            Iterator<Element> elements = parser.iterator();
            while (elements.hasNext()) {
                Element element = elements.next();
                if (element.is(LINKING)) {
                    for (String attribute : LINK_ATTRIBUTES) {
                        if (element.hasAttr(attribute)) {
                            // <base href> sets the document's base as it is parsed, which abs: resolves against
                            String absolute = element.attr("abs:" + attribute);
                            url.accept(absolute.isEmpty() ? element.attr(attribute).strip() : absolute);
                        }
                    }
                }
                element.remove();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static int lastSpace(CharSequence text) {
        for (int i = text.length() - 1; i >= 0; i--) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
