/**
 * Administration: users, factor enrollment, credentials and their certificates, the audit log.
 * Provided by {@code core}; exposed to the local admin command through the transport.
 */
@Version("1.1.0")
@Export
package dev.sigil.api.admin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
