/** The Azure Key Vault / Managed HSM backend; nothing here is exported. */
package dev.sigil.backend.azure.internal;
