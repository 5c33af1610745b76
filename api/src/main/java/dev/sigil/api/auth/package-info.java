/**
 * The authentication factor SPI: each factor (password, PIN, TOTP, later WebAuthn) is one
 * {@link dev.sigil.api.auth.Authenticator} service. Policy (attempt limits, lockout, which factors
 * a credential needs) stays in {@code core}.
 */
@Version("1.0.0")
@Export
package dev.sigil.api.auth;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
