package org.vspam.agent.milter;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.TextNode;
import org.jsoup.parser.Parser;
import org.jsoup.parser.StreamParser;
import org.nibor.autolink.LinkExtractor;
import org.nibor.autolink.LinkSpan;
import org.nibor.autolink.LinkType;

/**
 * The links a reader of the message could follow, as URL text: in plain text, what a mail reader
 * would turn into a link ({@code http://}, {@code https://}, {@code www.}) and bare host names under a
 * known top-level domain; in HTML, what the markup links to ({@code href}, {@code src}, a form's
 * {@code action}, ...) and the links in its body's text. The text an anchor shows is not taken: a link that
 * shows one host and goes to another counts where it goes. What a link's host is, is
 * {@link org.vspam.agent.indicator.LinkHosts}' to say.
 */
final class LinkFinder {
    private static final LinkExtractor LINKS = LinkExtractor.builder().linkTypes(EnumSet.of(LinkType.URL, LinkType.WWW)).build();
    /** A dotted name standing alone: not part of a URL, an address ({@code @}) or a longer word. */
    private static final Pattern BARE_HOST = Pattern.compile(
            "(?<![\\p{L}\\p{N}@/._-])((?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?\\.)+\\p{L}[\\p{L}\\p{N}-]{1,62})(?![\\p{L}\\p{N}@_-]|\\.[\\p{L}\\p{N}])");
    /**
     * The attribute of each element that takes the reader, or the reader's mail client, somewhere. A map
     * looked up by the element's name: a jsoup selector of the same, asked of every element, cost more
     * than the rest of the HTML scan.
     */
    private static final Map<String, String> LINKING = Map.ofEntries(Map.entry("a", "href"), Map.entry("area", "href"),
            Map.entry("link", "href"), Map.entry("base", "href"), Map.entry("img", "src"), Map.entry("iframe", "src"),
            Map.entry("frame", "src"), Map.entry("embed", "src"), Map.entry("script", "src"), Map.entry("source", "src"),
            Map.entry("form", "action"), Map.entry("button", "formaction"), Map.entry("input", "formaction"),
            Map.entry("body", "background"), Map.entry("table", "background"), Map.entry("td", "background"), Map.entry("th", "background"));
    /** A refresh's target: {@code 5; url=https://...}, the {@code url=} and quotes optional (the HTML Standard's parsing). */
    private static final Pattern REFRESH = Pattern.compile("^\\s*[0-9.]*\\s*[;,]\\s*(?:url\\s*=\\s*)?['\"]?([^'\"]+)", Pattern.CASE_INSENSITIVE);
    /** CSS's {@code url(...)}, quoted or not. */
    private static final Pattern STYLE_URL = Pattern.compile("url\\(\\s*(['\"]?)(.*?)\\1\\s*\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern ABSOLUTE = Pattern.compile("^\\s*(?:[A-Za-z][A-Za-z0-9+.-]*:|[/\\\\]{2})");

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
        if (indexOf(text, '.', 0) < 0 && indexOf(text, ':', 0) < 0) {
            return; // every link found in text has a scheme's colon or a dot: most of a message's words have neither
        }
        for (LinkSpan link : LINKS.extractLinks(text)) {
            String found = text.subSequence(link.getBeginIndex(), link.getEndIndex()).toString();
            url.accept(link.getType() == LinkType.WWW ? "http://" + found : found);
        }
        bareHosts(text, url);
    }

    /**
     * Bare host names, the pattern tried only on runs of name characters around a dot (with the text
     * around them in view for its look-behind and look-ahead): prose is mostly words without one, and
     * trying the pattern at every position of a 50 KB part cost more than the rest of the scan.
     */
    private static void bareHosts(CharSequence text, Consumer<String> url) {
        Matcher bare = BARE_HOST.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
        int length = text.length();
        int end = 0;
        for (int dot = indexOf(text, '.', 0); dot >= 0; dot = indexOf(text, '.', Math.max(dot + 1, end))) {
            if (dot == 0 || dot + 1 >= length || !inName(text.charAt(dot - 1)) || !inName(text.charAt(dot + 1))) {
                continue;
            }
            int start = dot;
            while (start > 0 && inName(text.charAt(start - 1))) {
                start--;
            }
            end = dot;
            while (end < length && inName(text.charAt(end))) {
                end++;
            }
            bare.region(start, end);
            while (bare.find()) {
                if (PublicSuffixes.knownTopLevel(bare.group(1))) {
                    url.accept(bare.group(1));
                }
            }
        }
    }

    /** A character the pattern's names are made of (surrogates too: the pattern reads code points). */
    private static boolean inName(char c) {
        if (c < 0x80) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-';
        }
        int type = Character.getType(c);
        return Character.isLetterOrDigit(c) || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER || Character.isSurrogate(c);
    }

    private static int indexOf(CharSequence text, char c, int from) {
        if (text instanceof String string) {
            return string.indexOf(c, from); // text nodes and windows are Strings: the JDK's search is vectorised
        }
        for (int i = from; i < text.length(); i++) {
            if (text.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /**
     * HTML as it streams (jsoup's stream parser): each element is looked at once it is complete and then
     * dropped, so only the elements still open are held, whatever the size of the part. Besides the
     * linking attributes: a refresh's target ({@code <meta http-equiv="refresh" content="0; url=...">}),
     * {@code url(...)} in a {@code style} attribute, and links written as text outside an {@code <a>}
     * (mail readers turn them into links as they do in plain text). A relative link leads where the
     * document's {@code <base>} does, which is taken from the base itself; without a base, a relative
     * link that names a host ({@code www.example.com/x}) is taken as mail readers take it.
     */
    static void inHtml(Reader html, Consumer<String> url) throws IOException {
        boolean[] based = {false};
        Consumer<String> link = value -> {
            if (!value.isBlank() && (!based[0] || absolute(value))) {
                url.accept(value.strip());
            }
        };
        try (StreamParser parser = new StreamParser(Parser.htmlParser()).parse(html, "")) {
            Iterator<Element> elements = parser.iterator();
            while (elements.hasNext()) {
                Element element = elements.next();
                String attribute = LINKING.get(element.normalName());
                if (attribute != null && element.hasAttr(attribute)) {
                    link.accept(element.attr(attribute));
                    based[0] |= element.nameIs("base");
                }
                if (element.nameIs("meta") && element.attr("http-equiv").equalsIgnoreCase("refresh")) {
                    Matcher refresh = REFRESH.matcher(element.attr("content"));
                    if (refresh.find()) {
                        link.accept(refresh.group(1));
                    }
                }
                if (element.hasAttr("style")) {
                    Matcher style = STYLE_URL.matcher(element.attr("style"));
                    while (style.find()) {
                        link.accept(style.group(2));
                    }
                }
                if (!textIsNotRead(element)) {
                    for (TextNode text : element.textNodes()) {
                        inText(text.getWholeText(), url);
                    }
                }
                element.remove();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** A link with a scheme or a scheme-relative one: where it leads does not depend on the base. */
    private static boolean absolute(String value) {
        return ABSOLUTE.matcher(value).find();
    }

    /** Text in an anchor is what the link shows, not where it goes; the head's (a title) is not shown as a link at all. */
    private static boolean textIsNotRead(Element element) {
        for (Element at = element; at != null; at = at.parent()) {
            if (at.nameIs("a") || at.nameIs("head")) {
                return true;
            }
        }
        return false;
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
