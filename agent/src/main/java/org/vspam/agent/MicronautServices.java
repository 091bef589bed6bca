package org.vspam.agent;

import io.micronaut.core.io.service.MicronautMetaServiceLoaderUtils;
import io.micronaut.core.io.service.SoftServiceLoader;
import io.micronaut.core.io.service.SoftServiceLoader.StaticDefinition;
import io.micronaut.core.optim.StaticOptimizations;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The framework's service entries (its bean definitions under {@code META-INF/micronaut/}), listed once
 * when the jar is built instead of at every start. Micronaut finds them by opening the jar as a file
 * system and walking that directory, which meant indexing all 15,000 entries of the agent's jar again
 * before the first bean (about 0.08 s of a start that has to be short). The build writes the list with
 * Micronaut's own lookup and the classpath's {@code META-INF/services} files ({@link #main}), the two
 * places Micronaut looks; a start from the jar hands it back to Micronaut through its
 * static optimizations, the hook its own build-time optimizer uses. Run from class directories (tests,
 * an IDE) the agent lets Micronaut look for itself, so a list can never be older than the classes.
 */
public final class MicronautServices {
    /** Where the list is in the jar (the build's pom names it too): one "service-type implementation" per line. */
    public static final String INDEX = "META-INF/vspam/micronaut-services.txt";
    private static final String SERVICES = "META-INF/services/";

    private static boolean installed;

    private MicronautServices() {
    }

    /**
     * Hands the jar's list to Micronaut, once per process, before any context is built; does nothing when
     * the agent does not run from a jar that holds one.
     */
    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        URL index = MicronautServices.class.getClassLoader().getResource(INDEX);
        if (index == null || !"jar".equals(index.getProtocol())) {
            return;
        }
        Map<String, SoftServiceLoader.StaticServiceLoader<?>> listed = new LinkedHashMap<>();
        read().forEach((type, implementations) -> listed.put(type, condition -> implementations.stream()
                .filter(condition)
                .<StaticDefinition<Object>>mapMulti((implementation, found) -> {
                    Object instance = instantiate(implementation);
                    if (instance != null) {
                        found.accept(StaticDefinition.of(implementation, () -> instance));
                    }
                })));
        StaticOptimizations.set(new SoftServiceLoader.Optimizations(new WholeJar(listed)));
    }

    /**
     * The list answers for every service type: one it does not name has no entry in the jar (Micronaut asks
     * for several, such as context customizers, that nothing provides, and each would start the walk).
     */
    private static final class WholeJar extends AbstractMap<String, SoftServiceLoader.StaticServiceLoader<?>> {
        private static final SoftServiceLoader.StaticServiceLoader<?> NONE = condition -> Stream.empty();
        private final Map<String, SoftServiceLoader.StaticServiceLoader<?>> listed;

        WholeJar(Map<String, SoftServiceLoader.StaticServiceLoader<?>> listed) {
            this.listed = listed;
        }

        @Override
        public SoftServiceLoader.StaticServiceLoader<?> get(Object type) {
            return listed.getOrDefault(type, NONE);
        }

        @Override
        public boolean containsKey(Object type) {
            return true;
        }

        @Override
        public Set<Entry<String, SoftServiceLoader.StaticServiceLoader<?>>> entrySet() {
            return Collections.unmodifiableMap(listed).entrySet();
        }
    }

    /** The list, read through the class loader's own open jar (a jar: URL's stream would open it again). */
    private static Map<String, List<String>> read() {
        Map<String, List<String>> services = new LinkedHashMap<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                MicronautServices.class.getClassLoader().getResourceAsStream(INDEX), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                int space = line.indexOf(' ');
                services.computeIfAbsent(line.substring(0, space), type -> new ArrayList<>()).add(line.substring(space + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the jar's " + INDEX + " could not be read", e);
        }
        return services;
    }

    /**
     * As Micronaut instantiates an entry it found itself: through its public no-argument constructor, and
     * none (null; the entry is left out) when its class or an optional dependency of it is missing.
     */
    private static Object instantiate(String implementation) {
        try {
            Class<?> type = Class.forName(implementation, false, MicronautServices.class.getClassLoader());
            return MethodHandles.publicLookup().findConstructor(type, MethodType.methodType(void.class)).invoke();
        } catch (NoClassDefFoundError | ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
            return null;
        } catch (Throwable e) {
            throw new IllegalStateException("Micronaut service " + implementation + " could not be created", e);
        }
    }

    /**
     * Build step: writes the list for the classpath this runs with (what the jar is shaded from) to
     * {@code args[0]}. For each service type, what Micronaut's own lookup merges at a start: the entries
     * under {@code META-INF/micronaut/} and the lines of the standard {@code META-INF/services/} files.
     */
    public static void main(String[] args) throws IOException {
        ClassLoader loader = MicronautServices.class.getClassLoader();
        Map<String, TreeSet<String>> services = new TreeMap<>();
        MicronautMetaServiceLoaderUtils.findAllMicronautMetaServices(loader)
                .forEach((type, implementations) -> services.computeIfAbsent(type, t -> new TreeSet<>()).addAll(implementations));
        for (String type : standardServiceTypes(loader)) {
            for (URL file : Collections.list(loader.getResources(SERVICES + type))) {
                services.computeIfAbsent(type, t -> new TreeSet<>()).addAll(providers(file));
            }
        }
        List<String> lines = new ArrayList<>();
        services.forEach((type, implementations) -> implementations.forEach(implementation -> lines.add(type + " " + implementation)));
        Path out = Path.of(args[0]);
        Files.createDirectories(out.getParent());
        Files.write(out, lines, StandardCharsets.UTF_8);
    }

    /** The names of the {@code META-INF/services/} files in every jar and directory of the classpath. */
    private static Set<String> standardServiceTypes(ClassLoader loader) throws IOException {
        if (!(loader instanceof URLClassLoader classpath)) {
            throw new IllegalStateException("the build's class loader lists no classpath: " + loader);
        }
        Set<String> types = new TreeSet<>();
        for (URL element : classpath.getURLs()) {
            Path path = Path.of(URI.create(element.toString()));
            if (Files.isDirectory(path)) {
                Path directory = path.resolve(SERVICES);
                if (Files.isDirectory(directory)) {
                    try (Stream<Path> files = Files.list(directory)) {
                        files.filter(Files::isRegularFile).forEach(file -> types.add(file.getFileName().toString()));
                    }
                }
            } else if (Files.isRegularFile(path)) {
                try (JarFile jar = new JarFile(path.toFile())) {
                    jar.stream().map(JarEntry::getName)
                            .filter(name -> name.startsWith(SERVICES) && name.length() > SERVICES.length() && !name.endsWith("/"))
                            .forEach(name -> types.add(name.substring(SERVICES.length())));
                }
            }
        }
        return types;
    }

    /** A service file's providers: one per line, without comments and blanks. */
    private static List<String> providers(URL file) throws IOException {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(file.openStream(), StandardCharsets.UTF_8))) {
            return reader.lines().map(line -> line.replaceFirst("#.*", "").strip()).filter(line -> !line.isEmpty()).toList();
        }
    }
}
