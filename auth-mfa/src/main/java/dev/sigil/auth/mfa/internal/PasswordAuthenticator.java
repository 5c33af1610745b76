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
 * The password factor, registered with {@code sigil.factor=PASSWORD}. A new password must be
 * 8 to 1024 characters long; it is stored as a peppered PBKDF2-HMAC-SHA256 verifier (see
 * {@link Pbkdf2Hasher}) with {@value #DEFAULT_ITERATIONS} iterations by default: a password is
 * chosen by a person and may be guessable, so it keeps a slow KDF in case the pepper is stolen along
 * with the database. Anyone can cause a password check, so its derivations wait in the shared
 * pool's {@link DerivationPool.Lane#OPEN} lane. The optional configuration {@value #PID} changes the
 * iteration count. Stateless and thread-safe.
 *
 * <pre>{@code
 * // password: the Authenticator service with (sigil.factor=PASSWORD), e.g. a DS reference
 * FactorRecord rec = password.enroll(secret); // store rec
 * Verification v = password.verify(rec, presented, Instant.now());
 * if (v.accepted()) { ... } // store v.record()
 * }</pre>
 */
@Component(
        service = Authenticator.class,
        property = Authenticator.PROPERTY_FACTOR + "=PASSWORD",
        configurationPid = PasswordAuthenticator.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true)
@Designate(ocd = PasswordAuthenticator.Config.class)
public final class PasswordAuthenticator extends KnowledgeFactor {
    /** The configuration PID. */
    public static final String PID = "dev.sigil.auth.password";

    /** OWASP's recommendation for PBKDF2-HMAC-SHA256 (Password Storage Cheat Sheet). */
    static final int DEFAULT_ITERATIONS = 600_000;
    /** The lowest count a deployment may configure. */
    static final int MIN_CONFIGURED_ITERATIONS = 100_000;

    static final SecretRule RULE = new SecretRule("password", 8, 1024, true);

    private static final DerivationPool.Lane LANE = DerivationPool.Lane.OPEN;
    private static final Logger LOG = LoggerFactory.getLogger(PasswordAuthenticator.class);

    /** The optional configuration. */
    @ObjectClassDefinition(
            id = PID,
            name = "Sigil password factor",
            description = "How passwords are hashed (PBKDF2-HMAC-SHA256, keyed with the pepper of dev.sigil.auth.kdf).")
    public @interface Config {
        @AttributeDefinition(
                name = "PBKDF2 iterations",
                description = "Iteration count for new password records, at least " + MIN_CONFIGURED_ITERATIONS
                        + ". A record with fewer iterations, or of the unkeyed form, is re-hashed with this count"
                        + " at its next successful verification.",
                min = "" + MIN_CONFIGURED_ITERATIONS)
        int iterations() default DEFAULT_ITERATIONS;
    }

    /**
     * The DS constructor.
     *
     * @param kdf the pepper and the pool shared with the PIN factor
     * @throws SigilException {@link dev.sigil.api.ErrorCode#CONFIGURATION} if the configured
     *                        iteration count is below the floor; the component then does not activate
     */
    @Activate
    public PasswordAuthenticator(@Reference KeyDerivation kdf, Config config) throws SigilException {
        this(KnowledgeFactor.configuredHasher(PID, FactorType.PASSWORD, config.iterations(),
                MIN_CONFIGURED_ITERATIONS, kdf, LANE));
        LOG.info("password factor active: PBKDF2-HMAC-SHA256, {} iterations, keyed with pepper {}",
                config.iterations(), kdf.pepper().id());
    }

    /** For tests: any positive iteration count, no floor. */
    PasswordAuthenticator(KeyDerivation kdf, int iterations, SecureRandom random) {
        this(new Pbkdf2Hasher(FactorType.PASSWORD, iterations, random, kdf, LANE));
    }

    private PasswordAuthenticator(Pbkdf2Hasher hasher) {
        super(FactorType.PASSWORD, RULE, hasher);
    }
}
