package dev.sigil.backend.pkcs11.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The factory configuration of one PKCS#11 backend instance (PID {@value Pkcs11BackendComponent#PID}),
 * one per token. Each {@code _} in a method name is a {@code .} in the property name. The user PIN
 * is never a literal here: it comes from an environment variable or a file.
 *
 * <p>Validation is not done by Declarative Services but by {@link Pkcs11Settings#from}.
 */
@ObjectClassDefinition(
        name = "Sigil PKCS#11 backend",
        description = "Keys in a PKCS#11 token or HSM (SoftHSM2, Luna, nShield, Utimaco, AWS CloudHSM).")
public @interface Pkcs11BackendConfig {

    @AttributeDefinition(name = "Backend id",
            description = "The backend instance id that key references use (required).")
    String sigil_backend_id();

    @AttributeDefinition(name = "PKCS#11 library",
            description = "Absolute path of the vendor's PKCS#11 library.")
    String module_path() default Pkcs11Settings.DEFAULT_MODULE_PATH;

    @AttributeDefinition(name = "Token label", required = false,
            description = "The label of the token (partition) to use. Set exactly one of this and the "
                    + "slot id; the label is preferred because slot ids change when tokens are re-created.")
    String token_label() default "";

    @AttributeDefinition(name = "Slot id", required = false,
            description = "The slot id (decimal or 0x hex). Set exactly one of this and the token label.")
    String slot_id() default "";

    @AttributeDefinition(name = "User PIN environment variable", required = false,
            description = "Name of the environment variable holding the user PIN. Set exactly one of "
                    + "this and the PIN file.")
    String user_pin_env() default "";

    @AttributeDefinition(name = "User PIN file", required = false,
            description = "Path of a file holding the user PIN (one trailing newline is ignored). Set "
                    + "exactly one of this and the environment variable.")
    String user_pin_file() default "";

    @AttributeDefinition(name = "Session pool size",
            description = "How many sessions sign at once (1..256).")
    int pool_size() default Pkcs11Settings.DEFAULT_POOL_SIZE;

    @AttributeDefinition(name = "Borrow timeout (ms)",
            description = "How long a signature waits for a free session before the backend answers "
                    + "busy (1..60000).")
    long borrow_timeout_ms() default Pkcs11Settings.DEFAULT_BORROW_TIMEOUT_MS;

    @AttributeDefinition(name = "Vendor profile", required = false,
            description = "Optional: softhsm, luna, nshield, utimaco or cloudhsm; affects only the "
                    + "documented quirks of that vendor.")
    String vendor_profile() default "";
}
