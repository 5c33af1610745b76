package dev.sigil.auth.mfa.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the password and the PIN factor share for their key derivation: the {@link Pepper} that
 * keys every verifier, and the {@link DerivationPool} that bounds the PBKDF2 work of both. A
 * Declarative Services component of this bundle only (the package is not exported), so that the two
 * factors get the same instance without static state.
 *
 * <p>Configuration {@value #PID}: the pepper from {@code pepper.file} or {@code pepper.env}
 * (required: without it, activation fails with a one-line {@code CONFIGURATION} message naming the
 * setting), and the pool's bounds. Thread-safe; the pepper is zeroed at deactivation.
 *
 * <pre>{@code
 * // inside this bundle, as the factors do:
 * @Activate public PinAuthenticator(@Reference KeyDerivation kdf, Config config) { ... }
 * }</pre>
 */
@Component(service = KeyDerivation.class, configurationPid = KeyDerivation.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = KeyDerivation.Config.class)
public final class KeyDerivation {
    /** The configuration PID. */
    public static final String PID = "dev.sigil.auth.kdf";

    static final int DEFAULT_QUEUE = 4;
    static final int DEFAULT_MAX_WAIT_MS = 2000;

    private static final Logger LOG = LoggerFactory.getLogger(KeyDerivation.class);

    /** The configuration; the pepper is required. */
    @ObjectClassDefinition(
            id = PID,
            name = "Sigil key derivation",
            description = "The pepper that keys password and PIN verifiers (base64 of 32 random bytes, e.g."
                    + " 'openssl rand -base64 32', named by exactly one of pepper.env and pepper.file), and the"
                    + " bounds of the key-derivation work.")
    public @interface Config {
        @AttributeDefinition(name = "Pepper environment variable",
                description = "Name of the environment variable that holds the pepper.", required = false)
        String pepper_env() default "";

        @AttributeDefinition(name = "Pepper file",
                description = "Path of the file that holds the pepper (one trailing line break is ignored).",
                required = false)
        String pepper_file() default "";

        @AttributeDefinition(name = "Threads",
                description = "Key derivations at once; 0 means half the processors (at least one), so that"
                        + " signing keeps the rest; more than the processors are not used.", min = "0")
        int threads() default 0;

        @AttributeDefinition(name = "Queue",
                description = "Callers waiting for a turn, per lane (PIN, password); beyond them: 503.", min = "0")
        int queue() default DEFAULT_QUEUE;

        @AttributeDefinition(name = "Longest wait (ms)",
                description = "How long a waiting caller waits at most before 503.", min = "1")
        int max_wait_ms() default DEFAULT_MAX_WAIT_MS;
    }

    private final Pepper pepper;
    private final DerivationPool pool;

    /**
     * The DS constructor: the pepper from the process environment or a file.
     *
     * @throws SigilException {@link ErrorCode#CONFIGURATION} with a one-line message naming the
     *                        setting, never the pepper; the component then does not activate
     */
    @Activate
    public KeyDerivation(Config config) throws SigilException {
        this(config, System::getenv, Runtime.getRuntime().availableProcessors());
    }

    /** For tests: the environment and the number of processors are given. */
    KeyDerivation(Config config, Function<String, String> environment, int processors) throws SigilException {
        this.pool = configuredPool(config, processors);
        ConfiguredKey.Read read = ConfiguredKey.read(PID, "pepper", config.pepper_env(), config.pepper_file(),
                Pepper.BYTES, environment);
        try {
            this.pepper = new Pepper(read.key());
        } finally {
            Arrays.fill(read.key(), (byte) 0);
        }
        LOG.info("key derivation: pepper {} from {}; {}", pepper.id(), read.source(), pool);
    }

    /** For tests: a given pepper and pool. */
    KeyDerivation(Pepper pepper, DerivationPool pool) {
        this.pepper = Objects.requireNonNull(pepper, "pepper");
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    Pepper pepper() {
        return pepper;
    }

    DerivationPool pool() {
        return pool;
    }

    /** Zeroes the pepper; SCR calls this when the configuration goes or changes. */
    @Deactivate
    void deactivate() {
        pepper.destroy();
    }

    private static DerivationPool configuredPool(Config config, int processors) throws SigilException {
        if (config.threads() < 0) {
            throw configuration("threads is " + config.threads() + ", must be 0 (half the processors) or more");
        }
        if (config.queue() < 0) {
            throw configuration("queue is " + config.queue() + ", must be 0 or more");
        }
        if (config.max_wait_ms() < 1) {
            throw configuration("max.wait.ms is " + config.max_wait_ms() + ", must be at least 1");
        }
        // By default half the processors: a flood of logins must leave CPU for signing, TLS and the
        // database, and a PIN check (the one derivation on the signing path) takes a millisecond.
        int threads = config.threads() == 0 ? processors / 2 : Math.min(config.threads(), processors);
        return new DerivationPool(Math.max(1, threads), config.queue(), Duration.ofMillis(config.max_wait_ms()));
    }

    private static SigilException configuration(String message) {
        return new SigilException(ErrorCode.CONFIGURATION, PID + ": " + message);
    }
}
