package dev.sigil.core.internal.session;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.core.internal.store.AttemptRepository;
import dev.sigil.core.internal.store.AttemptRepository.Counter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Attempt limits that hold under parallel attack. An attempt is <em>reserved</em> before the secret
 * is checked: in one transaction the counters' rows are locked, the attempt is refused if any of
 * them is locked or blocked, and otherwise counted as a failure in advance and committed. Only then
 * is the secret checked; a success gives the attempt back. So however many requests arrive at once,
 * on however many nodes, at most {@code maxFailures} of them are checked before the lock, and a
 * lock, once set, is never shortened by another failure.
 *
 * <p>The counters (see {@code V2__attempt_limits.sql}):
 * <ul>
 * <li>{@code PASSWORD:<name>} per account name as presented (existing or not, so that a lock looks
 *     the same for every name), temporary lockouts only: anyone can try a password, so nobody
 *     must be able to lock an account for good;</li>
 * <li>{@code ADDRESS:<client address>}, temporary, so that one source cannot try many accounts;
 *     a success gives back only its own attempt (many users may share an address);</li>
 * <li>{@code PIN:<credential id>} like a smart card's PIN: repeated lockouts without a success
 *     block it until an administrator unblocks it; failures never expire;</li>
 * <li>{@code TOTP:<user id>}, temporary, shared by all the user's credentials.</li>
 * </ul>
 * Stateless apart from its rules; works in the caller's transaction.
 */
final class AttemptLimits {
    /**
     * How one kind of counter behaves.
     *
     * @param what          the subject of the refusal's sentence ("The PIN")
     * @param maxFailures   failures (counted in advance) that set a lockout
     * @param lockout       how long a lockout lasts
     * @param maxLockouts   lockouts without a success that block the counter; 0: never blocks
     * @param decays        whether a quiet period as long as a lockout forgets earlier failures
     * @param shared        whether a success gives back only its own attempt instead of resetting
     */
    record Rule(String what, int maxFailures, Duration lockout, int maxLockouts, boolean decays, boolean shared) {
    }

    /** A counter and its rule. */
    record Key(String key, Rule rule) {
    }

    /**
     * One counted attempt on one counter.
     *
     * @param lockSetTo the lockout end this attempt set in advance (0 if it set none), taken back
     *                  if the attempt succeeds
     * @param blockSet  whether this attempt blocked the counter in advance
     */
    record Held(Key key, long lockSetTo, boolean blockSet) {
    }

    /**
     * What {@link #reserve} decided.
     *
     * @param held       the attempts counted (empty if refused)
     * @param refusal    null if the attempt may go ahead, else the answer
     * @param refusedKey the counter that refused, for the audit log
     */
    record Reservation(List<Held> held, SigilException refusal, String refusedKey) {
        boolean granted() {
            return refusal == null;
        }
    }

    private final AttemptRepository repo = new AttemptRepository();
    private final Rule password;
    private final Rule address;
    private final Rule pin;
    private final Rule otp;

    AttemptLimits(Policy policy) {
        password = new Rule("The account", policy.maxFailures(), policy.lockout(), 0, true, false);
        address = new Rule("This client address", policy.addressMaxFailures(), policy.addressLockout(), 0, true, true);
        pin = new Rule("The PIN", policy.maxFailures(), policy.lockout(), policy.pinMaxLockouts(), false, false);
        otp = new Rule("The one-time code", policy.maxFailures(), policy.lockout(), 0, true, false);
    }

    /** The counters of a login: the name as presented and, when known, the client's address. */
    List<Key> login(String name, String clientAddress) {
        List<Key> keys = new ArrayList<>(2);
        keys.add(new Key("PASSWORD:" + bounded(name), password));
        if (clientAddress != null && !clientAddress.isBlank()) {
            keys.add(new Key("ADDRESS:" + bounded(clientAddress), address));
        }
        return keys;
    }

    /** The counters of an authorization: the credential's PIN and the user's one-time code. */
    List<Key> authorize(String userId, String credentialId) {
        return List.of(new Key(pinKey(credentialId), pin), new Key(totpKey(userId), otp));
    }

    /** The key of a credential's PIN counter. */
    static String pinKey(String credentialId) {
        return "PIN:" + bounded(credentialId);
    }

    /** The key of a user's one-time-code counter. */
    static String totpKey(String userId) {
        return "TOTP:" + bounded(userId);
    }

    /** Up to 100 characters as they are; longer values (any client can send them) by their SHA-256. */
    private static String bounded(String value) {
        if (value.length() <= 100) {
            return value;
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * Reserves one attempt on every counter, all or none: refused (nothing counted) if any counter
     * is blocked or locked; otherwise one failure is counted on each, in advance. Commit the
     * transaction before checking the secret.
     */
    Reservation reserve(Connection c, List<Key> keys, long now) throws SQLException {
        // Rows are locked in one order everywhere, so that two requests never wait on each other.
        List<Key> ordered = keys.stream().sorted(Comparator.comparing(Key::key)).toList();
        List<Counter> counters = new ArrayList<>(ordered.size());
        for (Key k : ordered) {
            Counter counter = repo.lock(c, k.key(), now);
            if (counter.blocked()) {
                return new Reservation(List.of(), new SigilException(ErrorCode.FACTOR_LOCKED, k.rule().what()
                        + " is blocked after repeated lockouts; an administrator must unblock it"), k.key());
            }
            if (counter.lockedUntil() > now) {
                return new Reservation(List.of(), locked(k.rule().what(), counter.lockedUntil()), k.key());
            }
            counters.add(counter);
        }
        List<Held> held = new ArrayList<>(ordered.size());
        for (int i = 0; i < ordered.size(); i++) {
            held.add(count(c, ordered.get(i), counters.get(i), now));
        }
        return new Reservation(List.copyOf(held), null, null);
    }

    private Held count(Connection c, Key k, Counter counter, long now) throws SQLException {
        Rule rule = k.rule();
        boolean lockEnded = counter.lockedUntil() != 0;
        boolean quiet = rule.decays() && now - counter.updatedAt() >= rule.lockout().toMillis();
        int failures = (lockEnded || quiet ? 0 : counter.failures()) + 1;
        int lockouts = quiet ? 0 : counter.lockouts();
        long lockedUntil = 0;
        boolean blocked = false;
        if (failures >= rule.maxFailures()) {
            lockedUntil = now + rule.lockout().toMillis();
            lockouts++;
            blocked = rule.maxLockouts() > 0 && lockouts >= rule.maxLockouts();
        }
        repo.update(c, k.key(), new Counter(failures, lockedUntil, lockouts, blocked, now));
        return new Held(k, lockedUntil, blocked);
    }

    /**
     * The reserved attempt succeeded: each counter is reset (a shared one gives back this attempt
     * only), and a lockout or block that this attempt set in advance is taken back. A lockout set by
     * another attempt stays as it is.
     */
    void succeeded(Connection c, Reservation r, long now) throws SQLException {
        for (Held h : r.held()) {
            Counter back = givenBack(repo.lock(c, h.key().key(), now), h);
            repo.update(c, h.key().key(), h.key().rule().shared() ? new Counter(back.failures(), back.lockedUntil(),
                    back.lockouts(), back.blocked(), now) : new Counter(0, back.lockedUntil(), 0, back.blocked(), now));
        }
    }

    /**
     * The reserved attempt got no verdict (the check itself failed, for example the server was too
     * busy to derive a key): the attempt is given back on every counter, with any lockout or block
     * it set in advance.
     */
    void release(Connection c, Reservation r, long now) throws SQLException {
        for (Held h : r.held()) {
            repo.update(c, h.key().key(), givenBack(repo.lock(c, h.key().key(), now), h));
        }
    }

    /** The counter without this attempt: one failure fewer, and its own lockout or block taken back. */
    private static Counter givenBack(Counter counter, Held h) {
        boolean mine = h.lockSetTo() != 0 && counter.lockedUntil() == h.lockSetTo();
        return new Counter(Math.max(0, counter.failures() - 1), mine ? 0 : counter.lockedUntil(),
                Math.max(0, counter.lockouts() - (mine ? 1 : 0)), counter.blocked() && !h.blockSet(),
                counter.updatedAt());
    }

    /**
     * What a failed attempt's audit record adds when its reservation set a lockout: "; locks the
     * account until T" and the like; empty if it set none.
     */
    static String locksSet(Reservation r) {
        StringBuilder out = new StringBuilder();
        for (Held h : r.held()) {
            if (h.lockSetTo() != 0) {
                out.append("; ").append(h.blockSet() ? "blocks " : "locks ").append(h.key().key().replaceFirst(":.*", ""))
                        .append(h.blockSet() ? "" : " until " + Instant.ofEpochMilli(h.lockSetTo()));
            }
        }
        return out.toString();
    }

    static SigilException locked(String what, long until) {
        return new SigilException(ErrorCode.FACTOR_LOCKED, what + " is locked after too many failed attempts; "
                + "try again after " + Instant.ofEpochMilli(until).toString().replaceFirst("\\.\\d+Z$", "Z"));
    }
}
