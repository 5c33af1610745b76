package dev.sigil.backend.azure.internal;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;

import reactor.core.publisher.Mono;

/**
 * One access token for all the SDK clients of a backend instance. Every Key Vault client (the
 * {@code KeyClient}, one {@code CryptographyClient} per key version) has its own pipeline and token
 * policy; through azure-identity each would fetch its own token from Entra ID (one round trip on a
 * key's first signature, and again at every refresh, per key). This wrapper keeps one token per
 * scope and tenant, fetched by one caller at a time and refreshed {@link #REFRESH_BEFORE} before
 * it expires; if that refresh fails while the token is still valid, the token is used meanwhile.
 * A failed fetch is not remembered (azure-core's {@code SimpleTokenCache} would hold every caller
 * back for 30 s after one): the next call tries again, so a fixed credential works at once. A
 * request that carries claims (a continuous access evaluation challenge after a revocation) never
 * gets the cached token: it goes to the credential.
 */
final class SharedTokenCredential implements TokenCredential {
    static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);

    /** The token of one scope and tenant; its monitor serialises fetches. */
    private static final class Slot {
        volatile AccessToken token;
    }

    private final TokenCredential credential;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();

    SharedTokenCredential(TokenCredential credential) {
        this.credential = Objects.requireNonNull(credential, "credential");
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.fromCallable(() -> getTokenSync(request));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        if (request.getClaims() != null || request.getProofOfPossessionOptions() != null) {
            return credential.getTokenSync(request);
        }
        Slot slot = slots.computeIfAbsent(request.getScopes() + " " + request.getTenantId() + " "
                + request.isCaeEnabled(), k -> new Slot());
        AccessToken t = slot.token;
        if (t != null && !dueForRefresh(t)) {
            return t;
        }
        synchronized (slot) {
            t = slot.token;
            if (t != null && !dueForRefresh(t)) {
                return t; // another caller refreshed it meanwhile
            }
            try {
                AccessToken fresh = credential.getTokenSync(request);
                slot.token = fresh;
                return fresh;
            } catch (RuntimeException e) {
                if (t != null && !t.isExpired()) {
                    return t;
                }
                throw e;
            }
        }
    }

    private static boolean dueForRefresh(AccessToken t) {
        return t.getExpiresAt() == null || OffsetDateTime.now().plus(REFRESH_BEFORE).isAfter(t.getExpiresAt());
    }
}
