package dev.sigil.auth.mfa.internal;

import dev.sigil.api.SigilException;
import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.auth.FactorType;

import java.security.SecureRandom;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PIN factor, registered with {@code sigil.factor=PIN}. A new PIN must be 6 to 64 characters long
 * without whitespace; it is stored as a peppered PBKDF2-HMAC-SHA256 verifier (see
 * {@link Pbkdf2Hasher}) with {@value #DEFAULT_ITERATIONS} iterations by default: what protects a
 * six-digit PIN is the pepper and the attempt limit, not the iteration count (auth-mfa/README.md has
 * the arithmetic), so the check costs about a millisecond. Its derivations go first in the shared
 * pool ({@link DerivationPool.Lane#AUTHENTICATED}): only a caller with an access token reaches it.
 * The optional configuration {@value #PID} changes the iteration count. Stateless and thread-safe.
 *
 * <pre>{@code
 * // pin: the Authenticator service with (sigil.factor=PIN), e.g. a DS reference
 * FactorRecord rec = pin.enroll(secret); // store rec
 * Verification v = pin.verify(rec, presented, Instant.now());
 * if (v.accepted()) { ... } // store v.record()
 * }</pre>
 */
@Component(
        service = Authenticator.class,
        property = Authenticator.PROPERTY_FACTOR + "=PIN",
        configurationPid = PinAuthenticator.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true)
@Designate(ocd = PinAuthenticator.Config.class)
public final class PinAuthenticator extends KnowledgeFactor {
    /** The configuration PID. */
    public static final String PID = "dev.sigil.auth.pin";

    /** New PIN records; see the class comment for why this is enough with the pepper. */
    static final int DEFAULT_ITERATIONS = 1_000;
    /** The lowest count a deployment may configure. */
    static final int MIN_CONFIGURED_ITERATIONS = 1_000;

    static final SecretRule RULE = new SecretRule("PIN", 6, 64, false);

    private static final DerivationPool.Lane LANE = DerivationPool.Lane.AUTHENTICATED;
    private static final Logger LOG = LoggerFactory.getLogger(PinAuthenticator.class);

    /** The optional configuration. */
    @ObjectClassDefinition(
            id = PID,
            name = "Sigil PIN factor",
            description = "How PINs are hashed (PBKDF2-HMAC-SHA256, keyed with the pepper of dev.sigil.auth.kdf).")
    public @interface Config {
        @AttributeDefinition(
                name = "PBKDF2 iterations",
                description = "Iteration count for new PIN records, at least " + MIN_CONFIGURED_ITERATIONS
                        + ". A record with fewer iterations, or of the unkeyed form, is re-hashed with this count"
                        + " at its next successful verification.",
                min = "" + MIN_CONFIGURED_ITERATIONS)
        int iterations() default DEFAULT_ITERATIONS;
    }

    /**
     * The DS constructor.
     *
     * @param kdf the pepper and the pool shared with the password factor
     * @throws SigilException {@link dev.sigil.api.ErrorCode#CONFIGURATION} if the configured
     *                        iteration count is below the floor; the component then does not activate
     */
    @Activate
    public PinAuthenticator(@Reference KeyDerivation kdf, Config config) throws SigilException {
        this(KnowledgeFactor.configuredHasher(PID, FactorType.PIN, config.iterations(), MIN_CONFIGURED_ITERATIONS,
                kdf, LANE));
        LOG.info("PIN factor active: PBKDF2-HMAC-SHA256, {} iterations, keyed with pepper {}", config.iterations(),
                kdf.pepper().id());
    }

    /** For tests: any positive iteration count, no floor. */
    PinAuthenticator(KeyDerivation kdf, int iterations, SecureRandom random) {
        this(new Pbkdf2Hasher(FactorType.PIN, iterations, random, kdf, LANE));
    }

    private PinAuthenticator(Pbkdf2Hasher hasher) {
        super(FactorType.PIN, RULE, hasher);
    }
}
