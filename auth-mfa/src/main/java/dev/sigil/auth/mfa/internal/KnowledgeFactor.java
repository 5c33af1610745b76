package dev.sigil.auth.mfa.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.FactorType;
import dev.sigil.api.auth.Verification;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Objects;

/**
 * The password and PIN authenticators; the subclasses only declare their component, rule,
 * configuration and cost. Here: the rule for new secrets, the peppered PBKDF2 verifier (see
 * {@link Pbkdf2Hasher}), and the upgrade of records of the unkeyed form or with fewer iterations
 * than configured.
 * Immutable and thread-safe. Attempt limits and lockout are not here: they are policy and live in
 * {@code core}.
 */
abstract class KnowledgeFactor implements Authenticator {
    private final FactorType type;
    private final SecretRule rule;
    private final Pbkdf2Hasher hasher;

    protected KnowledgeFactor(FactorType type, SecretRule rule, Pbkdf2Hasher hasher) {
        this.type = Objects.requireNonNull(type, "type");
        this.rule = Objects.requireNonNull(rule, "rule");
        this.hasher = Objects.requireNonNull(hasher, "hasher");
    }

    /**
     * Builds the hasher of a component from its configuration, refusing counts below the floor.
     *
     * @param pid        the configuration PID, named in the message
     * @param iterations the configured iteration count
     * @param floor      the lowest count this factor may be configured with
     * @throws SigilException {@link ErrorCode#CONFIGURATION} with a one-line message if
     *                        {@code iterations} is below {@code floor}
     */
    static Pbkdf2Hasher configuredHasher(String pid, FactorType type, int iterations, int floor, KeyDerivation kdf,
                                         DerivationPool.Lane lane) throws SigilException {
        if (iterations < floor) {
            throw new SigilException(ErrorCode.CONFIGURATION, pid + ": iterations is " + iterations
                    + ", must be at least " + floor);
        }
        return new Pbkdf2Hasher(type, iterations, new SecureRandom(), kdf, lane);
    }

    @Override
    public final FactorType type() {
        return type;
    }

    /**
     * {@inheritDoc} The secret must follow the factor's rule.
     *
     * @throws SigilException {@link ErrorCode#INVALID_REQUEST} with the rule if the secret breaks it;
     *                        {@link ErrorCode#BUSY} if the key-derivation pool is full
     */
    @Override
    public final FactorRecord enroll(char[] secret) throws SigilException {
        rule.check(secret);
        return new FactorRecord(type, hasher.hash(secret), 0);
    }

    /**
     * {@inheritDoc} {@code now} is not used. The presented secret is not checked
     * against the rule: it is only compared, and a rule that changes later must not lock out
     * secrets enrolled before.
     *
     * @throws SigilException {@link ErrorCode#INTERNAL} if the record is of another factor type,
     *                        cannot be decoded or was made with another pepper; {@link ErrorCode#BUSY}
     *                        if the key-derivation pool is full
     */
    @Override
    public final Verification verify(FactorRecord record, char[] presented, Instant now) throws SigilException {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(presented, "presented");
        if (record.type() != type) {
            throw new SigilException(ErrorCode.INTERNAL,
                    "stored factor record is of type " + record.type() + ", expected " + type);
        }
        return switch (hasher.verify(record.stored(), presented)) {
            case MISMATCH -> new Verification(false, record);
            case MATCH -> new Verification(true, record);
            // The secret is known only now: the one moment a keyed or stronger verifier can be made.
            case MATCH_NEEDS_REHASH ->
                    new Verification(true, new FactorRecord(type, hasher.hash(presented), record.counter()));
        };
    }
}
