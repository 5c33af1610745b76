package dev.sigil.api.backend;

import java.util.Objects;

/**
 * Whether a backend can sign now, and if not, why (a sentence for operators, not for clients).
 *
 * @param up     true if signing should work
 * @param detail a short operator-facing reason; "ok" when up
 */
public record BackendHealth(boolean up, String detail) {
    /** A healthy backend. */
    public static final BackendHealth UP = new BackendHealth(true, "ok");

    public BackendHealth {
        Objects.requireNonNull(detail, "detail");
    }

    /** An unhealthy backend with the reason. */
    public static BackendHealth down(String detail) {
        return new BackendHealth(false, detail);
    }
}
