/**
 * Sigil's shared vocabulary: algorithms, key references and the one error type that crosses bundle
 * boundaries. JDK types only, so that no vendor or framework type leaks between bundles.
 */
@Version("1.3.0")
@Export
package dev.sigil.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
