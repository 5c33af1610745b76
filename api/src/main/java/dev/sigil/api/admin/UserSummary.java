package dev.sigil.api.admin;

import java.util.Set;

/**
 * A user as the admin command lists it.
 *
 * @param id          the login name
 * @param displayName the name
 * @param enabled     whether the user may log in
 * @param factors     the enrolled factor types (PASSWORD, TOTP)
 * @param credentials how many credentials the user has
 */
public record UserSummary(String id, String displayName, boolean enabled, Set<String> factors, int credentials) {
    public UserSummary {
        factors = Set.copyOf(factors);
    }
}
