/**
 * The signing service that {@code core} provides to the transports: it routes to the backend
 * instance that holds a key and enforces the checks every signature must pass.
 */
@Version("1.1.0")
@Export
package dev.sigil.api.signing;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
