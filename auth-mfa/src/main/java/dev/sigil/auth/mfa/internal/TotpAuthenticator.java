package dev.sigil.auth.mfa.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.FactorType;
import dev.sigil.api.auth.Verification;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

import javax.crypto.Mac;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TOTP factor (RFC 6238), registered with {@code sigil.factor=TOTP}. The secret given to
 * {@link #enroll} is the seed in Base32 as authenticator apps show it (16 to 64 bytes); the record
 * holds it encrypted with AES-256-GCM under a key-encryption key (KEK) from configuration (see
 * {@link SeedCipher} for the stored form). {@link #verify} accepts a code of the current time step
 * or up to {@code window} steps either side, but only for a step later than the record's counter,
 * the last accepted step: a code is accepted at most once, and never after a later one.
 *
 * <p>Needs the configuration {@value #PID} with {@code kek.env} or {@code kek.file}; without it
 * there is no TOTP service. Stateless apart from the KEK, and thread-safe. Attempt limits and
 * lockout are policy and live in {@code core}.
 *
 * <pre>{@code
 * // totp: the Authenticator service with (sigil.factor=TOTP), e.g. a DS reference
 * FactorRecord rec = totp.enroll(base32Seed);      // store rec; show the seed once (QR code)
 * Verification v = totp.verify(rec, code, Instant.now());
 * if (v.accepted()) { ... }                        // store v.record(): it carries the used step
 * }</pre>
 */
@Component(
        service = Authenticator.class,
        property = Authenticator.PROPERTY_FACTOR + "=TOTP",
        configurationPid = TotpAuthenticator.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true)
@Designate(ocd = TotpAuthenticator.Config.class)
public final class TotpAuthenticator implements Authenticator {
    /** The configuration PID. */
    public static final String PID = "dev.sigil.auth.totp";

    static final int MIN_SEED_BYTES = 16;
    static final int MAX_SEED_BYTES = 64;
    static final int MAX_WINDOW = 2;
    static final int MIN_PERIOD = 10;
    static final int MAX_PERIOD = 300;

    /** The rule for a new seed, as {@link #enroll} reports it. */
    static final String SEED_RULE = "TOTP seed must be Base32 (RFC 4648) of " + MIN_SEED_BYTES + " to "
            + MAX_SEED_BYTES + " bytes";

    private static final Logger LOG = LoggerFactory.getLogger(TotpAuthenticator.class);

    /** The configuration; required for the KEK. */
    @ObjectClassDefinition(
            id = PID,
            name = "Sigil TOTP factor",
            description = "Time-based one-time codes (RFC 6238). Seeds are stored encrypted with a"
                    + " key-encryption key (KEK): base64 of 32 random bytes, e.g. 'openssl rand -base64 32',"
                    + " named by exactly one of kek.env and kek.file.")
    public @interface Config {
        @AttributeDefinition(
                name = "KEK environment variable",
                description = "Name of the environment variable that holds the KEK.",
                required = false)
        String kek_env() default "";

        @AttributeDefinition(
                name = "KEK file",
                description = "Path of the file that holds the KEK (one trailing line break is ignored).",
                required = false)
        String kek_file() default "";

        @AttributeDefinition(
                name = "Window",
                description = "Time steps accepted before and after the current one, 0 to " + MAX_WINDOW + ".",
                min = "0",
                max = "" + MAX_WINDOW)
        int window() default 1;

        @AttributeDefinition(
                name = "Digits",
                description = "Code length of new enrollments: 6 or 8.",
                options = {
                    @Option(label = "6", value = "6"),
                    @Option(label = "8", value = "8")
                })
        int digits() default 6;

        @AttributeDefinition(
                name = "Period",
                description = "Time step of new enrollments in seconds, " + MIN_PERIOD + " to " + MAX_PERIOD + ".",
                min = "" + MIN_PERIOD,
                max = "" + MAX_PERIOD)
        int period() default 30;

        @AttributeDefinition(
                name = "Algorithm",
                description = "HMAC function of new enrollments. Most authenticator apps know only SHA1.",
                options = {
                    @Option(label = "SHA1", value = "SHA1"),
                    @Option(label = "SHA256", value = "SHA256"),
                    @Option(label = "SHA512", value = "SHA512")
                })
        String algorithm() default "SHA1";
    }

    private final TotpParameters parameters;
    private final int window;
    private final SeedCipher cipher;

    /**
     * The DS constructor; the KEK comes from the process environment or a file.
     *
     * @throws SigilException {@link ErrorCode#CONFIGURATION} with a one-line message naming the
     *                        setting (never the KEK) if the KEK is missing, unreadable or not base64
     *                        of 32 bytes, or another property is out of range; the component then
     *                        does not activate
     */
    @Activate
    public TotpAuthenticator(Config config) throws SigilException {
        this(config, System::getenv, new SecureRandom());
    }

    /**
     * For tests: the environment is a lookup function.
     *
     * @param environment looks up environment variables for {@code kek.env}
     */
    TotpAuthenticator(Config config, Function<String, String> environment, SecureRandom random)
            throws SigilException {
        this.parameters = configuredParameters(config);
        this.window = configuredWindow(config.window());
        ConfiguredKey.Read kek = ConfiguredKey.read(PID, "kek", config.kek_env(), config.kek_file(),
                SeedCipher.KEK_BYTES, environment);
        try {
            this.cipher = new SeedCipher(kek.key(), random, MIN_SEED_BYTES, MAX_SEED_BYTES);
        } finally {
            Arrays.fill(kek.key(), (byte) 0);
        }
        LOG.info("TOTP factor active: new seeds {}, {} digits, {} s steps; {} step(s) either side accepted;"
                + " KEK from {}", parameters.algorithm(), parameters.digits(), parameters.period(), window,
                kek.source());
    }

    /** Zeroes the KEK; SCR calls this when the configuration goes or changes. */
    @Deactivate
    void deactivate() {
        cipher.destroy();
    }

    @Override
    public FactorType type() {
        return FactorType.TOTP;
    }

    /**
     * {@inheritDoc} The secret is the seed in Base32 (RFC 4648): case, whitespace and {@code '='}
     * are ignored; it must decode to 16 to 64 bytes (RFC 4226 asks for at least 128 bits, 160
     * recommended). The record takes the configured algorithm, digits and period, and counter 0.
     */
    @Override
    public FactorRecord enroll(char[] secret) throws SigilException {
        Objects.requireNonNull(secret, "secret");
        byte[] seed;
        try {
            seed = Base32.decode(secret, MAX_SEED_BYTES);
        } catch (IllegalArgumentException e) {
            throw new SigilException(ErrorCode.INVALID_REQUEST, SEED_RULE);
        }
        try {
            if (seed.length < MIN_SEED_BYTES) {
                throw new SigilException(ErrorCode.INVALID_REQUEST, SEED_RULE);
            }
            return new FactorRecord(FactorType.TOTP, cipher.seal(seed, parameters), 0);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /**
     * {@inheritDoc} The presented code must be exactly the record's number of ASCII digits;
     * anything else is refused like a wrong code. With T the time step of {@code now}, the code is
     * compared with those of steps T-window to T+window, all of them, in constant time; it is
     * accepted for the latest matching step that is greater than {@link FactorRecord#counter()},
     * and the returned record carries that step as its counter. A refusal returns the input record.
     *
     * @throws SigilException {@link ErrorCode#INTERNAL} with {@value SeedCipher#UNREADABLE} if the
     *                        record is of another factor type, malformed, changed, or encrypted
     *                        under another KEK
     */
    @Override
    public Verification verify(FactorRecord record, char[] presented, Instant now) throws SigilException {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(presented, "presented");
        Objects.requireNonNull(now, "now");
        if (record.type() != FactorType.TOTP) {
            throw SeedCipher.unreadable("record is of type " + record.type() + ", expected TOTP");
        }
        SeedCipher.Opened opened = cipher.open(record.stored());
        byte[] seed = opened.seed();
        byte[] code = null;
        try {
            TotpParameters p = opened.parameters();
            code = asciiDigits(presented, p.digits());
            if (code == null) {
                return new Verification(false, record);
            }
            long step = Math.floorDiv(now.getEpochSecond(), (long) p.period());
            long accepted = matchingStep(Hotp.mac(p.algorithm(), seed), p.digits(), code, step, record.counter());
            return accepted > record.counter()
                    ? new Verification(true, new FactorRecord(FactorType.TOTP, record.stored(), accepted))
                    : new Verification(false, record);
        } finally {
            Arrays.fill(seed, (byte) 0);
            if (code != null) {
                Arrays.fill(code, (byte) 0);
            }
        }
    }

    /**
     * The latest step in {@code step ± window} after {@code counter} whose code equals
     * {@code code}, or {@code counter} if none. Every step of the window is computed and compared,
     * so the time taken does not depend on where, or whether, the code matched.
     */
    private long matchingStep(Mac mac, int digits, byte[] code, long step, long counter) {
        byte[] expected = new byte[digits];
        long accepted = counter;
        try {
            for (long s = step - window; s <= step + window; s++) {
                Hotp.ascii(Hotp.value(mac, s, digits), expected);
                boolean match = MessageDigest.isEqual(expected, code);
                // The latest match, so that a code matching two steps cannot be used at each.
                if (match & (s > counter)) {
                    accepted = s;
                }
            }
            return accepted;
        } finally {
            Arrays.fill(expected, (byte) 0);
        }
    }

    /** The code as ASCII bytes, or null if it is not exactly {@code digits} ASCII digits. */
    private static byte[] asciiDigits(char[] presented, int digits) {
        if (presented.length != digits) {
            return null;
        }
        byte[] out = new byte[digits];
        for (int i = 0; i < digits; i++) {
            char c = presented[i];
            if (c < '0' || c > '9') {
                Arrays.fill(out, (byte) 0);
                return null;
            }
            out[i] = (byte) c;
        }
        return out;
    }

    private static TotpParameters configuredParameters(Config config) throws SigilException {
        int digits = config.digits();
        if (digits != 6 && digits != 8) {
            throw configuration("digits is " + digits + ", must be 6 or 8");
        }
        int period = config.period();
        if (period < MIN_PERIOD || period > MAX_PERIOD) {
            throw configuration("period is " + period + ", must be " + MIN_PERIOD + " to " + MAX_PERIOD + " seconds");
        }
        String name = config.algorithm() == null ? "" : config.algorithm().trim().toUpperCase(Locale.ROOT);
        for (TotpAlgorithm a : TotpAlgorithm.values()) {
            if (a.name().equals(name)) {
                return new TotpParameters(a, digits, period);
            }
        }
        throw configuration("algorithm must be SHA1, SHA256 or SHA512");
    }

    private static int configuredWindow(int window) throws SigilException {
        if (window < 0 || window > MAX_WINDOW) {
            throw configuration("window is " + window + ", must be 0 to " + MAX_WINDOW);
        }
        return window;
    }

    private static SigilException configuration(String message) {
        return new SigilException(ErrorCode.CONFIGURATION, PID + ": " + message);
    }
}
