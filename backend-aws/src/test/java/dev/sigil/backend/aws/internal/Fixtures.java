package dev.sigil.backend.aws.internal;

import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.backend.testkit.ComponentConfigs;
import dev.sigil.backend.testkit.LocalKms;

import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/** Configurations, backends, keys made as an administrator would, and verification with the JDK. */
final class Fixtures {
    static final String KEY_ID_ENV = "SIGIL_TEST_AWS_ACCESS_KEY_ID";
    static final String SECRET_ENV = "SIGIL_TEST_AWS_SECRET_ACCESS_KEY";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** The test "environment": the static credentials under their variable names. */
    static String env(String name) {
        return switch (name) {
            case KEY_ID_ENV -> LocalKms.ACCESS_KEY_ID;
            case SECRET_ENV -> LocalKms.SECRET_ACCESS_KEY;
            default -> null;
        };
    }

    /** A prefix no other test uses: {@code alias/sigil-test-<n>-<pid>/}. */
    static String uniquePrefix() {
        return "alias/sigil-test-" + COUNTER.incrementAndGet() + "-" + ProcessHandle.current().pid() + "/";
    }

    /** The configuration of a backend on this endpoint with static credentials from the "environment". */
    static Map<String, Object> config(String backendId, URI endpoint, String aliasPrefix) {
        Map<String, Object> props = new HashMap<>();
        props.put("sigil.backend.id", backendId);
        props.put("region", LocalKms.REGION);
        props.put("endpoint.override", endpoint.toString());
        props.put("credentials.mode", "static");
        props.put("access.key.id.env", KEY_ID_ENV);
        props.put("secret.access.key.env", SECRET_ENV);
        props.put("alias.prefix", aliasPrefix);
        return props;
    }

    static AwsKmsBackend open(Map<String, Object> props) throws Exception {
        AwsKmsSettings settings = AwsKmsSettings.from(config(props), Fixtures::env);
        try {
            return new AwsKmsBackend(settings);
        } finally {
            settings.clearSecrets();
        }
    }

    /** A KMS key with an alias, made through the KMS API; returns its key id. */
    static String createKey(KmsClient kms, KeySpec spec, String alias) {
        String keyId = kms.createKey(r -> r.keyUsage(KeyUsageType.SIGN_VERIFY).keySpec(spec)).keyMetadata().keyId();
        if (alias != null) {
            kms.createAlias(r -> r.aliasName(alias).targetKeyId(keyId));
        }
        return keyId;
    }

    /**
     * The configuration annotation as Declarative Services builds it: a property's value converted
     * to the element's type, else the element's default.
     */
    static AwsKmsBackendConfig config(Map<String, Object> props) {
        return ComponentConfigs.of(AwsKmsBackendConfig.class, props);
    }


    private Fixtures() {
    }
}
