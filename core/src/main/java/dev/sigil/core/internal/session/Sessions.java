package dev.sigil.core.internal.session;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.FactorType;
import dev.sigil.api.auth.Verification;
import dev.sigil.api.session.AccessToken;
import dev.sigil.api.session.RequestContext;
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
 * users, disabled users and wrong passwords get the same answer, after the same amount of work.
 */
@Component(service = SessionService.class, configurationPid = "dev.sigil.policy",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PolicyConfig.class)
public final class Sessions implements SessionService {
    static final String PASSWORD = "PASSWORD";

    private final Store store;
    private final Authenticator password;
    private final Policy policy;
    private final Clock clock;
    private final AuditLog audit;
    private final Lockouts lockouts;
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
        this.audit = new AuditLog(clock);
        this.lockouts = new Lockouts(sessions, policy);
    }

    @Override
    public AccessToken login(String userId, char[] presented, RequestContext ctx) throws SigilException {
        if (userId == null || userId.isBlank() || presented == null) {
            throw new SigilException(ErrorCode.INVALID_REQUEST, "Missing username or password");
        }
        long now = clock.millis();
        Optional<UserRepository.User> user = store.inTransaction(c -> users.find(c, userId));
        Optional<FactorRecord> record = user.isPresent()
                ? store.inTransaction(c -> users.factor(c, userId, FactorType.PASSWORD)) : Optional.empty();
        if (user.isEmpty() || !user.get().enabled() || record.isEmpty()) {
            password.verify(decoy(), presented, Instant.ofEpochMilli(now)); // the same work as a real check
            refuse(ctx, user.isPresent() ? userId : null, user.isEmpty() ? "unknown user"
                    : !user.get().enabled() ? "user disabled" : "no password enrolled");
            throw invalidCredentials();
        }
        Long locked = store.inTransaction(c -> lockouts.lockedUntil(c, userId, PASSWORD, now));
        if (locked != null) {
            refuse(ctx, userId, "password locked");
            throw Lockouts.locked("The account", locked);
        }
        Verification v = password.verify(record.get(), presented, Instant.ofEpochMilli(now));
        if (!v.accepted()) {
            Long until = store.inTransaction(c -> lockouts.failed(c, userId, PASSWORD, now));
            refuse(ctx, userId, until == null ? "wrong password" : "wrong password; locked");
            throw invalidCredentials();
        }
        String token = Secrets.newOpaqueValue();
        long expires = now + policy.tokenTtl().toMillis();
        store.inTransaction(c -> {
            lockouts.succeeded(c, userId, PASSWORD, now);
            if (!v.record().equals(record.get())) {
                users.putFactor(c, userId, v.record(), now);
            }
            sessions.insertToken(c, Secrets.hash(token), userId, now, expires);
            audit.append(c, new AuditEvent("auth.login", Outcome.SUCCESS, userId, null, ctx.requestId(),
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
        audit.appendNow(store, new AuditEvent("auth.login", Outcome.REFUSED, userId, null, ctx.requestId(), why));
    }

    private static SigilException invalidCredentials() {
        return new SigilException(ErrorCode.AUTHENTICATION_FAILED, "Invalid username or password");
    }

    @Override
    public String authenticate(String bearerToken) throws SigilException {
        if (bearerToken == null || bearerToken.isBlank()) {
            throw new SigilException(ErrorCode.INVALID_TOKEN, "Missing access token");
        }
        long now = clock.millis();
        return store.inTransaction(c -> {
            Optional<SessionRepository.Token> t = sessions.token(c, Secrets.hash(bearerToken));
            if (t.isEmpty() || t.get().revoked() || t.get().expiresAt() <= now) {
                throw new SigilException(ErrorCode.INVALID_TOKEN, "Invalid or expired access token");
            }
            Optional<UserRepository.User> u = users.find(c, t.get().userId());
            if (u.isEmpty() || !u.get().enabled()) {
                throw new SigilException(ErrorCode.INVALID_TOKEN, "Invalid or expired access token");
            }
            return t.get().userId();
        });
    }

    @Override
    public void revoke(String bearerToken, RequestContext ctx) throws SigilException {
        String userId = authenticate(bearerToken);
        store.inTransaction(c -> {
            sessions.revokeToken(c, Secrets.hash(bearerToken));
            audit.append(c, new AuditEvent("auth.revoke", Outcome.SUCCESS, userId, null, ctx.requestId(),
                    "token revoked"));
            return null;
        });
    }
}
