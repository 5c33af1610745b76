package dev.sigil.core.internal.session;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.HashAlgorithm;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.FactorType;
import dev.sigil.api.auth.Verification;
import dev.sigil.api.backend.CallContext;
import dev.sigil.api.credential.Credential;
import dev.sigil.api.session.Authorization;
import dev.sigil.api.session.RequestContext;
import dev.sigil.api.session.Session;
import dev.sigil.api.session.SoleControl;
import dev.sigil.api.signing.SigningService;
import dev.sigil.core.internal.store.AuditEvent;
import dev.sigil.core.internal.store.AuditEvent.Outcome;
import dev.sigil.core.internal.store.AuditLog;
import dev.sigil.core.internal.store.CredentialRepository;
import dev.sigil.core.internal.store.CredentialRepository.StoredCredential;
import dev.sigil.core.internal.store.SessionRepository;
import dev.sigil.core.internal.store.SessionRepository.Sad;
import dev.sigil.core.internal.store.Store;
import dev.sigil.core.internal.store.StoreComponent;
import dev.sigil.core.internal.store.UserRepository;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;

/**
 * The sole-control rules of {@code ARCHITECTURE.md}: a SAD is random, stored as its hash, bound to
 * user, credential, the exact hashes, their algorithm, an expiry and a count; each hash is signed at
 * most once, only for the user who authorized it. Refusals are audited in a transaction of their
 * own (the refused work is rolled back); successes are audited in the same transaction as the work.
 */
@Component(service = SoleControl.class, configurationPid = "dev.sigil.policy",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class SoleControlImpl implements SoleControl {
    private final Store store;
    private final Authenticator pinFactor;
    private final Authenticator otpFactor;
    private final SigningService signing;
    private final Policy policy;
    private final Clock clock;
    private final AuditLog audit;
    private final AttemptLimits limits;
    private volatile FactorRecord decoyTotp;
    private final UserRepository users = new UserRepository();
    private final CredentialRepository credentials = new CredentialRepository();
    private final SessionRepository sessions = new SessionRepository();

    @Activate
    public SoleControlImpl(@Reference StoreComponent store,
                           @Reference(target = "(" + Authenticator.PROPERTY_FACTOR + "=PIN)") Authenticator pin,
                           @Reference(target = "(" + Authenticator.PROPERTY_FACTOR + "=TOTP)") Authenticator otp,
                           @Reference SigningService signing, PolicyConfig config) throws SigilException {
        this(store.store(), pin, otp, signing, Policy.from(config), Clock.systemUTC());
    }

    SoleControlImpl(Store store, Authenticator pin, Authenticator otp, SigningService signing, Policy policy,
                    Clock clock) {
        this.store = store;
        this.pinFactor = pin;
        this.otpFactor = otp;
        this.signing = signing;
        this.policy = policy;
        this.clock = clock;
        this.audit = store.audit();
        this.limits = new AttemptLimits(policy);
    }

    /** A refusal: audited in its own transaction, then thrown. */
    private SigilException refuse(String event, String userId, String credentialId, RequestContext ctx,
                                  String auditDetail, SigilException answer) throws SigilException {
        audit.appendNow(store, new AuditEvent(event, Outcome.REFUSED, userId, credentialId, ctx,
                auditDetail));
        return answer;
    }

    /**
     * How the audit log names a SAD: the first 16 hex digits of the SHA-256 the store keeps (the
     * SAD itself is a secret and never logged).
     */
    static String sadId(String sadHash) {
        return "SAD " + sadHash.substring(0, 16);
    }

    /** Up to this many hashes are named one by one in an audit record; more by their digest. */
    static final int LISTED_HASHES = 16;

    /**
     * How the audit log names the hashes of a request: each in base64 as the client sent it, or, for
     * more than {@value #LISTED_HASHES}, the SHA-256 of their base64 forms joined by line breaks.
     */
    static String digestList(List<String> digests) {
        if (digests.size() <= LISTED_HASHES) {
            return "[" + String.join(", ", digests) + "]";
        }
        return "sha256:" + Secrets.hash(String.join("\n", digests)) + " of " + digests.size();
    }

    /** The one answer for any wrong combination of PIN and one-time code. */
    static SigilException invalidFactors() {
        return new SigilException(ErrorCode.AUTHENTICATION_FAILED, "Invalid PIN or OTP");
    }

    /** A TOTP record to check codes against for a user without one: the same work, never a match. */
    private FactorRecord decoyTotp() throws SigilException {
        FactorRecord d = decoyTotp;
        if (d == null) {
            char[] seed = OtpAuth.newSeed();
            try {
                d = otpFactor.enroll(seed);
            } finally {
                java.util.Arrays.fill(seed, '\0');
            }
            decoyTotp = d;
        }
        return d;
    }

    private static SigilException invalid(String description) {
        return new SigilException(ErrorCode.INVALID_REQUEST, description);
    }

    /** Why a request is refused: the audit detail and the answer. */
    private record Refusal(String auditDetail, SigilException answer) {
    }

    private SigilException refuse(String event, String userId, String credentialId, RequestContext ctx,
                                  Refusal r) throws SigilException {
        return refuse(event, userId, credentialId, ctx, r.auditDetail(), r.answer());
    }

    private static Refusal noCredentialId() {
        return new Refusal("no credentialID", invalid("Missing (or invalid type) string parameter credentialID"));
    }

    /** Null if the found credential is the caller's own and enabled, else the refusal. */
    private static Refusal credentialRefusal(Optional<StoredCredential> found, String userId) {
        if (found.isEmpty() || !found.get().credential().owner().equals(userId)) {
            return new Refusal(found.isEmpty() ? "unknown credential" : "credential of another user",
                    invalid("Invalid parameter credentialID"));
        }
        if (!found.get().credential().enabled()) {
            return new Refusal("credential disabled",
                    new SigilException(ErrorCode.NOT_AUTHORIZED, "The credential is disabled"));
        }
        return null;
    }

    /** The caller's own credential, else the same refusal as for a credential that does not exist. */
    private StoredCredential ownCredential(String event, String userId, String credentialId, RequestContext ctx)
            throws SigilException {
        if (credentialId == null || credentialId.isBlank()) {
            throw refuse(event, userId, null, ctx, noCredentialId());
        }
        Optional<StoredCredential> found = store.inTransaction(c -> credentials.findForSigning(c, credentialId));
        Refusal r = credentialRefusal(found, userId);
        if (r != null) {
            throw refuse(event, userId, credentialId, ctx, r);
        }
        return found.get();
    }

    @Override
    public Authorization authorize(Session session, String credentialId, int numSignatures, List<byte[]> hashes,
                                   HashAlgorithm hashAlgorithm, char[] pin, char[] otp, RequestContext ctx)
            throws SigilException {
        String userId = session.userId();
        String event = "credentials.authorize";
        StoredCredential sc = ownCredential(event, userId, credentialId, ctx);
        Credential cr = sc.credential();
        if (hashAlgorithm == null) {
            throw refuse(event, userId, credentialId, ctx, "no hash algorithm",
                    invalid("Missing or unsupported parameter hashAlgorithmOID"));
        }
        if (cr.algorithms().stream().noneMatch(a -> a.hash() == hashAlgorithm)) {
            throw refuse(event, userId, credentialId, ctx, "hash algorithm " + hashAlgorithm + " not allowed",
                    invalid("The credential does not sign " + hashAlgorithm.jcaName() + " hashes"));
        }
        if (numSignatures < 1 || numSignatures > cr.multisign()) {
            throw refuse(event, userId, credentialId, ctx, "numSignatures " + numSignatures,
                    invalid("numSignatures must be between 1 and " + cr.multisign() + " for this credential"));
        }
        List<String> digests = encodeDistinct(event, userId, credentialId, ctx, hashes, hashAlgorithm);
        if (digests.size() != numSignatures) {
            throw refuse(event, userId, credentialId, ctx, digests.size() + " hashes for numSignatures "
                    + numSignatures, invalid("The number of hashes must equal numSignatures"));
        }
        if (pin == null || pin.length == 0) {
            throw refuse(event, userId, credentialId, ctx, "no PIN", invalid("Missing parameter PIN"));
        }
        if (otp == null || otp.length == 0) {
            throw refuse(event, userId, credentialId, ctx, "no OTP", invalid("Missing parameter OTP"));
        }
        long now = clock.millis();
        Instant at = Instant.ofEpochMilli(now);
        // 1. Reserve the attempt on the PIN's and the one-time code's counters before checking
        //    either, in one transaction that also reads the user's TOTP record.
        record Start(AttemptLimits.Reservation reservation, Optional<FactorRecord> totp) {
        }
        Start start = store.inTransaction(c -> new Start(limits.reserve(c, limits.authorize(userId, credentialId), now),
                users.factor(c, userId, FactorType.TOTP)));
        if (!start.reservation().granted()) {
            throw refuse(event, userId, credentialId, ctx, "locked (" + start.reservation().refusedKey()
                    .replaceFirst(":.*", "") + ")", start.reservation().refusal());
        }
        // 2. Both factors are always checked, and any wrong combination gets one answer: the PIN
        //    cannot be guessed apart from the code, nor told apart by the time the answer takes.
        Verification pinCheck;
        Verification otpCheck;
        try {
            pinCheck = pinFactor.verify(sc.pin(), pin, at);
            otpCheck = otpFactor.verify(start.totp().isPresent() ? start.totp().get() : decoyTotp(), otp, at);
        } catch (SigilException noVerdict) {
            store.inTransaction(c -> {
                limits.release(c, start.reservation(), now);
                return null;
            });
            throw noVerdict;
        }
        boolean bothRight = pinCheck.accepted() && otpCheck.accepted() && start.totp().isPresent();
        String sad = Secrets.newOpaqueValue();
        String sadHash = Secrets.hash(sad);
        long expires = now + policy.sadTtl().toMillis();
        // 3. One transaction: store the code's time step, and only if that conditional update wins
        //    (of two concurrent requests with the same code, only one can), the SAD and its record.
        boolean stepStored = bothRight && store.<Boolean>inTransaction(c -> {
            if (!users.replaceFactor(c, userId, start.totp().get(), otpCheck.record(), now)) {
                return false; // nothing written
            }
            limits.succeeded(c, start.reservation(), now);
            if (!pinCheck.record().equals(sc.pin())) {
                credentials.setPin(c, credentialId, pinCheck.record());
            }
            sessions.insertSad(c, new Sad(sadHash, userId, session.id(), credentialId, hashAlgorithm.oid(), now,
                    expires, numSignatures), digests);
            audit.append(c, new AuditEvent(event, Outcome.SUCCESS, userId, credentialId, ctx,
                    sadId(sadHash) + " for " + numSignatures + " " + hashAlgorithm.jcaName() + " hash(es) "
                            + digestList(digests) + ", expires in " + policy.sadTtl().toSeconds() + " s"));
            return true;
        });
        if (!stepStored) {
            String why = start.totp().isEmpty() ? "no TOTP enrolled"
                    : !pinCheck.accepted() && !otpCheck.accepted() ? "wrong PIN and OTP"
                    : !pinCheck.accepted() ? "wrong PIN" : !otpCheck.accepted() ? "wrong or reused OTP"
                    : "OTP replayed concurrently";
            throw refuse(event, userId, credentialId, ctx, why + AttemptLimits.locksSet(start.reservation()),
                    invalidFactors());
        }
        return new Authorization(sad, policy.sadTtl());
    }

    private List<String> encodeDistinct(String event, String userId, String credentialId, RequestContext ctx,
                                        List<byte[]> hashes, HashAlgorithm algorithm) throws SigilException {
        List<String> out = new ArrayList<>();
        Refusal r = encodeDistinct(hashes, algorithm, out);
        if (r != null) {
            throw refuse(event, userId, credentialId, ctx, r);
        }
        return out;
    }

    /** Adds the Base64 of each hash to {@code out}; null if the hashes are well formed, else the refusal. */
    private static Refusal encodeDistinct(List<byte[]> hashes, HashAlgorithm algorithm, List<String> out) {
        if (hashes == null || hashes.isEmpty()) {
            return new Refusal("no hashes", invalid("Missing parameter hashes"));
        }
        Set<String> seen = new HashSet<>();
        for (byte[] h : hashes) {
            if (h == null || h.length != algorithm.digestLength()) {
                return new Refusal("hash of " + (h == null ? 0 : h.length) + " bytes",
                        invalid("Invalid hash length: a " + algorithm.jcaName() + " hash is "
                                + algorithm.digestLength() + " bytes"));
            }
            String d = Base64.getEncoder().encodeToString(h);
            if (!seen.add(d)) {
                return new Refusal("duplicate hash", invalid("Duplicate hash"));
            }
            out.add(d);
        }
        return null;
    }

    @Override
    public Authorization extend(Session session, String credentialId, String sad, RequestContext ctx)
            throws SigilException {
        String userId = session.userId();
        String event = "credentials.extendTransaction";
        ownCredential(event, userId, credentialId, ctx);
        long now = clock.millis();
        String newSad = Secrets.newOpaqueValue();
        long[] expires = new long[1];
        String refusal = sad == null || sad.isBlank() ? "no SAD" : store.inTransaction(c -> {
            Optional<Sad> s = sessions.lockSad(c, Secrets.hash(sad));
            String why = check(s, session, credentialId, now);
            if (why != null) {
                return why;
            }
            long limit = s.get().createdAt() + policy.sadMaxLifetime().toMillis();
            if (limit <= now) {
                return "SAD at its maximum lifetime";
            }
            expires[0] = Math.min(now + policy.sadTtl().toMillis(), limit);
            sessions.replaceSad(c, s.get(), Secrets.hash(newSad), expires[0]);
            audit.append(c, new AuditEvent(event, Outcome.SUCCESS, userId, credentialId, ctx,
                    sadId(s.get().sadHash()) + " extended by " + (expires[0] - now) / 1000 + " s as "
                            + sadId(Secrets.hash(newSad))));
            return null;
        });
        if (refusal != null) {
            throw refuse(event, userId, credentialId, ctx, refusal, invalid("Invalid parameter SAD"));
        }
        return new Authorization(newSad, Duration.ofMillis(expires[0] - now));
    }

    /** Why a SAD cannot be used by this user for this credential now; null if it can. */
    private static String check(Optional<Sad> s, Session session, String credentialId, long now) {
        if (s.isEmpty()) {
            return "unknown SAD";
        }
        if (!s.get().userId().equals(session.userId())) {
            return "SAD of another user";
        }
        if (!session.id().equals(s.get().tokenHash())) {
            return "SAD of another session";
        }
        if (!s.get().credentialId().equals(credentialId)) {
            return "SAD of another credential";
        }
        if (s.get().expiresAt() <= now) {
            return "SAD expired";
        }
        return null;
    }

    @Override
    public List<byte[]> signHashes(Session session, String credentialId, String sad, List<byte[]> hashes,
                                   SignatureAlgorithm algorithm, RequestContext ctx) throws SigilException {
        String userId = session.userId();
        String event = "signatures.signHash";
        if (credentialId == null || credentialId.isBlank()) {
            throw refuse(event, userId, null, ctx, noCredentialId());
        }
        long now = clock.millis();
        List<String> digests = new ArrayList<>();
        Refusal[] refusal = new Refusal[1];
        // 1. In one short transaction (the signing path's only one before the signature): check the
        //    credential, then consume the hashes. The SAD's row lock is held only for these updates,
        //    not while the HSM signs, so requests on one SAD do not queue behind each other.
        record Consumed(StoredCredential credential, Sad sad) {
        }
        Consumed consumed = store.inTransaction(c -> {
            digests.clear();
            Optional<StoredCredential> found = credentials.findForSigning(c, credentialId);
            refusal[0] = credentialRefusal(found, userId);
            if (refusal[0] == null
                    && (algorithm == null || !found.get().credential().algorithms().contains(algorithm))) {
                refusal[0] = new Refusal("algorithm " + algorithm + " not allowed",
                        invalid("Invalid parameter signAlgo"));
            }
            if (refusal[0] == null && (sad == null || sad.isBlank())) {
                refusal[0] = new Refusal("no SAD", invalid("Missing parameter SAD"));
            }
            if (refusal[0] == null) {
                refusal[0] = encodeDistinct(hashes, algorithm.hash(), digests);
            }
            if (refusal[0] != null) {
                return null;
            }
            Optional<Sad> s = sessions.lockSad(c, Secrets.hash(sad));
            String why = check(s, session, credentialId, now);
            if (why != null) {
                refusal[0] = new Refusal(why, invalid("Invalid parameter SAD"));
                return null;
            }
            if (!s.get().hashAlgorithmOid().equals(algorithm.hash().oid())) {
                refusal[0] = new Refusal("hash algorithm differs from the authorization",
                        invalid("The hash algorithm differs from the one authorized"));
                return null;
            }
            if (digests.size() > s.get().remaining()) {
                refusal[0] = new Refusal(digests.size() + " hashes, " + s.get().remaining() + " signatures left",
                        invalid("More hashes than the SAD still authorizes"));
                return null;
            }
            for (String d : digests) {
                if (!sessions.consumeHash(c, s.get().sadHash(), d, now)) {
                    refusal[0] = new Refusal(sessions.hashSigned(c, s.get().sadHash(), d).isPresent()
                            ? "hash already signed" : "hash not in the authorized set",
                            invalid("Hash is not authorized by the SAD"));
                    c.rollback();
                    return null;
                }
            }
            sessions.setRemaining(c, s.get().sadHash(), s.get().remaining() - digests.size());
            return new Consumed(found.get(), s.get());
        });
        if (consumed == null) {
            throw refuse(event, userId, credentialId, ctx, refusal[0]);
        }
        // 2. Sign, in one backend call for the whole request (a remote backend signs the hashes in
        //    parallel), bounded by the policy's deadline. Each hash is already marked signed, so a
        //    concurrent or later request for it is refused whatever happens here; a signature is
        //    never retried.
        List<byte[]> signatures;
        try {
            signatures = signing.signDigests(consumed.credential().credential().key(), algorithm, hashes,
                    CallContext.of(ctx.requestId(), policy.signTimeout()));
        } catch (SigilException e) {
            // 3a. Nothing was returned: give the hashes back to the SAD, and record the failure.
            store.inTransaction(c -> {
                sessions.releaseHashes(c, consumed.sad().sadHash(), digests);
                audit.append(c, new AuditEvent(event, Outcome.ERROR, userId, credentialId, ctx,
                        "signing failed: " + e.code() + "; " + sadId(consumed.sad().sadHash()) + ", hashes "
                                + digestList(digests) + " given back"));
                return null;
            });
            throw e;
        }
        // 3b. The answer leaves only once the signatures are in the audit log.
        store.inTransaction(c -> audit.append(c, new AuditEvent(event, Outcome.SUCCESS, userId, credentialId,
                ctx, digests.size() + " signature(s), " + algorithm + ", " + sadId(consumed.sad().sadHash())
                        + ", hashes " + digestList(digests))));
        return signatures;
    }
}
