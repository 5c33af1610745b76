package dev.sigil.api.backend;

import java.util.Objects;

/**
 * Whether a backend can sign now, and if not, why (a sentence for operators, not for clients).
 *
 * <p>A backend that reaches a remote service reports {@link State#DEGRADED} while it still signs but
 * not as it should: throttled, some calls failing, slower than its deadline allows.
 *
 * @param state  up, degraded or down; not null
 * @param detail a short operator-facing reason; "ok" when up
 */
public record BackendHealth(State state, String detail) {
    /** A healthy backend. */
    public static final BackendHealth UP = new BackendHealth(State.UP, "ok");

    /**
     * The three states of a backend.
     *
     * @since api.backend 1.2
     */
    public enum State {
        /** Signing works. */
        UP,
        /** Signing works, but some calls fail or are throttled. */
        DEGRADED,
        /** Signing does not work. */
        DOWN
    }

    public BackendHealth {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * Up or down.
     *
     * @param up     true if signing should work
     * @param detail a short operator-facing reason; "ok" when up
     */
    public BackendHealth(boolean up, String detail) {
        this(up ? State.UP : State.DOWN, detail);
    }

    /** True unless the backend is {@link State#DOWN}: a degraded backend still signs. */
    public boolean up() {
        return state != State.DOWN;
    }

    /** An unhealthy backend with the reason. */
    public static BackendHealth down(String detail) {
        return new BackendHealth(State.DOWN, detail);
    }

    /**
     * A backend that signs, but not as it should, with the reason.
     *
     * @since api.backend 1.2
     */
    public static BackendHealth degraded(String detail) {
        return new BackendHealth(State.DEGRADED, detail);
    }
}
