package dev.sigil.backend.aws.internal;

import dev.sigil.backend.kit.ContextClassLoader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;

/**
 * The AWS SDK objects of one backend instance: one HTTP client, the credentials provider of the
 * configured {@code credentials.mode} (with its STS client for web identity), and the KMS client.
 * Nothing is discovered by the SDK: the HTTP client and the credentials provider are passed
 * explicitly, and every SDK call runs with this bundle's class loader as the thread's context
 * class loader ({@link #withSdkLoader}), which the SDK uses to find its interceptors and the STS
 * factory of the web identity provider. The SDK's own retries are off: retries are the backend's,
 * bounded by each call's deadline.
 */
final class KmsClients implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KmsClients.class);
    private static final ClassLoader SDK_LOADER = KmsClients.class.getClassLoader();

    private final String id;
    private final String where;
    private final SdkHttpClient http;
    private final StsClient sts;
    private final AwsCredentialsProvider credentials;
    private final KmsClient kms;

    /**
     * @param settings validated settings; read, not kept (the secret key is copied into the SDK's
     *                 credentials object, the caller clears its own)
     */
    KmsClients(AwsKmsSettings settings) {
        this.id = settings.backendId();
        this.where = "AWS KMS (" + settings.region()
                + (settings.endpoint() == null ? "" : ", " + settings.endpoint()) + ")";
        SdkHttpClient h = null;
        StsClient s = null;
        AwsCredentialsProvider c = null;
        try {
            h = withSdkLoader(() -> UrlConnectionHttpClient.builder()
                    .connectionTimeout(settings.attemptTimeout())
                    .socketTimeout(settings.attemptTimeout())
                    .build());
            SdkHttpClient httpClient = h;
            Region region = Region.of(settings.region());
            if (settings.mode() == AwsKmsSettings.CredentialsMode.WEB_IDENTITY) {
                s = withSdkLoader(() -> StsClient.builder().region(region).httpClient(httpClient)
                        .credentialsProvider(AnonymousCredentialsProvider.create())
                        .overrideConfiguration(o -> o.apiCallTimeout(settings.callTimeout()))
                        .build());
            }
            StsClient stsClient = s;
            c = withSdkLoader(() -> credentials(settings, stsClient));
            AwsCredentialsProvider provider = c;
            this.kms = withSdkLoader(() -> {
                KmsClientBuilder b = KmsClient.builder()
                        .region(region)
                        .httpClient(httpClient)
                        .credentialsProvider(provider)
                        .overrideConfiguration(ClientOverrideConfiguration.builder()
                                .retryStrategy(AwsRetryStrategy.doNotRetry())
                                .apiCallTimeout(settings.callTimeout())
                                .apiCallAttemptTimeout(settings.attemptTimeout())
                                .build());
                if (settings.endpoint() != null) {
                    b.endpointOverride(settings.endpoint());
                }
                return b.build();
            });
        } catch (RuntimeException e) {
            closeQuietly(c instanceof AutoCloseable a ? a : null);
            closeQuietly(s);
            closeQuietly(h);
            throw e;
        }
        this.http = h;
        this.sts = s;
        this.credentials = c;
    }

    private static AwsCredentialsProvider credentials(AwsKmsSettings s, StsClient sts) {
        switch (s.mode()) {
            case STATIC: {
                char[] secret = s.secretAccessKey();
                try {
                    // The SDK keeps credentials as Strings: this copy cannot be zeroed.
                    return StaticCredentialsProvider.create(AwsBasicCredentials.create(s.accessKeyId(), new String(secret)));
                } finally {
                    Arrays.fill(secret, '\0');
                }
            }
            case PROFILE:
                return ProfileCredentialsProvider.builder().profileName(s.profileName()).build();
            case WEB_IDENTITY: {
                Path tokenFile = s.tokenFile();
                String role = s.roleArn();
                String session = s.sessionName();
                // The token is read at every refresh: Kubernetes rotates the projected token file.
                Supplier<AssumeRoleWithWebIdentityRequest> request = () -> {
                    String token;
                    try {
                        token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
                    } catch (IOException e) {
                        throw SdkClientException.create("cannot read the web identity token file " + tokenFile, e);
                    }
                    return AssumeRoleWithWebIdentityRequest.builder().roleArn(role).roleSessionName(session)
                            .webIdentityToken(token).build();
                };
                return StsAssumeRoleWithWebIdentityCredentialsProvider.builder().stsClient(sts)
                        .refreshRequest(request).asyncCredentialUpdateEnabled(false).build();
            }
            case INSTANCE:
                // IMDS is reached with the provider's own small HTTP client (no SDK HTTP client option).
                return InstanceProfileCredentialsProvider.builder().build();
            case CONTAINER:
                return ContainerCredentialsProvider.builder().build();
            default:
                return DefaultCredentialsProvider.builder().build();
        }
    }

    /** Runs {@code body} with this bundle's class loader as the thread's context class loader. */
    static <T> T withSdkLoader(Supplier<T> body) {
        return ContextClassLoader.call(SDK_LOADER, body);
    }

    KmsClient kms() {
        return kms;
    }

    /** How messages name the service: {@code AWS KMS (eu-west-2, http://127.0.0.1:4599)}. */
    String where() {
        return where;
    }

    @Override
    public void close() {
        closeQuietly(kms);
        closeQuietly(credentials instanceof AutoCloseable c ? c : null);
        closeQuietly(sts);
        closeQuietly(http);
    }

    private void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("{} '{}': closing {} failed", AwsKmsSettings.COMPONENT, id, c.getClass().getSimpleName(), e);
        }
    }
}
