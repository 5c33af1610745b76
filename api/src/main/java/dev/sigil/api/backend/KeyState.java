package dev.sigil.api.backend;

/**
 * Whether a key may sign, as its backend last saw it. A local keystore's keys are always
 * {@link #ENABLED}; a key service's keys can be disabled or scheduled for deletion by its operators
 * at any time, so a backend reports the state it read and refuses to sign in any other state with
 * {@link dev.sigil.api.ErrorCode#KEY_DISABLED}.
 *
 * @since api.backend 1.2
 */
public enum KeyState {
    /** The key signs. */
    ENABLED,
    /** The key was disabled in the key service; an operator may enable it again. */
    DISABLED,
    /** The key is scheduled for deletion; it signs again only if the deletion is cancelled. */
    PENDING_DELETION,
    /** The key service reports another state (being created, imported, replicated, unavailable). */
    UNAVAILABLE
}
