package dev.sigil.backend.azure.internal;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.SimpleTokenCache;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;

import reactor.core.publisher.Mono;

/**
 * One access token for all the SDK clients of a backend instance. Every Key Vault client (the
 * {@code KeyClient}, one {@code CryptographyClient} per key version) has its own pipeline and token
 * policy; through azure-identity each would fetch its own token from Entra ID (one round trip on a
 * key's first signature, and again at every refresh, per key). This wrapper keeps one azure-core
 * {@link SimpleTokenCache} (refreshed before expiry, one refresh at a time) per scope and tenant.
 * A request that carries claims (a continuous access evaluation challenge after a revocation) is
 * never answered from the cache: it goes to the credential.
 */
final class SharedTokenCredential implements TokenCredential {
    private final TokenCredential credential;
    private final Map<String, SimpleTokenCache> caches = new ConcurrentHashMap<>();

    SharedTokenCredential(TokenCredential credential) {
        this.credential = Objects.requireNonNull(credential, "credential");
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        if (request.getClaims() != null || request.getProofOfPossessionOptions() != null) {
            return credential.getToken(request);
        }
        String key = request.getScopes() + " " + request.getTenantId() + " " + request.isCaeEnabled();
        return caches.computeIfAbsent(key, k -> {
            TokenRequestContext copy = new TokenRequestContext().setScopes(request.getScopes())
                    .setTenantId(request.getTenantId()).setCaeEnabled(request.isCaeEnabled());
            return new SimpleTokenCache(() -> credential.getToken(copy));
        }).getToken();
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        if (request.getClaims() != null || request.getProofOfPossessionOptions() != null) {
            return credential.getTokenSync(request);
        }
        return getToken(request).block();
    }
}
