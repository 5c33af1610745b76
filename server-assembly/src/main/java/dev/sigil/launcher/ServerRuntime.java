package dev.sigil.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * Runs the OSGi framework: installs the bundles of {@code bundle/<start level>/}, starts them level
 * by level, and waits until the HTTPS endpoint is announced or a component fails.
 *
 * <p>The Declarative Services runtime API is shared between this launcher and the framework through
 * the system bundle ({@code org.osgi.framework.system.packages.extra}), so that the launcher can read
 * why a component failed and report it in one line.
 */
final class ServerRuntime {
    /** The service property the HTTPS transport announces its URL with. */
    static final String ENDPOINT_URL = "sigil.endpoint.url";
    static final String ENDPOINT_PROTOCOLS = "sigil.endpoint.protocols";

    /** The bundles whose API packages the launcher shares with the framework. */
    private static final List<String> SHARED_API_BUNDLES = List.of(
            "org.osgi.service.component", "org.osgi.util.promise", "org.osgi.util.function");

    private final Framework framework;

    /** What the launcher reports once the server is up. */
    record Endpoint(String url, List<String> protocols, int backends) {
    }

    private static final String SIGIL_EXCEPTION = "dev.sigil.api.SigilException";
    private static final String SIGNING_BACKEND = "dev.sigil.api.backend.SigningBackend";

    /** A startup failure with a one-line reason. */
    static final class StartupException extends Exception {
        private static final long serialVersionUID = 1L;

        StartupException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param properties framework properties (storage, FileInstall directory, Sigil's settings)
     * @param libDir     the launcher's own library directory, whose OSGi API jars are shared
     */
    ServerRuntime(Map<String, String> properties, Path libDir) throws IOException {
        Map<String, String> props = new TreeMap<>(properties);
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, sharedPackages(libDir));
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"));
        framework = factory.newFramework(props);
    }

    /** The Export-Package headers of the shared API jars in {@code lib/}. */
    static String sharedPackages(Path libDir) throws IOException {
        List<String> exports = new ArrayList<>();
        // Only the jars named after these bundles are opened (bcprov's index alone takes 100 ms).
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(libDir, "org.osgi.*.jar")) {
            for (Path jar : jars) {
                try (JarFile f = new JarFile(jar.toFile())) {
                    Attributes a = f.getManifest() == null ? null : f.getManifest().getMainAttributes();
                    if (a == null) {
                        continue;
                    }
                    String bsn = a.getValue(Constants.BUNDLE_SYMBOLICNAME);
                    if (bsn != null && SHARED_API_BUNDLES.contains(bsn.split(";")[0].trim())) {
                        exports.add(a.getValue(Constants.EXPORT_PACKAGE));
                    }
                }
            }
        }
        if (exports.size() != SHARED_API_BUNDLES.size()) {
            throw new IOException(libDir + " must hold the jars of " + SHARED_API_BUNDLES);
        }
        return String.join(",", exports);
    }

    /**
     * Starts the framework and the bundles of {@code bundleDir/<level>/*.jar} (and of the extra
     * directories, at the highest level plus one).
     *
     * @throws StartupException with a one-line reason if a bundle cannot be installed or resolved
     */
    void start(Path bundleDir, List<Path> extraBundleDirs) throws StartupException, IOException {
        try {
            framework.init();
            BundleContext ctx = framework.getBundleContext();
            Map<Integer, List<Path>> levels = new TreeMap<>();
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(bundleDir)) {
                for (Path d : dirs) {
                    if (Files.isDirectory(d) && d.getFileName().toString().matches("[1-9][0-9]?")) {
                        levels.put(Integer.parseInt(d.getFileName().toString()), jars(d));
                    }
                }
            }
            if (levels.isEmpty()) {
                throw new StartupException("no bundles in " + bundleDir);
            }
            int extraLevel = ((TreeMap<Integer, List<Path>>) levels).lastKey() + 1;
            for (Path extra : extraBundleDirs) {
                levels.computeIfAbsent(extraLevel, k -> new ArrayList<>()).addAll(jars(extra));
            }
            List<Bundle> installed = new ArrayList<>();
            for (Map.Entry<Integer, List<Path>> level : levels.entrySet()) {
                for (Path jar : level.getValue()) {
                    // reference: the framework reads the jar in place instead of copying it to its cache
                    Bundle b = ctx.installBundle("reference:" + jar.toUri());
                    b.adapt(BundleStartLevel.class).setStartLevel(level.getKey());
                    installed.add(b);
                }
            }
            framework.start();
            for (Bundle b : installed) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    b.start(Bundle.START_ACTIVATION_POLICY);
                }
            }
            FrameworkStartLevel fsl = framework.adapt(FrameworkStartLevel.class);
            java.util.concurrent.CountDownLatch levelReached = new java.util.concurrent.CountDownLatch(1);
            fsl.setStartLevel(extraLevel, event -> levelReached.countDown());
            levelReached.await();
            for (Bundle b : installed) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null && b.getState() != Bundle.ACTIVE) {
                    // Starting it again reports why it cannot start (usually a missing requirement).
                    b.start();
                }
            }
        } catch (BundleException e) {
            throw new StartupException(firstLine(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while starting");
        }
    }

    private static List<Path> jars(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            throw new IOException("bundle directory " + dir + " does not exist");
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.jar")) {
            s.forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    /**
     * Waits until the server is ready: the HTTPS endpoint is announced and the expected number of
     * signing backends is active, or a Sigil component has failed to activate.
     *
     * @param expectedBackends the number of backend configurations in the configuration directory
     * @throws StartupException with the failing component's reason, or a timeout
     */
    Endpoint awaitReady(Duration timeout, int expectedBackends) throws StartupException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> failures = new ArrayList<>();
            List<String> waiting = new ArrayList<>();
            int backends = inspectComponents(failures, waiting);
            if (!failures.isEmpty()) {
                throw new StartupException(failures.get(0));
            }
            ServiceReference<?> endpoint = first("(" + ENDPOINT_URL + "=*)");
            if (endpoint != null && backends >= expectedBackends) {
                Object protocols = endpoint.getProperty(ENDPOINT_PROTOCOLS);
                return new Endpoint((String) endpoint.getProperty(ENDPOINT_URL),
                        protocols instanceof String[] ? List.of((String[]) protocols) : List.of(), backends);
            }
            if (System.nanoTime() > deadline) {
                throw new StartupException("the server did not start within " + timeout.toSeconds() + " s"
                        + (waiting.isEmpty() ? "" : ": " + waiting.get(0)));
            }
            Thread.sleep(10);
        }
    }

    private ServiceReference<?> first(String filter) {
        try {
            ServiceReference<?>[] refs = framework.getBundleContext().getServiceReferences((String) null, filter);
            return refs == null || refs.length == 0 ? null : refs[0];
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The reasons of all Sigil components that failed to activate, one line each. */
    List<String> failures() {
        List<String> failures = new ArrayList<>();
        inspectComponents(failures, new ArrayList<>());
        return failures;
    }

    /**
     * Reads the DS runtime's view of Sigil's components.
     *
     * @param failures receives the one-line reason of each failed component configuration
     * @param waiting  receives what each unsatisfied component waits for
     * @return the number of active signing backend instances
     */
    private int inspectComponents(List<String> failures, List<String> waiting) {
        BundleContext ctx;
        try {
            ctx = framework.getBundleContext();
        } catch (IllegalStateException stopped) {
            return 0;
        }
        int backends = 0;
        ServiceReference<ServiceComponentRuntime> ref = ctx == null ? null
                : ctx.getServiceReference(ServiceComponentRuntime.class);
        if (ref == null) {
            waiting.add("the Declarative Services runtime is not running");
            return 0;
        }
        ServiceComponentRuntime scr = ctx.getService(ref);
        if (scr == null) {
            return 0;
        }
        int causes = 0;
        try {
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                if (!d.name.startsWith("dev.sigil.")) {
                    continue;
                }
                Collection<ComponentConfigurationDTO> configs = scr.getComponentConfigurationDTOs(d);
                boolean backend = List.of(d.serviceInterfaces).contains(SIGNING_BACKEND);
                for (ComponentConfigurationDTO c : configs) {
                    if (backend && c.state == ComponentConfigurationDTO.ACTIVE) {
                        backends++;
                    }
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        // A component that failed because a service it needs failed to activate
                        // ("Unable to get service for reference ...") is a consequence; the
                        // failure a Sigil component explains for operators is the cause, and is
                        // reported first whatever the order of bundles and components.
                        if (c.failure != null && c.failure.contains(SIGIL_EXCEPTION + ": ")) {
                            failures.add(causes++, reason(c.failure));
                        } else {
                            failures.add(reason(c.failure));
                        }
                    } else if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                        StringBuilder sb = new StringBuilder(shortName(d.name)).append(" waits for");
                        for (UnsatisfiedReferenceDTO u : c.unsatisfiedReferences) {
                            sb.append(' ').append(u.name);
                        }
                        waiting.add(sb.toString());
                    }
                }
                if ("require".equals(d.configurationPolicy) && configs.isEmpty()) {
                    waiting.add(shortName(d.name) + " has no configuration (PID " + d.configurationPid[0] + ")");
                }
            }
            return backends;
        } finally {
            try {
                ctx.ungetService(ref);
            } catch (IllegalStateException stopped) {
                // the framework stopped meanwhile
            }
        }
    }

    /**
     * The one-line reason in a DS failure text (a stack trace): the message of the first Sigil
     * exception in the cause chain, which is written for operators, else that of the innermost cause.
     */
    static String reason(String failure) {
        if (failure == null || failure.isBlank()) {
            return "a component failed to start";
        }
        String innermost = null;
        for (String l : failure.split("\\R")) {
            String t = l.trim();
            if (t.startsWith("Caused by: ")) {
                t = t.substring("Caused by: ".length());
            } else if (innermost != null) {
                continue;
            }
            if (t.isEmpty()) {
                continue;
            }
            if (t.startsWith(SIGIL_EXCEPTION + ": ")) {
                return t.substring(SIGIL_EXCEPTION.length() + 2);
            }
            innermost = t;
        }
        // "java.net.BindException: Address already in use" -> the message only
        int colon = innermost.indexOf(": ");
        if (colon > 0 && innermost.substring(0, colon).matches("[\\w.$]+")) {
            innermost = innermost.substring(colon + 2);
        }
        return innermost;
    }

    private static String shortName(String component) {
        return component.substring(component.lastIndexOf('.') + 1);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "a bundle failed to start";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * Reports, once each, components that fail after startup (a configuration file edited while the
     * server runs), on a daemon thread until the framework stops.
     */
    void monitorFailures(java.util.function.Consumer<String> report) {
        java.util.Set<String> reported = new java.util.HashSet<>(failures());
        Thread t = new Thread(() -> {
            while (framework.getState() == Bundle.ACTIVE) {
                for (String f : failures()) {
                    if (reported.add(f)) {
                        report.accept(f);
                    }
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "sigil-component-monitor");
        t.setDaemon(true);
        t.start();
    }

    /** Stops the framework and waits for it, at most {@code timeout}. */
    void stop(Duration timeout) {
        try {
            framework.stop();
            framework.waitForStop(timeout.toMillis());
        } catch (BundleException e) {
            System.err.println("sigil-server: stopping failed: " + firstLine(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until the framework has stopped. */
    void awaitStop() throws InterruptedException {
        framework.waitForStop(0);
    }
}
