package dev.sigil.backend.aws.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The factory configuration of one AWS KMS backend instance (PID {@value AwsKmsBackendComponent#PID}),
 * one per account, region and set of keys. Each {@code _} in a method name is a {@code .} in the
 * property name. Secrets (the static access key) are never literals here: they come from an
 * environment variable or a file.
 *
 * <p>Validation is not done by Declarative Services but by {@link AwsKmsSettings#from}.
 */
@ObjectClassDefinition(
        name = "Sigil AWS KMS backend",
        description = "Asymmetric keys in AWS KMS (SIGN_VERIFY): RSA 2048/3072/4096, NIST P-256/384/521.")
public @interface AwsKmsBackendConfig {

    @AttributeDefinition(name = "Backend id",
            description = "The backend instance id that key references use (required).")
    String sigil_backend_id();

    @AttributeDefinition(name = "Region",
            description = "The AWS region of the keys, e.g. eu-central-1 (required).")
    String region();

    @AttributeDefinition(name = "Endpoint override", required = false,
            description = "An https:// (or, for a local test KMS, http://) URI that replaces the region's "
                    + "KMS endpoint: a VPC interface endpoint, a FIPS endpoint, local-kms.")
    String endpoint_override() default "";

    @AttributeDefinition(name = "Credentials",
            description = "Where the AWS credentials come from: default (the SDK's chain: environment, "
                    + "profile, web identity, container, instance), static (an access key from "
                    + "environment variables or files), profile, web-identity (IRSA), instance (EC2 "
                    + "instance profile) or container (ECS/EKS Pod Identity).")
    String credentials_mode() default AwsKmsSettings.DEFAULT_CREDENTIALS_MODE;

    @AttributeDefinition(name = "Access key id environment variable", required = false,
            description = "static: the environment variable holding the access key id (or use the file).")
    String access_key_id_env() default "";

    @AttributeDefinition(name = "Access key id file", required = false,
            description = "static: a file holding the access key id (or use the environment variable).")
    String access_key_id_file() default "";

    @AttributeDefinition(name = "Secret access key environment variable", required = false,
            description = "static: the environment variable holding the secret access key (or use the file).")
    String secret_access_key_env() default "";

    @AttributeDefinition(name = "Secret access key file", required = false,
            description = "static: a file holding the secret access key (or use the environment variable).")
    String secret_access_key_file() default "";

    @AttributeDefinition(name = "Profile name", required = false,
            description = "profile: the profile of the shared AWS config and credentials files.")
    String profile_name() default "";

    @AttributeDefinition(name = "Web identity role ARN", required = false,
            description = "web-identity: the IAM role to assume (IRSA: the service account's role).")
    String web_identity_role_arn() default "";

    @AttributeDefinition(name = "Web identity token file", required = false,
            description = "web-identity: the file holding the OIDC token; read again at every refresh.")
    String web_identity_token_file() default "";

    @AttributeDefinition(name = "Web identity session name", required = false,
            description = "web-identity: the role session name, visible in CloudTrail.")
    String web_identity_session_name() default AwsKmsSettings.DEFAULT_SESSION_NAME;

    @AttributeDefinition(name = "Keys", required = false,
            description = "The keys this instance serves: key ids, key ARNs or alias names (alias/...). "
                    + "Empty: every key with an alias under the alias prefix.")
    String[] keys() default {};

    @AttributeDefinition(name = "Alias prefix",
            description = "With no keys listed: the keys served are those with an alias starting with "
                    + "this prefix; generated keys get an alias under it. Starts with alias/.")
    String alias_prefix() default AwsKmsSettings.DEFAULT_ALIAS_PREFIX;

    @AttributeDefinition(name = "Call timeout (ms)",
            description = "The longest one KMS operation may take, retries included (1..60000).")
    long call_timeout_ms() default AwsKmsSettings.DEFAULT_CALL_TIMEOUT_MS;

    @AttributeDefinition(name = "Attempt timeout (ms)",
            description = "The longest one HTTP attempt may take (1..60000, at most the call timeout).")
    long attempt_timeout_ms() default AwsKmsSettings.DEFAULT_ATTEMPT_TIMEOUT_MS;

    @AttributeDefinition(name = "Concurrent KMS calls",
            description = "The most Sign calls this backend instance makes at once, over all requests "
                    + "(single signatures and batches alike); further signatures wait for a free slot until "
                    + "their request's deadline, then fail with BUSY. Keep it within the account's KMS request "
                    + "quota for the keys' type (1..1024).")
    int max_concurrent_calls() default AwsKmsSettings.DEFAULT_MAX_CONCURRENT_CALLS;

    @AttributeDefinition(name = "Parallel signatures per batch",
            description = "The most Sign calls one request's batch makes at once, so that one large batch "
                    + "cannot take every slot from the other requests; the default signs a batch of 16 "
                    + "hashes in the time of one call (1..max.concurrent.calls).")
    int max_parallel_signatures() default AwsKmsSettings.DEFAULT_MAX_PARALLEL;

    @AttributeDefinition(name = "Retries",
            description = "How often a throttled call, or one that failed with a KMS server error, a network "
                    + "failure or a timeout, is retried, within the request's deadline (0..10).")
    int max_retries() default AwsKmsSettings.DEFAULT_MAX_RETRIES;

    @AttributeDefinition(name = "List page size",
            description = "ListAliases page size when discovering keys by alias prefix (1..100).")
    int list_page_size() default AwsKmsSettings.DEFAULT_PAGE_SIZE;
}
