package dev.sigil.backend.azure.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The factory configuration of one Azure Key Vault (or Managed HSM) backend instance, one per vault,
 * credential and set of keys. Each {@code _} in a method name is a {@code .} in the property name.
 * Secrets (the client secret) are never literals here: they come from an environment variable or a
 * file.
 *
 * <p>Validation is not done by Declarative Services but by {@link AzureKeyVaultSettings#from}.
 */
@ObjectClassDefinition(
        name = "Sigil Azure Key Vault backend",
        description = "Keys in Azure Key Vault (RSA, RSA-HSM, EC, EC-HSM) or Azure Managed HSM: "
                + "RSA 2048/3072/4096, NIST P-256/384/521.")
public @interface AzureKeyVaultBackendConfig {

    @AttributeDefinition(name = "Backend id",
            description = "The backend instance id that key references use (required).")
    String sigil_backend_id();

    @AttributeDefinition(name = "Vault URL",
            description = "The Key Vault URL (https://<name>.vault.azure.net/) or the Managed HSM URL "
                    + "(https://<name>.managedhsm.azure.net/) (required).")
    String vault_url();

    @AttributeDefinition(name = "Authority host", required = false,
            description = "Microsoft Entra ID's host for client-secret, client-certificate and "
                    + "workload-identity, for a sovereign cloud (https://login.microsoftonline.us/, "
                    + "https://login.chinacloudapi.cn/) or Azure Stack; the host is used as given (no "
                    + "instance discovery). Empty: https://login.microsoftonline.com/.")
    String authority_host() default "";

    @AttributeDefinition(name = "Tenant id",
            description = "The Microsoft Entra tenant (directory) id of the credential: a GUID or a "
                    + "domain name. Required for client-secret, client-certificate and workload-identity.")
    String tenant_id() default "";

    @AttributeDefinition(name = "Credential",
            description = "How the backend authenticates, chosen explicitly: client-secret (an app "
                    + "registration's secret from an environment variable or a file), client-certificate "
                    + "(a PEM or PFX file), managed-identity (system-assigned, or user-assigned with a "
                    + "client id) or workload-identity (a federated token file, as on AKS). Required: there is no default chain.")
    String credential_mode();

    @AttributeDefinition(name = "Client id", required = false,
            description = "The application (client) id: required for client-secret, client-certificate and "
                    + "workload-identity; for managed-identity, the user-assigned identity's client id "
                    + "(empty: the system-assigned identity).")
    String client_id() default "";

    @AttributeDefinition(name = "Client secret environment variable", required = false,
            description = "client-secret: the environment variable holding the secret (or use the file).")
    String client_secret_env() default "";

    @AttributeDefinition(name = "Client secret file", required = false,
            description = "client-secret: a file holding the secret (or use the environment variable).")
    String client_secret_file() default "";

    @AttributeDefinition(name = "Client certificate file", required = false,
            description = "client-certificate: a PEM file (certificate and unencrypted private key) or a "
                    + "PFX/PKCS#12 file holding the certificate and its key.")
    String client_certificate_path() default "";

    @AttributeDefinition(name = "Client certificate password environment variable", required = false,
            description = "client-certificate, PFX: the environment variable holding its password (or use the file).")
    String client_certificate_password_env() default "";

    @AttributeDefinition(name = "Client certificate password file", required = false,
            description = "client-certificate, PFX: a file holding its password (or use the environment variable).")
    String client_certificate_password_file() default "";

    @AttributeDefinition(name = "Federated token file", required = false,
            description = "workload-identity: the file holding the federated (service account) token; read "
                    + "again at every token refresh. Empty: AZURE_FEDERATED_TOKEN_FILE is not consulted, "
                    + "the setting is required.")
    String federated_token_file() default "";

    @AttributeDefinition(name = "Keys", required = false,
            description = "The keys this instance serves: key names, or name/version to pin a version. "
                    + "Empty: every RSA and EC key of the vault (disabled ones listed as such).")
    String[] keys() default {};

    @AttributeDefinition(name = "Protection of generated keys",
            description = "hsm: keys the administrator generates are RSA-HSM / EC-HSM, created and used only "
                    + "inside HSMs (a premium vault or a Managed HSM); software: RSA / EC software-protected "
                    + "keys (a standard vault; not in a Managed HSM). Keys already in the vault are served "
                    + "whatever their protection.")
    String key_protection() default "hsm";

    @AttributeDefinition(name = "Call timeout (ms)",
            description = "The longest one Key Vault operation may take, retries included (1..60000).")
    long call_timeout_ms() default AzureKeyVaultSettings.DEFAULT_CALL_TIMEOUT_MS;

    @AttributeDefinition(name = "Attempt timeout (ms)",
            description = "The longest one HTTP attempt may take (1..60000, at most the call timeout).")
    long attempt_timeout_ms() default AzureKeyVaultSettings.DEFAULT_ATTEMPT_TIMEOUT_MS;

    @AttributeDefinition(name = "Concurrent Key Vault calls",
            description = "The most sign calls this backend instance makes at once, over all requests; "
                    + "further signatures wait for a free slot until their request's deadline, then fail "
                    + "with BUSY. Keep it within the vault's transaction limits (HSM keys: low) (1..1024).")
    int max_concurrent_calls() default AzureKeyVaultSettings.DEFAULT_MAX_CONCURRENT_CALLS;

    @AttributeDefinition(name = "Parallel signatures per batch",
            description = "The most sign calls one request's batch makes at once (1..max.concurrent.calls).")
    int max_parallel_signatures() default AzureKeyVaultSettings.DEFAULT_MAX_PARALLEL;

    @AttributeDefinition(name = "Retries",
            description = "How often a throttled call (429), or one that failed with a server error, a "
                    + "network failure or a timeout, is retried, within the request's deadline (0..10).")
    int max_retries() default AzureKeyVaultSettings.DEFAULT_MAX_RETRIES;
}
