package dev.sigil.core.internal.session;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.time.Duration;

/**
 * Validated policy.
 *
 * @param tokenTtl       bearer token lifetime
 * @param sadTtl         SAD lifetime
 * @param sadMaxLifetime longest life of a SAD through extensions
 * @param maxFailures    consecutive failures of a password, PIN or one-time code before a lockout
 * @param lockout        how long a lockout lasts
 * @param pinMaxLockouts lockouts of a PIN without a success before it is blocked until an
 *                       administrator unblocks it
 * @param addressMaxFailures failed logins from one client address before it is locked out
 * @param addressLockout     how long a client address stays locked out
 * @param signTimeout        the longest a signing request may spend in its backend
 */
record Policy(Duration tokenTtl, Duration sadTtl, Duration sadMaxLifetime, int maxFailures, Duration lockout,
              int pinMaxLockouts, int addressMaxFailures, Duration addressLockout,
              Duration signTimeout) {
    static final Policy DEFAULT = new Policy(Duration.ofMinutes(30), Duration.ofMinutes(5), Duration.ofMinutes(30), 5,
            Duration.ofMinutes(5), 3, 20, Duration.ofMinutes(5), Duration.ofSeconds(30));

    static Policy from(PolicyConfig c) throws SigilException {
        check(c.token_ttl_seconds() >= 60 && c.token_ttl_seconds() <= 86_400, "token.ttl.seconds must be 60..86400");
        check(c.sad_ttl_seconds() >= 10 && c.sad_ttl_seconds() <= 3600, "sad.ttl.seconds must be 10..3600");
        check(c.sad_max_lifetime_seconds() >= c.sad_ttl_seconds() && c.sad_max_lifetime_seconds() <= 86_400,
                "sad.max.lifetime.seconds must be at least sad.ttl.seconds and at most 86400");
        check(c.max_failures() >= 1 && c.max_failures() <= 100, "max.failures must be 1..100");
        check(c.lockout_seconds() >= 1 && c.lockout_seconds() <= 86_400, "lockout.seconds must be 1..86400");
        check(c.pin_max_lockouts() >= 1 && c.pin_max_lockouts() <= 100, "pin.max.lockouts must be 1..100");
        check(c.address_max_failures() >= 1 && c.address_max_failures() <= 100_000,
                "address.max.failures must be 1..100000");
        check(c.address_lockout_seconds() >= 1 && c.address_lockout_seconds() <= 86_400,
                "address.lockout.seconds must be 1..86400");
        check(c.sign_timeout_seconds() >= 1 && c.sign_timeout_seconds() <= 600, "sign.timeout.seconds must be 1..600");
        return new Policy(Duration.ofSeconds(c.token_ttl_seconds()), Duration.ofSeconds(c.sad_ttl_seconds()),
                Duration.ofSeconds(c.sad_max_lifetime_seconds()), c.max_failures(),
                Duration.ofSeconds(c.lockout_seconds()), c.pin_max_lockouts(), c.address_max_failures(),
                Duration.ofSeconds(c.address_lockout_seconds()),
                Duration.ofSeconds(c.sign_timeout_seconds()));
    }

    private static void check(boolean ok, String message) throws SigilException {
        if (!ok) {
            throw new SigilException(ErrorCode.CONFIGURATION, "policy: " + message);
        }
    }
}
