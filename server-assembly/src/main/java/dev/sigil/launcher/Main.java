package dev.sigil.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sigil-server}: starts Sigil with the shipped configuration and, on first start, the
 * development key material. Prints where it listens; stops cleanly on SIGTERM or Ctrl-C.
 *
 * <pre>
 * sigil-server                       # https://localhost:8443/, data in ./data
 * sigil-server --port 0 --data /tmp/s  # any free port
 * </pre>
 *
 * Exit codes: 0 stopped normally, 1 startup failed (the reason is printed on one line), 2 usage.
 */
@Command(name = "sigil-server", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Starts the Sigil remote signing server.", sortOptions = false)
public final class Main implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:SIGIL_DATA:-data}",
            description = "Data directory: keys, certificates, secrets, database (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "${env:SIGIL_HOST:-127.0.0.1}",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "${env:SIGIL_PORT:-8443}",
            description = "HTTPS port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--conf", paramLabel = "DIR",
            description = "Configuration directory of .cfg files (default: the distribution's conf/).")
    Path conf;

    @Option(names = "--extra-bundles", paramLabel = "DIR",
            description = "A directory of additional bundles to start last (vendor providers, backends).")
    List<Path> extraBundles = new ArrayList<>();

    @Option(names = "--verbose",
            description = "Also print the OSGi runtime's own diagnostics (with stack traces).")
    boolean verbose;

    @Option(names = "--startup-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Give up if the server is not listening after this long (default: ${DEFAULT-VALUE}).")
    int startupTimeout;

    private final PrintStream out;
    private final PrintStream err;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        Main main = new Main(System.out, System.err);
        CommandLine cmd = new CommandLine(main);
        cmd.setParameterExceptionHandler((e, a) -> {
            System.err.println("sigil-server: " + e.getMessage());
            System.err.println("Try 'sigil-server --help'.");
            return 2;
        });
        cmd.setExecutionExceptionHandler((e, c, parsed) -> {
            // A bug, not a configuration problem: one line, and the trace only when asked for.
            System.err.println("sigil-server: unexpected error: " + e);
            if (main.verbose) {
                e.printStackTrace();
            } else {
                System.err.println("Run with --verbose for the stack trace.");
            }
            return 1;
        });
        System.exit(cmd.execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("sigil.home", ".")).toAbsolutePath().normalize();
        Path dataDir = data.toAbsolutePath().normalize();
        Path confDir = (conf == null ? home.resolve("conf") : conf).toAbsolutePath().normalize();
        if (port < 0 || port > 65535) {
            err.println("sigil-server: --port must be between 0 and 65535");
            return 2;
        }
        if (!Files.isDirectory(confDir)) {
            err.println("sigil-server: configuration directory " + confDir + " does not exist");
            return 1;
        }
        DevelopmentPki pki = new DevelopmentPki(dataDir);
        try {
            for (String created : pki.ensure()) {
                out.println("First start: created " + created);
            }
        } catch (IOException | GeneralSecurityException e) {
            err.println("sigil-server: cannot prepare " + dataDir + ": " + e.getMessage());
            return 1;
        }

        Map<String, String> props = new LinkedHashMap<>();
        props.put("org.osgi.framework.storage", dataDir.resolve("osgi-cache").toString());
        props.put("org.osgi.framework.storage.clean", "onFirstInit");
        // Component failures are reported by this launcher in one line; the DS runtime's own
        // messages (with stack traces) only with --verbose. Level 0 is Felix SCR's "audit only".
        props.put("ds.loglevel", verbose ? "warn" : "0");
        props.put("felix.log.level", verbose ? "3" : "1");
        props.put("felix.fileinstall.dir", confDir.toString());
        props.put("felix.fileinstall.filter", ".*\\.cfg");
        // The first scan then runs while FileInstall starts (level 3): all of conf/ is in Configuration
        // Admin before Declarative Services (level 4) activates the first component.
        props.put("felix.fileinstall.noInitialDelay", "true");
        props.put("felix.fileinstall.poll", "2000");
        props.put("felix.fileinstall.enableConfigSave", "false");
        props.put("felix.fileinstall.log.level", "2");
        props.put("sigil.data", dataDir.toString());
        props.put("sigil.https.host", host);
        props.put("sigil.https.port", Integer.toString(port));

        // After 'sigil-admin demo forget' the file is gone for good: nothing to wait for.
        boolean demoExisted = Files.exists(pki.demoAccount()) || Files.exists(dataDir.resolve(DemoForget.NOTE));
        ServerRuntime runtime;
        try {
            runtime = new ServerRuntime(props, home.resolve("lib"));
        } catch (IOException e) {
            err.println("sigil-server: the distribution is incomplete: " + e.getMessage());
            return 1;
        }
        AtomicBoolean stopping = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            if (stopping.compareAndSet(false, true)) {
                err.println("Stopping Sigil...");
                runtime.stop(Duration.ofSeconds(20));
                err.println("Sigil stopped.");
            }
        }, "sigil-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        ServerRuntime.Endpoint endpoint;
        try {
            List<Path> extras = new ArrayList<>();
            for (Path p : extraBundles) {
                extras.add(p.toAbsolutePath());
            }
            runtime.start(home.resolve("bundle"), extras);
            endpoint = runtime.awaitReady(Duration.ofSeconds(startupTimeout), backendConfigurations(confDir));
        } catch (ServerRuntime.StartupException | IOException e) {
            err.println("sigil-server: " + e.getMessage());
            if (stopping.compareAndSet(false, true)) {
                runtime.stop(Duration.ofSeconds(10));
            }
            return 1;
        }
        double seconds = ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
        String base = endpoint.url();
        out.printf("Sigil %s is listening on %s (%s)%n", Version.version(), base,
                String.join(", ", endpoint.protocols()));
        out.println("  service info:   " + base + "csc/v2/info");
        out.println("  health:         " + base + "health");
        out.println("  CA certificate: " + pki.caCertificatePem() + "  (trust it to connect)");
        out.println("  data directory: " + dataDir);
        if (endpoint.backends() == 0) {
            out.println("  WARNING: no signing backend is configured (conf/dev.sigil.backend.*.cfg); /health reports DOWN");
        }
        if (!demoExisted && Files.exists(confDir.resolve("dev.sigil.demo.cfg"))) {
            printDemoAccount(pki.demoAccount(), base);
        }
        out.printf("Started in %.2f s. Press Ctrl-C to stop.%n", seconds);
        out.flush();
        runtime.monitorFailures(reason -> err.println("sigil-server: ERROR " + reason));
        runtime.awaitStop();
        return 0;
    }

    /** Shows the demo account made on this first start, once; waits for it briefly. */
    private void printDemoAccount(Path file, String base) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            err.println("sigil-server: the demo account was not created (" + e.getMessage() + ")");
            return;
        }
        out.println();
        out.println("Demo account (shown once; also in " + file + "):");
        out.println("  user:      " + p.getProperty("user") + "    password: " + p.getProperty("password"));
        for (int i = 1; p.getProperty("credential." + i) != null; i++) {
            out.println("  credential " + p.getProperty("credential." + i) + "    PIN: "
                    + p.getProperty("credential." + i + ".pin"));
        }
        out.println("  one-time codes: scan this with an authenticator app, or use");
        out.println("    oathtool --totp -b " + p.getProperty("totp.seed"));
        out.print(QrTerminal.render(p.getProperty("totp.uri")));
        out.println("  sign a file: see README.md, \"Sign your first file\" (server " + base + ")");
        out.println("  These secrets stay in cleartext in " + file + ". Once you have noted them,");
        out.println("  remove it: sigil-admin --data " + file.getParent() + " demo forget");
        out.println();
    }

    /**
     * The number of signing backend instances the configuration directory defines: factory
     * configurations named {@code dev.sigil.backend.<type>-<name>.cfg}.
     */
    static int backendConfigurations(Path confDir) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(confDir)) {
            return (int) files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("dev\\.sigil\\.backend\\.[\\w.]+-[^.]+\\.cfg"))
                    .count();
        }
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        static String version() {
            String v = Main.class.getPackage().getImplementationVersion();
            if (v == null) {
                v = Main.class.getPackage().getSpecificationVersion();
            }
            return v == null ? "(development)" : v;
        }

        @Override
        public String[] getVersion() {
            return new String[] {"sigil-server " + version()};
        }
    }
}
