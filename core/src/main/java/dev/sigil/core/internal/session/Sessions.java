package dev.sigil.core.internal.session;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.FactorType;
import dev.sigil.api.auth.Verification;
import dev.sigil.api.session.AccessToken;
import dev.sigil.api.session.RequestContext;
import dev.sigil.api.session.Session;
import dev.sigil.api.session.SessionService;
import dev.sigil.core.internal.store.AuditEvent;
import dev.sigil.core.internal.store.AuditEvent.Outcome;
import dev.sigil.core.internal.store.AuditLog;
import dev.sigil.core.internal.store.SessionRepository;
import dev.sigil.core.internal.store.Store;
import dev.sigil.core.internal.store.StoreComponent;
import dev.sigil.core.internal.store.UserRepository;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Login with password for a bearer token (kept as its hash), token checks and revocation. Unknown
 * users, disabled users and wrong passwords get the same answer, after the same amount of work;
 * every attempt is counted per name and per client address before the password is checked
 * ({@link AttemptLimits}).
 */
@Component(service = SessionService.class, configurationPid = "dev.sigil.policy",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PolicyConfig.class)
public final class Sessions implements SessionService {
    private final Store store;
    private final Authenticator password;
    private final Policy policy;
    private final Clock clock;
    private final AuditLog audit;
    private final AttemptLimits limits;
    private final UserRepository users = new UserRepository();
    private final SessionRepository sessions = new SessionRepository();
    private volatile FactorRecord decoy;

    @Activate
    public Sessions(@Reference StoreComponent store,
                    @Reference(target = "(" + Authenticator.PROPERTY_FACTOR + "=PASSWORD)") Authenticator password,
                    PolicyConfig config) throws SigilException {
        this(store.store(), password, Policy.from(config), Clock.systemUTC());
    }

    Sessions(Store store, Authenticator password, Policy policy, Clock clock) {
        this.store = store;
        this.password = password;
        this.policy = policy;
        this.clock = clock;
        this.audit = store.audit();
        this.limits = new AttemptLimits(policy);
    }

    @Override
    public AccessToken login(String userId, char[] presented, RequestContext ctx) throws SigilException {
        if (userId == null || userId.isBlank() || presented == null) {
            throw new SigilException(ErrorCode.INVALID_REQUEST, "Missing username or password");
        }
        long now = clock.millis();
        // 1. Reserve the attempt (per name and per address) before any key derivation, and look the
        //    user up in the same transaction. Names that are no account are counted and locked alike.
        record Start(AttemptLimits.Reservation reservation, Optional<UserRepository.User> user,
                     Optional<FactorRecord> record) {
        }
        Start start = store.inTransaction(c -> {
            AttemptLimits.Reservation r = limits.reserve(c, limits.login(userId, ctx.clientAddress()), now);
            Optional<UserRepository.User> u = users.find(c, userId);
            return new Start(r, u, u.isPresent() ? users.factor(c, userId, FactorType.PASSWORD) : Optional.empty());
        });
        String known = start.user().isPresent() ? userId : null;
        if (!start.reservation().granted()) {
            // Refused unchecked while locked: not audited one by one (a flood of them would fill the
            // log and queue every other record behind its head lock); the failure that set the lock
            // is in the log, and the access log has every request.
            throw start.reservation().refusal();
        }
        // 2. Check the password: the same work for a name that is no account (a decoy record).
        boolean real = start.user().isPresent() && start.user().get().enabled() && start.record().isPresent();
        Verification v;
        try {
            FactorRecord against = real ? start.record().get() : decoy();
            v = password.verify(against, presented, Instant.ofEpochMilli(now));
        } catch (SigilException noVerdict) {
            store.inTransaction(c -> {
                limits.release(c, start.reservation(), now);
                return null;
            });
            throw noVerdict;
        }
        if (!real || !v.accepted()) {
            refuse(ctx, known, (start.user().isEmpty() ? "unknown user" : !start.user().get().enabled()
                    ? "user disabled" : start.record().isEmpty() ? "no password enrolled" : "wrong password")
                    + AttemptLimits.locksSet(start.reservation()));
            throw invalidCredentials();
        }
        // 3. Success: the attempt is given back, the token issued.
        String token = Secrets.newOpaqueValue();
        long expires = now + policy.tokenTtl().toMillis();
        store.inTransaction(c -> {
            limits.succeeded(c, start.reservation(), now);
            if (!v.record().equals(start.record().get())) {
                users.putFactor(c, userId, v.record(), now);
            }
            sessions.insertToken(c, Secrets.hash(token), userId, now, expires);
            audit.append(c, new AuditEvent("auth.login", Outcome.SUCCESS, userId, null, ctx,
                    "token issued, expires in " + policy.tokenTtl().toSeconds() + " s"));
            return null;
        });
        return new AccessToken(token, policy.tokenTtl());
    }

    private FactorRecord decoy() throws SigilException {
        FactorRecord d = decoy;
        if (d == null) {
            d = password.enroll(Secrets.newOpaqueValue().toCharArray());
            decoy = d;
        }
        return d;
    }

    private void refuse(RequestContext ctx, String userId, String why) throws SigilException {
        audit.appendNow(store, new AuditEvent("auth.login", Outcome.REFUSED, userId, null, ctx, why));
    }

    private static SigilException invalidCredentials() {
        return new SigilException(ErrorCode.AUTHENTICATION_FAILED, "Invalid username or password");
    }

    @Override
    public Session authenticate(String bearerToken) throws SigilException {
        if (bearerToken == null || bearerToken.isBlank()) {
            throw new SigilException(ErrorCode.INVALID_TOKEN, "Missing access token");
        }
        long now = clock.millis();
        String tokenHash = Secrets.hash(bearerToken);
        return store.inTransaction(c -> {
            Optional<SessionRepository.Token> t = sessions.token(c, tokenHash);
            if (t.isEmpty() || t.get().revoked() || t.get().expiresAt() <= now) {
                throw new SigilException(ErrorCode.INVALID_TOKEN, "Invalid or expired access token");
            }
            Optional<UserRepository.User> u = users.find(c, t.get().userId());
            if (u.isEmpty() || !u.get().enabled()) {
                throw new SigilException(ErrorCode.INVALID_TOKEN, "Invalid or expired access token");
            }
            return new Session(t.get().userId(), tokenHash);
        });
    }

    @Override
    public void revoke(String bearerToken, RequestContext ctx) throws SigilException {
        Session session = authenticate(bearerToken);
        store.inTransaction(c -> {
            int sads = sessions.revokeToken(c, session.id());
            audit.append(c, new AuditEvent("auth.revoke", Outcome.SUCCESS, session.userId(), null, ctx,
                    "token revoked with its " + sads + " SAD(s)"));
            return null;
        });
    }
}
