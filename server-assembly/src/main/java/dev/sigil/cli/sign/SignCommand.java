package dev.sigil.cli.sign;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.sigil.cli.sign.Secrets.Kind;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sigil-sign}: signs a file through a Sigil server (CSC API) with a credential, and writes
 * a detached CMS signature (PKCS#7, RFC 5652) next to it. The password, PIN and one-time code are
 * asked for on the terminal, or read from SIGIL_PASSWORD, SIGIL_PIN and SIGIL_OTP.
 *
 * <pre>
 * sigil-sign --ca data/ca/dev-ca.pem --user demo --credential demo contract.pdf
 *   # -&gt; contract.pdf.p7s
 * </pre>
 *
 * The flow: auth/login → credentials/info → the CMS signed attributes are hashed locally →
 * credentials/authorize for exactly that hash → signatures/signHash → auth/revoke; the result is
 * verified against the credential's certificate before it is written (atomically).
 *
 * <p>Exit codes: 0 signed, 1 failed (one line on stderr), 2 usage error.
 */
@Command(name = "sigil-sign", mixinStandardHelpOptions = true, versionProvider = SignCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Signs a file through a Sigil (CSC API) server and writes a detached CMS signature (.p7s).",
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  SIGIL_SERVER, SIGIL_CA, SIGIL_USER   defaults for --server, --ca, --user",
            "  SIGIL_PASSWORD, SIGIL_PIN, SIGIL_OTP the secrets; each one not set is asked for on the terminal",
            "",
            "Exit codes: 0 signed, 1 failed (the reason on one line), 2 usage error."})
public final class SignCommand implements Callable<Integer> {
    static final String DEFAULT_SERVER = "https://localhost:8443/";

    @Option(names = "--server", paramLabel = "URL",
            description = {"The Sigil server's base URL (env SIGIL_SERVER).", "Default: ${DEFAULT-VALUE}"})
    String server;

    @Option(names = "--ca", paramLabel = "FILE",
            description = "PEM file of the CA certificate(s) to trust for the server's TLS certificate "
                    + "(env SIGIL_CA; default: the system trust store).")
    Path ca;

    @Option(names = "--user", paramLabel = "NAME", description = "The user name to log in with (env SIGIL_USER).")
    String user;

    @Option(names = "--credential", paramLabel = "ID", required = true, description = "The credential (key) to sign with.")
    String credential;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the signature (default: <FILE>.p7s).")
    Path outFile;

    @Option(names = "--algorithm", paramLabel = "ALGORITHM", converter = AlgorithmConverter.class,
            description = "The signature algorithm: sha256WithRSAEncryption, sha384WithRSAEncryption, "
                    + "sha512WithRSAEncryption, ecdsa-with-SHA256, ecdsa-with-SHA384, ecdsa-with-SHA512, "
                    + "rsassa-pss-sha256, rsassa-pss-sha384, rsassa-pss-sha512, or an OID "
                    + "(default: what the credential allows, preferring SHA-256).")
    SignatureAlgorithm algorithm;

    @Option(names = "--api", paramLabel = "v1|v2", defaultValue = "v2", converter = ApiConverter.class,
            description = "The CSC API version to speak (default: ${DEFAULT-VALUE}).")
    ApiVersion api;

    @Parameters(index = "0", paramLabel = "FILE", description = "The file to sign.")
    Path input;

    @Spec
    CommandSpec spec;

    private final Secrets secrets;
    private final PrintStream out;
    private final PrintStream err;

    SignCommand(Secrets secrets, PrintStream out, PrintStream err) {
        this.secrets = secrets;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        Console console = System.console();
        Secrets.Prompter prompter = console == null ? null : prompt -> console.readPassword("%s", prompt);
        System.exit(run(System.getenv(), prompter, System.out, System.err, args));
    }

    /**
     * Runs the command as {@code main} does, with its environment and terminal given.
     *
     * @param prompter the terminal, or {@code null} when there is none
     * @return the exit code
     */
    static int run(Map<String, String> env, Secrets.Prompter prompter, PrintStream out, PrintStream err,
            String... args) {
        CommandLine cmd = new CommandLine(new SignCommand(new Secrets(env, prompter), out, err));
        PrintWriter helpOut = new PrintWriter(out, true);
        PrintWriter helpErr = new PrintWriter(err, true);
        cmd.setOut(helpOut);
        cmd.setErr(helpErr);
        cmd.setDefaultValueProvider(option -> {
            if (!(option instanceof CommandLine.Model.OptionSpec o)) {
                return null;
            }
            switch (o.longestName()) {
                case "--server": {
                    String v = env.get("SIGIL_SERVER");
                    return v == null || v.isEmpty() ? DEFAULT_SERVER : v;
                }
                case "--ca":
                    return nonEmpty(env.get("SIGIL_CA"));
                case "--user":
                    return nonEmpty(env.get("SIGIL_USER"));
                default:
                    return null;
            }
        });
        cmd.setParameterExceptionHandler((e, a) -> {
            err.println("sigil-sign: " + oneLine(e.getMessage()));
            err.println("Try 'sigil-sign --help'.");
            return 2;
        });
        cmd.setExecutionExceptionHandler((e, c, parsed) -> {
            // A bug rather than a refusal: still one line and no stack trace.
            err.println("sigil-sign: unexpected error: " + oneLine(String.valueOf(e)));
            return 1;
        });
        try {
            return cmd.execute(args);
        } finally {
            // picocli prints help through these writers; the caller may exit right after.
            helpOut.flush();
            helpErr.flush();
        }
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n]+", " ").strip();
    }

    @Override
    public Integer call() {
        try {
            sign();
            return 0;
        } catch (SignException e) {
            err.println("sigil-sign: " + oneLine(e.getMessage()));
            return 1;
        }
    }

    private void sign() throws SignException {
        URI base = baseUri();
        if (user == null || user.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Missing required option: '--user=NAME' (or set SIGIL_USER)");
        }
        if (user.indexOf(':') >= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--user: a user name cannot contain ':'");
        }
        if (!Files.isRegularFile(input) || !Files.isReadable(input)) {
            throw new SignException("cannot read " + input + ": " + (Files.exists(input) ? "not a readable file" : "no such file"));
        }
        Path target = outFile != null ? outFile : input.resolveSibling(input.getFileName() + ".p7s");
        Path targetDir = target.toAbsolutePath().getParent();
        if (targetDir == null || !Files.isDirectory(targetDir)) {
            throw new SignException("cannot write " + target + ": no such directory");
        }
        try {
            if (Files.exists(target) && Files.isSameFile(target, input)) {
                throw new SignException("--out must not be the file being signed");
            }
        } catch (IOException e) {
            throw new SignException("cannot write " + target + ": " + e.getMessage());
        }
        secrets.requireAvailable(Kind.PASSWORD, Kind.PIN, Kind.OTP);

        HttpClient.Builder httpBuilder = HttpClient.newBuilder()
                .sslContext(TrustedCa.sslContext(ca))
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER);
        // Honours -Dhttps.proxyHost etc. (SIGIL_JAVA_OPTS); without it HttpClient ignores them.
        ProxySelector proxies = ProxySelector.getDefault();
        if (proxies != null) {
            httpBuilder.proxy(proxies);
        }
        HttpClient http = httpBuilder.build();
        CscClient csc = new CscClient(http, base, api, "sigil-sign/" + Version.version());

        char[] password = secrets.get(Kind.PASSWORD, "Password for " + user + ": ");
        try {
            csc.login(user, password);
        } finally {
            Arrays.fill(password, '\0');
        }
        Credential info;
        byte[] der;
        boolean signed = false;
        try {
            info = csc.info(credential);
            SignatureAlgorithm chosen;
            try {
                chosen = SignatureAlgorithm.choose(info.keyAlgorithms(), Optional.ofNullable(algorithm));
            } catch (IllegalArgumentException e) {
                throw new SignException("credential " + credential + ": " + e.getMessage());
            }
            RemoteContentSigner signer = new RemoteContentSigner(chosen, hash -> {
                // Asked for only now, after the file is hashed, so that the one-time code is fresh.
                char[] pin = secrets.get(Kind.PIN, "PIN for credential " + credential + ": ");
                char[] otp = null;
                String sad;
                try {
                    otp = secrets.get(Kind.OTP, "One-time code: ");
                    sad = csc.authorize(credential, hash, chosen.digest, pin, otp);
                } finally {
                    Arrays.fill(pin, '\0');
                    if (otp != null) {
                        Arrays.fill(otp, '\0');
                    }
                }
                return csc.signHash(credential, sad, hash, chosen);
            });
            der = DetachedCms.sign(input, info.chain(), signer, new Date());
            signed = true;
        } finally {
            try {
                csc.revoke();
            } catch (SignException e) {
                // The token expires by itself: not a reason to fail. After a failure, the first
                // error is the one line the user needs.
                if (signed) {
                    err.println("sigil-sign: warning: " + oneLine(e.getMessage()));
                }
            }
        }
        DetachedCms.verify(input, der, info.signer());
        write(target, der);
        out.println("Signed " + input + " with credential " + credential + " (" + info.subjectCommonName() + ") -> " + target);
    }

    /** The --server URL as a base for relative paths: https, ending with '/'. */
    private URI baseUri() {
        URI uri;
        try {
            uri = new URI(server);
        } catch (URISyntaxException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server: not a URL: " + server);
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--server must be an https:// URL with a host, e.g. " + DEFAULT_SERVER);
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server: no query or fragment, please: " + server);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (!path.endsWith("/")) {
            path += "/";
        }
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + path);
    }

    /**
     * Writes the signature so that {@code target} is either untouched or complete: a new file next
     * to it (created with the process's umask), forced to disk, then moved over it.
     */
    private static void write(Path target, byte[] der) throws SignException {
        Path dir = target.toAbsolutePath().getParent();
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        Path tmp = dir.resolve("." + target.getFileName() + "." + HexFormat.of().formatHex(random) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(der);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new SignException("cannot write " + target + ": " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort; the name starts with a dot
            }
        }
    }

    /** Turns --algorithm into a SignatureAlgorithm; an unknown name is a usage error. */
    static final class AlgorithmConverter implements CommandLine.ITypeConverter<SignatureAlgorithm> {
        @Override
        public SignatureAlgorithm convert(String value) {
            try {
                return SignatureAlgorithm.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Turns --api into an ApiVersion. */
    static final class ApiConverter implements CommandLine.ITypeConverter<ApiVersion> {
        @Override
        public ApiVersion convert(String value) {
            try {
                return ApiVersion.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        static String version() {
            String v = SignCommand.class.getPackage().getImplementationVersion();
            return v == null ? "development" : v;
        }

        @Override
        public String[] getVersion() {
            return new String[] {"sigil-sign " + version()};
        }
    }
}
