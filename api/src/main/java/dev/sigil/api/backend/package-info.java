/**
 * The key-backend SPI: a backend holds keys and signs digests. One OSGi service per backend
 * instance, identified by its {@value dev.sigil.api.backend.SigningBackend#PROPERTY_ID} property.
 */
@Version("1.2.0")
@Export
package dev.sigil.api.backend;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
