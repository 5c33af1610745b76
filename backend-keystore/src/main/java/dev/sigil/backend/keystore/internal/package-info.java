/**
 * The keystore backend: keys in a JCA {@code KeyStore} (a PKCS#12 file by default, or any
 * installed provider's keystore), one instance per factory configuration. Not exported: other
 * bundles see only the {@link dev.sigil.api.backend.SigningBackend} service.
 */
package dev.sigil.backend.keystore.internal;
