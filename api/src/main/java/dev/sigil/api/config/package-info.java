/**
 * Helpers for configuration that every bundle reads the same way, such as secrets given as a
 * reference to an environment variable or a file, never as a literal value.
 */
@Version("1.1.0")
@Export
package dev.sigil.api.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
