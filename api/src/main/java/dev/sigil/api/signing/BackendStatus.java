package dev.sigil.api.signing;

import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;

import java.util.Set;

/**
 * One registered backend as the health endpoint reports it.
 *
 * @param id         the backend instance id
 * @param health     whether it can sign now
 * @param algorithms what it can sign with
 */
public record BackendStatus(String id, BackendHealth health, Set<SignatureAlgorithm> algorithms) {
    public BackendStatus {
        algorithms = Set.copyOf(algorithms);
    }
}
