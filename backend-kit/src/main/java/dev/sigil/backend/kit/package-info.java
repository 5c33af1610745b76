/**
 * The backend kit: the pieces every {@link dev.sigil.api.backend.SigningBackend} needs, so that a
 * new backend is a client of its key service, one error table and a subclass of the contract test.
 * JDK types only; no threads of its own except the {@link ParallelSigner}'s pool.
 */
@Version("1.1.0")
@Export
package dev.sigil.backend.kit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
