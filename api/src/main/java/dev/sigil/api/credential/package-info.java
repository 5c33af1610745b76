/**
 * Credentials: a user's signing key together with its certificate chain and policy, as CSC's
 * {@code credentials/list} and {@code credentials/info} report them.
 */
@Version("1.0.0")
@Export
package dev.sigil.api.credential;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
