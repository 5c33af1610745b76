/**
 * Sessions and sole control: logging in for a short-lived bearer token, authorizing a credential
 * for an exact set of hashes (the SAD), and signing exactly those hashes. Provided by {@code core},
 * used by the transports.
 */
@Version("2.0.0")
@Export
package dev.sigil.api.session;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
