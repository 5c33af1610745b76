/**
 * The AWS KMS backend: asymmetric KMS keys (KeyUsage {@code SIGN_VERIFY}) that sign digests with
 * {@code Sign}, one instance per factory configuration. Not exported: other bundles see only the
 * {@link dev.sigil.api.backend.SigningBackend} service; the AWS SDK is embedded in this bundle.
 */
package dev.sigil.backend.aws.internal;
