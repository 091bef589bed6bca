package org.vspam.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads agent.yml and the {@code VSPAM_*} environment into an {@link AgentConfig}. Anything wrong
 * (an unknown key, a value that does not parse) stops with one line naming the key and the value;
 * nothing falls back to a default silently.
 */
public final class AgentConfigLoader {
    public static final Path DEFAULT_FILE = Path.of("/etc/vspam/agent.yml");
    private static final Duration LONGEST_DECISION = Duration.ofSeconds(60);
    private static final Duration LONGEST_SHUTDOWN = Duration.ofMinutes(5);
    private static final Duration LONGEST_IDLE = Duration.ofHours(24);

    private AgentConfigLoader() {
    }

    /**
     * Loads {@code file}. A missing file means all defaults, unless the user named it explicitly.
     */
    public static AgentConfig load(Path file, boolean explicit, Map<String, String> environment) throws ConfigException {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            if (explicit) {
                throw new ConfigException("config file " + file + " does not exist");
            }
            yaml = "";
        } catch (AccessDeniedException e) {
            throw new ConfigException("cannot read config file " + file + ": permission denied (the agent runs as "
                    + System.getProperty("user.name") + ")");
        } catch (IOException e) {
            // the JDK's messages for file errors are often just the path again
            String why = e.getMessage() == null || e.getMessage().equals(file.toString()) ? e.getClass().getSimpleName() : e.getMessage();
            throw new ConfigException("cannot read config file " + file + ": " + why);
        }
        return parse(yaml, file.toString(), environment);
    }

    /** Parses agent.yml text; {@code origin} names it in messages. */
    public static AgentConfig parse(String yaml, String origin, Map<String, String> environment) throws ConfigException {
        Map<Setting, Raw> raw = new EnumMap<>(Setting.class);
        readYaml(yaml, origin).forEach((key, value) -> raw.put(key, new Raw(value, origin)));
        for (Setting setting : Setting.values()) {
            String override = environment.get(setting.environmentVariable());
            if (override != null) {
                raw.put(setting, new Raw(override, setting.environmentVariable()));
            }
        }
        return new Binder(raw, environment).bind();
    }

    public static AgentConfig defaults() {
        try {
            return parse("", "defaults", Map.of());
        } catch (ConfigException e) {
            throw new IllegalStateException("built-in defaults do not parse", e);
        }
    }

    private static Map<Setting, Object> readYaml(String yaml, String origin) throws ConfigException {
        Object document;
        try {
            LoaderOptions options = new LoaderOptions();
            // A key written twice is a mistake like any other (SnakeYAML would otherwise keep the last
            // value and say so only through java.util.logging).
            options.setAllowDuplicateKeys(false);
            document = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(), options,
                    new WrittenScalars()).load(yaml);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            throw new ConfigException(origin + " is not valid YAML" + where + ": " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException(origin + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (document == null) {
            return Map.of();
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new ConfigException(origin + " must be a mapping of settings (key: value), not a " + kind(document));
        }
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        for (var entry : map.entrySet()) {
            String key = String.valueOf(entry.getKey());
            Setting setting = Setting.byKey(key).orElseThrow(() -> new ConfigException(
                    "unknown key \"" + key + "\" in " + origin + " (known keys: " + knownKeys() + ")"));
            if (entry.getValue() != null) {
                values.put(setting, entry.getValue());
            }
        }
        return values;
    }

    /**
     * Numbers stay as written ({@code socket_mode: 660} is "660", {@code 0660} is "0660", not the
     * octal 432 YAML 1.1 makes of it): every setting parses its own text. Booleans and nulls keep
     * YAML's meaning.
     */
    private static final class WrittenScalars extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, BOOL, "yYnNtTfFoO");
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }

    private static String knownKeys() {
        return Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.joining(", "));
    }

    private static String kind(Object value) {
        return value instanceof List<?> ? "list" : "single value";
    }

    /** One raw value and where it came from (the file, or an environment variable). */
    private record Raw(Object value, String origin) {
    }

    /** Turns raw values into typed ones, naming key, value and origin when one does not parse. */
    private record Binder(Map<Setting, Raw> raw, Map<String, String> environment) {

        AgentConfig bind() throws ConfigException {
            Optional<URI> apiUrl = value(Setting.API_URL, AgentConfigLoader::apiUrl);
            return new AgentConfig(
                    apiUrl,
                    value(Setting.API_KEY, AgentConfigLoader::apiKey),
                    value(Setting.API_CA_FILE, AgentConfigLoader::caBundle),
                    apiProxy(apiUrl),
                    value(Setting.LISTEN, ListenAddress::parse),
                    value(Setting.SOCKET_MODE, AgentConfigLoader::fileMode),
                    value(Setting.HTTP_ENABLED, AgentConfigLoader::bool),
                    value(Setting.HTTP_LISTEN, text -> HostPort.parse(text, -1)),
                    value(Setting.METRICS_LISTEN, text -> text.isBlank() ? Optional.<HostPort>empty() : Optional.of(HostPort.parse(text, -1))),
                    value(Setting.HTTP_NEW_LOOKUPS_PER_SECOND, text -> range(text, 0, Rules.MAX_NEW_LOOKUPS_PER_SECOND)),
                    value(Setting.CACHE_TTL, text -> positive(GoDuration.parse(text), Duration.ofDays(30))),
                    value(Setting.CACHE_PATH, text -> text.isBlank() ? Optional.<Path>empty() : Optional.of(Path.of(text.strip()))),
                    value(Setting.DNSBL_ENABLED, AgentConfigLoader::bool),
                    value(Setting.DNSBL_ZONE, AgentConfigLoader::zone),
                    value(Setting.DNSBL_RESOLVERS, AgentConfigLoader::resolvers),
                    value(Setting.REJECT_MESSAGE, text -> ReplyText.parse(text, '5').template()),
                    value(Setting.REPORTING_ENABLED, AgentConfigLoader::bool),
                    value(Setting.QUEUE_SIZE, text -> range(text, Rules.MIN_QUEUE_SIZE, Rules.MAX_QUEUE_SIZE)),
                    value(Setting.LOG_LEVEL, AgentConfigLoader::logLevel),
                    value(Setting.LOG_FORMAT, AgentConfigLoader::logFormat),
                    value(Setting.DECISION_TIMEOUT, text -> positive(GoDuration.parse(text), LONGEST_DECISION)),
                    value(Setting.SHUTDOWN_TIMEOUT, text -> positive(GoDuration.parse(text), LONGEST_SHUTDOWN)),
                    value(Setting.IDLE_TIMEOUT, text -> positive(GoDuration.parse(text), LONGEST_IDLE)),
                    value(Setting.REDIS_URL, text -> text.isBlank() ? Optional.<RedisUrl>empty() : Optional.of(RedisUrl.parse(text))),
                    value(Setting.REDIS_KEY_PREFIX, AgentConfigLoader::keyPrefix),
                    value(Setting.REDIS_CA_FILE, AgentConfigLoader::caBundle),
                    new MilterSettings(
                            value(Setting.MILTER_LISTEN, text -> text.isBlank() ? Optional.<ListenAddress>empty() : Optional.of(ListenAddress.parse(text))),
                            value(Setting.MILTER_SOCKET_MODE, AgentConfigLoader::fileMode),
                            value(Setting.MILTER_MAX_URLS, text -> range(text, Rules.MIN_MILTER_URLS, Rules.MAX_MILTER_URLS)),
                            value(Setting.MILTER_MAX_BODY, text -> ByteSize.parse(text, Rules.MAX_MILTER_BODY))),
                    value(Setting.ALLOW_CLIENTS, text -> new AllowList(AllowList.clients(text), List.of(), List.of()))
                            .and(value(Setting.ALLOW_SENDERS, text -> new AllowList(List.of(), AllowList.senders(text), List.of())))
                            .and(value(Setting.ALLOW_RECIPIENTS, text -> new AllowList(List.of(), List.of(), AllowList.recipients(text)))),
                    value(Setting.ALLOW_FILE, text -> text.isBlank() ? Optional.<Path>empty() : Optional.of(Path.of(text.strip()))),
                    value(Setting.SKIP_AUTHENTICATED, AgentConfigLoader::bool),
                    value(Setting.MODE, text -> word(text, Mode.class, "enforce or monitor")),
                    value(Setting.ACTIONS, Actions::parse),
                    value(Setting.DEFER_MESSAGE, text -> ReplyText.parse(text, '4').template()),
                    value(Setting.DELIST_URL, AgentConfigLoader::delistUrl),
                    value(Setting.HEADER_NAME, AgentConfigLoader::headerName),
                    value(Setting.FAILURE_ACTION, text -> word(text, FailureAction.class, "dunno or defer")),
                    written());
        }

        private Map<Setting, String> written() {
            Map<Setting, String> texts = new EnumMap<>(Setting.class);
            for (Setting setting : Setting.values()) {
                // A secret is kept as its hash: enough to see that it changed, and safe in any toString.
                texts.put(setting, setting.secret() ? "sha256:" + sha256(text(setting)) : text(setting));
            }
            return texts;
        }

        /**
         * {@code api_proxy} when set (an empty value turns proxies off); otherwise the environment's
         * proxy for the API's scheme, as curl reads it ({@code https_proxy} or {@code HTTPS_PROXY},
         * {@code http_proxy}), with {@code no_proxy} naming hosts reached directly.
         */
        private Optional<ApiProxy> apiProxy(Optional<URI> apiUrl) throws ConfigException {
            if (raw.containsKey(Setting.API_PROXY) || apiUrl.isEmpty()) {
                return value(Setting.API_PROXY, text -> text.isBlank() ? Optional.<ApiProxy>empty()
                        : Optional.of(ApiProxy.parse(text, List.of(), raw.get(Setting.API_PROXY).origin())));
            }
            List<String> names = apiUrl.get().getScheme().equalsIgnoreCase("https") ? List.of("https_proxy", "HTTPS_PROXY") : List.of("http_proxy");
            for (String name : names) {
                String value = environment.get(name);
                if (value != null && !value.isBlank()) {
                    List<String> direct = ApiProxy.directHosts(environment.getOrDefault("no_proxy", environment.get("NO_PROXY")));
                    try {
                        return Optional.of(ApiProxy.parse(value, direct, name));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(name + ": (value hidden) " + reason(e) + " (from the environment; "
                                + Setting.API_PROXY.key() + " overrides it, an empty one turns proxies off)");
                    }
                }
            }
            return Optional.empty();
        }

        private String text(Setting setting) {
            Raw value = raw.get(setting);
            return value == null ? setting.defaultValue() : asText(setting, value.value());
        }

        private <T> T value(Setting setting, Function<String, T> parser) throws ConfigException {
            String text = text(setting);
            try {
                return parser.apply(text);
            } catch (IllegalArgumentException e) {
                Raw value = raw.get(setting);
                String origin = value == null ? "built-in default" : value.origin();
                String shown = setting.secret() ? "(value hidden)" : "\"" + text + "\"";
                throw new ConfigException(setting.key() + ": " + shown + " " + reason(e) + " (from " + origin + ")");
            }
        }

        private static String reason(IllegalArgumentException e) {
            String message = e.getMessage() == null ? "is not valid" : e.getMessage();
            boolean phrase = Stream.of("is ", "must ", "does ", "cannot ", "holds ", "has ", "names ", "starts ", "uses ").anyMatch(message::startsWith);
            return phrase ? message : "is not valid: " + message;
        }

        /** YAML hands over typed scalars; lists and mappings are joined so that they read like the env form. */
        private static String asText(Setting setting, Object value) {
            if (value instanceof List<?> list) {
                return list.stream().map(String::valueOf).collect(Collectors.joining(","));
            }
            if (value instanceof Map<?, ?> map) {
                return map.entrySet().stream().map(entry -> entry.getKey() + "=" + entry.getValue()).collect(Collectors.joining(","));
            }
            return String.valueOf(value);
        }
    }

    private static Optional<URI> apiUrl(String text) {
        String value = text.strip();
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException("must be an http:// or https:// URL (or empty to disable the API)");
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a URL: " + e.getReason());
        }
    }

    /** A key goes into an HTTP header: a control character there would be refused, with the key in the message. */
    private static ApiKey apiKey(String text) {
        ApiKey key = new ApiKey(text);
        if (key.reveal().chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("must be one word of printable ASCII (it has a space, a control character or a non-ASCII one)");
        }
        return key;
    }

    private static Optional<CaBundle> caBundle(String text) {
        return text.isBlank() ? Optional.empty() : Optional.of(CaBundle.read(text));
    }

    private static int fileMode(String text) {
        String value = text.strip();
        if (!value.matches("0?[0-7]{3}")) {
            throw new IllegalArgumentException("is not an octal file mode (expected e.g. \"0660\")");
        }
        return Integer.parseInt(value, 8);
    }

    private static boolean bool(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("is not a boolean (expected true or false)");
        };
    }

    private static Duration positive(Duration duration, Duration longest) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("must be longer than zero");
        }
        if (duration.compareTo(longest) > 0) {
            throw new IllegalArgumentException("must not be longer than " + GoDuration.format(longest));
        }
        return duration;
    }

    private static int range(String text, int lowest, int highest) {
        try {
            int value = Integer.parseInt(text.strip());
            if (value >= lowest && value <= highest) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("must be a whole number from " + lowest + " to " + highest);
    }

    private static String zone(String text) {
        String zone = text.strip().toLowerCase(Locale.ROOT);
        while (zone.endsWith(".")) {
            zone = zone.substring(0, zone.length() - 1);
        }
        if (!zone.matches(Rules.ZONE) || zone.length() > 200) {
            throw new IllegalArgumentException("is not a DNS zone name");
        }
        return zone;
    }

    private static List<HostPort> resolvers(String text) {
        List<HostPort> resolvers = new ArrayList<>();
        for (String part : text.split("[,\\s]+")) {
            if (!part.isEmpty()) {
                resolvers.add(HostPort.parse(part, 53));
            }
        }
        return resolvers;
    }

    private static <E extends Enum<E>> E word(String text, Class<E> type, String expected) {
        try {
            return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not one of " + expected);
        }
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String delistUrl(String text) {
        URI url;
        try {
            url = apiUrl(text).orElseThrow();
        } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
            throw new IllegalArgumentException("must be an http:// or https:// URL");
        }
        String written = text.strip();
        if (written.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("must not contain spaces");
        }
        return written; // a text shown to senders, printed as the operator wrote it (a trailing slash too)
    }

    /** A header field name (RFC 5322): printable ASCII but the colon, and short. */
    private static String headerName(String text) {
        String name = text.strip();
        if (!name.matches("[!-9;-~]{1,64}")) {
            throw new IllegalArgumentException("is not a header name (letters, digits and '-', at most 64, e.g. X-Vspam)");
        }
        return name;
    }

    private static String keyPrefix(String text) {
        String prefix = text.strip();
        if (!prefix.matches(Rules.KEY_PREFIX)) {
            throw new IllegalArgumentException("must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return prefix;
    }

    private static LogFormat logFormat(String text) {
        try {
            return LogFormat.valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a log format (expected text or json)");
        }
    }

    private static LogLevel logLevel(String text) {
        try {
            return LogLevel.valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a log level (expected debug, info, warn or error)");
        }
    }
}
