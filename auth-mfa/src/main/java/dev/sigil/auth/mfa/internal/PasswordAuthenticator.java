package dev.sigil.auth.mfa.internal;

import dev.sigil.api.SigilException;
import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.auth.FactorType;

import java.security.SecureRandom;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The password factor, registered with {@code sigil.factor=PASSWORD}. A new password must be
 * 8 to 1024 characters long; it is stored as a PBKDF2-HMAC-SHA256 hash (see {@link Pbkdf2Hasher}). Runs
 * without configuration (600000 iterations); the optional configuration {@value #PID} changes the
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

    static final SecretRule RULE = new SecretRule("password", 8, 1024, true);

    private static final Logger LOG = LoggerFactory.getLogger(PasswordAuthenticator.class);

    /** The optional configuration. */
    @ObjectClassDefinition(
            id = PID,
            name = "Sigil password factor",
            description = "How passwords are hashed (PBKDF2-HMAC-SHA256).")
    public @interface Config {
        @AttributeDefinition(
                name = "PBKDF2 iterations",
                description = "Iteration count for new password records, at least "
                        + Pbkdf2Hasher.MIN_CONFIGURED_ITERATIONS + ". A record with fewer iterations is"
                        + " re-hashed with this count at its next successful verification.",
                min = "" + Pbkdf2Hasher.MIN_CONFIGURED_ITERATIONS)
        int iterations() default Pbkdf2Hasher.DEFAULT_ITERATIONS;
    }

    /**
     * The DS constructor.
     *
     * @throws SigilException {@link dev.sigil.api.ErrorCode#CONFIGURATION} if the configured
     *                        iteration count is below the floor; the component then does not activate
     */
    @Activate
    public PasswordAuthenticator(Config config) throws SigilException {
        this(KnowledgeFactor.configuredHasher(PID, config.iterations()));
        LOG.info("password factor active: PBKDF2-HMAC-SHA256, {} iterations", config.iterations());
    }

    /** For tests: any positive iteration count, no floor. */
    PasswordAuthenticator(int iterations, SecureRandom random) {
        this(new Pbkdf2Hasher(iterations, random));
    }

    private PasswordAuthenticator(Pbkdf2Hasher hasher) {
        super(FactorType.PASSWORD, RULE, hasher);
    }
}
