package dev.sigil.api.auth;

/** The kinds of authentication factor Sigil knows. */
public enum FactorType {
    /** The account password, proven at login (knowledge). */
    PASSWORD,
    /** The credential PIN, proven at authorization (knowledge). */
    PIN,
    /** An RFC 6238 one-time code from the user's device (possession). */
    TOTP
}
