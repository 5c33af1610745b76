package dev.sigil.api.auth;

import dev.sigil.api.SigilException;

import java.time.Instant;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Enrolls and verifies one factor type. Register one service per factor type with the service
 * property {@value #PROPERTY_FACTOR} set to the {@link FactorType} name.
 *
 * <p>Implementations are stateless and thread-safe: all state lives in the {@link FactorRecord}
 * that the caller stores. They compare in constant time and never log, keep or echo a secret. The
 * caller owns the {@code char[]} buffers and zeroes them after the call.
 *
 * <pre>{@code
 * FactorRecord rec = pin.enroll(newPin);          // store rec
 * Verification v = pin.verify(rec, presented, Instant.now());
 * if (v.accepted()) { ... } // store v.record()
 * }</pre>
 */
@ConsumerType
public interface Authenticator {
    /** The service property naming the factor type. */
    String PROPERTY_FACTOR = "sigil.factor";

    /** The factor type this authenticator handles. */
    FactorType type();

    /**
     * Turns a new secret into the record to store.
     *
     * @param secret the secret; read, not kept, not modified
     * @throws SigilException {@link dev.sigil.api.ErrorCode#INVALID_REQUEST} if the secret breaks the
     *                        factor's rules (too short, wrong alphabet), with the rule in the message
     */
    FactorRecord enroll(char[] secret) throws SigilException;

    /**
     * Checks a presented secret against a stored record.
     *
     * @param record    the stored record of this factor type
     * @param presented the secret the user gave; read, not kept, not modified
     * @param now       the current time (time-based factors)
     * @throws SigilException {@link dev.sigil.api.ErrorCode#INTERNAL} if the record cannot be decoded
     */
    Verification verify(FactorRecord record, char[] presented, Instant now) throws SigilException;
}
