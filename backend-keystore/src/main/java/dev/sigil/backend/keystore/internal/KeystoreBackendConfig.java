package dev.sigil.backend.keystore.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The factory configuration of one keystore backend instance (PID {@value KeystoreBackendComponent#PID}).
 * Each {@code _} in a method name is a {@code .} in the property name. The keystore password is
 * never a literal here: it comes from an environment variable or a file.
 *
 * <p>Validation is not done by Declarative Services but by {@link KeystoreSettings#from}.
 */
@ObjectClassDefinition(
        name = "Sigil keystore backend",
        description = "Keys in a JCA KeyStore: a PKCS#12 file by default, or a provider's keystore.")
public @interface KeystoreBackendConfig {

    @AttributeDefinition(name = "Backend id",
            description = "The backend instance id that key references use (required).")
    String sigil_backend_id();

    @AttributeDefinition(name = "Keystore type",
            description = "The JCA KeyStore type: PKCS12, JKS, or a provider's type.")
    String keystore_type() default "PKCS12";

    @AttributeDefinition(name = "Keystore path", required = false,
            description = "The keystore file; required for file-based types, empty for a provider "
                    + "keystore without a file.")
    String keystore_path() default "";

    @AttributeDefinition(name = "Keystore provider", required = false,
            description = "Name of an installed JCA provider whose KeyStore type to use; empty for "
                    + "the first provider that has the type.")
    String keystore_provider() default "";

    @AttributeDefinition(name = "Password environment variable", required = false,
            description = "Name of the environment variable holding the keystore password. "
                    + "Set exactly one of this and the password file.")
    String keystore_password_env() default "";

    @AttributeDefinition(name = "Password file", required = false,
            description = "Path of a file holding the keystore password (one trailing newline is "
                    + "ignored). Set exactly one of this and the environment variable.")
    String keystore_password_file() default "";

    @AttributeDefinition(name = "Signature provider", required = false,
            description = "Name of an installed JCA provider to sign and generate keys with; empty "
                    + "for the bundle's own BouncyCastle instance.")
    String signature_provider() default "";

    @AttributeDefinition(name = "Provider jar", required = false,
            description = "Path of a jar holding a JCA provider that is not installed in the JVM (a "
                    + "vendor JCE such as AWS CloudHSM's). Loaded in a class loader of its own, never "
                    + "registered globally; used for the KeyStore and, unless signature.provider is set, "
                    + "for signing. Not together with keystore.provider.")
    String provider_jar() default "";

    @AttributeDefinition(name = "Provider class", required = false,
            description = "The java.security.Provider subclass in provider.jar to instantiate.")
    String provider_class() default "";

    @AttributeDefinition(name = "Provider configuration", required = false,
            description = "Optional argument for the provider: passed to its (String) constructor, "
                    + "or else to Provider.configure.")
    String provider_config() default "";
}
