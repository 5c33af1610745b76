package dev.sigil.core.internal.session;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.core.internal.store.SessionRepository;
import dev.sigil.core.internal.store.SessionRepository.Lockout;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Attempt limits per user and factor: after {@code maxFailures} consecutive failures the factor is
 * locked for {@code lockout}; during the lockout even the right secret is refused; a success
 * resets the count.
 */
final class Lockouts {
    private final SessionRepository repo;
    private final Policy policy;

    Lockouts(SessionRepository repo, Policy policy) {
        this.repo = repo;
        this.policy = policy;
    }

    /** The lockout, if the factor is locked now. */
    Long lockedUntil(Connection c, String userId, String factorKey, long now) throws SQLException {
        Lockout l = repo.lockout(c, userId, factorKey);
        return l.lockedUntil() > now ? l.lockedUntil() : null;
    }

    static SigilException locked(String what, long until) {
        return new SigilException(ErrorCode.FACTOR_LOCKED, what + " is locked after too many failed attempts; "
                + "try again after " + Instant.ofEpochMilli(until).toString().replaceFirst("\\.\\d+Z$", "Z"));
    }

    /** Counts a failure; returns the lockout end if this failure locked the factor. */
    Long failed(Connection c, String userId, String factorKey, long now) throws SQLException {
        Lockout l = repo.lockoutForUpdate(c, userId, factorKey, now);
        int failures = (l.lockedUntil() != 0 && l.lockedUntil() <= now ? 0 : l.failures()) + 1;
        if (failures >= policy.maxFailures()) {
            long until = now + policy.lockout().toMillis();
            repo.setLockout(c, userId, factorKey, new Lockout(0, until), now);
            return until;
        }
        repo.setLockout(c, userId, factorKey, new Lockout(failures, 0), now);
        return null;
    }

    void succeeded(Connection c, String userId, String factorKey, long now) throws SQLException {
        repo.setLockout(c, userId, factorKey, Lockout.NONE, now);
    }
}
