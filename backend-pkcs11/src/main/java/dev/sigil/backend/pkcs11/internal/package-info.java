/**
 * The PKCS#11 backend: keys in any PKCS#11 token or HSM, reached through the IAIK wrapper (xipki's
 * fork), one instance per factory configuration. Not exported: other bundles see only the
 * {@link dev.sigil.api.backend.SigningBackend} service; the wrapper and its JNI library are private
 * to this bundle.
 */
package dev.sigil.backend.pkcs11.internal;
