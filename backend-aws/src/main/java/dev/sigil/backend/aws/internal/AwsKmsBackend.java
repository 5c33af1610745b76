package dev.sigil.backend.aws.internal;

import dev.sigil.api.EcCurve;
import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.backend.KeyState;
import dev.sigil.api.backend.CallContext;
import dev.sigil.api.backend.SigningBackend;
import dev.sigil.backend.aws.internal.CallHealth.Outcome;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.CreateKeyResponse;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;

/**
 * A {@link SigningBackend} over asymmetric AWS KMS keys, usable without OSGi:
 *
 * <pre>{@code
 * AwsKmsSettings settings = AwsKmsSettings.from(config, System::getenv);
 * AwsKmsBackend backend;
 * try {
 *     backend = new AwsKmsBackend(settings);
 * } finally {
 *     settings.clearSecrets();
 * }
 * KeyInfo key = backend.generateKey(KeySpec.parse("ec-p256"), "alice");
 * byte[] der = backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA256, digest);
 * backend.close();
 * }</pre>
 *
 * <h2>Keys</h2>
 * The keys served are the configured {@code keys} (ids, ARNs or aliases), or, if none are
 * configured, every key with an alias under {@code alias.prefix} (ListAliases, paginated). Each is
 * read once with DescribeKey (KeySpec, KeyState, KeyUsage must be SIGN_VERIFY, SigningAlgorithms)
 * and GetPublicKey, and cached: signing makes exactly one KMS call, {@code Sign}. A key's
 * {@link KeyRef#keyId()} is its <b>KMS key id</b> (the UUID, or {@code mrk-...} for multi-Region
 * keys), which stays the same when aliases move; {@link #key} also accepts an alias name or a key ARN
 * of a served key. The algorithms of a key are exactly KMS's SigningAlgorithms for it (KMS allows
 * ECDSA only with the hash that matches the curve).
 *
 * <h2>Signing</h2>
 * {@code Sign} with {@code MessageType=DIGEST}; KMS returns ECDSA signatures DER-encoded and PSS
 * with a salt as long as the digest, as the SPI wants. The SDK's own retries are off: throttled
 * and failed calls are retried here with jittered exponential backoff while the call's deadline
 * allows, then reported {@link ErrorCode#BUSY} (with a retry-after hint) or
 * {@link ErrorCode#BACKEND_UNAVAILABLE}. Every AWS error goes through {@link KmsErrors}. A batch
 * ({@link #sign(KeyRef, SignatureAlgorithm, List, String, Instant)}) signs its digests in parallel
 * with at most {@code max.parallel.signatures} calls in flight.
 *
 * <p>Thread-safe.
 */
public final class AwsKmsBackend implements SigningBackend, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AwsKmsBackend.class);
    private static final String C = AwsKmsSettings.COMPONENT;

    /** The first retry pause's ceiling, doubled per retry up to {@link #BACKOFF_CAP}. */
    static final Duration BACKOFF_BASE = Duration.ofMillis(100);
    static final Duration BACKOFF_CAP = Duration.ofSeconds(2);
    /** How often a key-lookup miss may trigger a rediscovery. */
    private static final long REFRESH_ON_MISS_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Discovery retries while KMS cannot be reached at start, doubling up to a minute. */
    private static final long FIRST_RETRY_MS = 1_000;
    private static final long MAX_RETRY_MS = 60_000;

    private static final Map<SignatureAlgorithm, SigningAlgorithmSpec> SPECS = new EnumMap<>(SignatureAlgorithm.class);

    static {
        SPECS.put(SignatureAlgorithm.RSA_PKCS1_SHA256, SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256);
        SPECS.put(SignatureAlgorithm.RSA_PKCS1_SHA384, SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_384);
        SPECS.put(SignatureAlgorithm.RSA_PKCS1_SHA512, SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_512);
        SPECS.put(SignatureAlgorithm.RSA_PSS_SHA256, SigningAlgorithmSpec.RSASSA_PSS_SHA_256);
        SPECS.put(SignatureAlgorithm.RSA_PSS_SHA384, SigningAlgorithmSpec.RSASSA_PSS_SHA_384);
        SPECS.put(SignatureAlgorithm.RSA_PSS_SHA512, SigningAlgorithmSpec.RSASSA_PSS_SHA_512);
        SPECS.put(SignatureAlgorithm.ECDSA_SHA256, SigningAlgorithmSpec.ECDSA_SHA_256);
        SPECS.put(SignatureAlgorithm.ECDSA_SHA384, SigningAlgorithmSpec.ECDSA_SHA_384);
        SPECS.put(SignatureAlgorithm.ECDSA_SHA512, SigningAlgorithmSpec.ECDSA_SHA_512);
    }

    /**
     * One served key.
     *
     * @param info    what the SPI shows, with the state KMS last reported; its ref's key id is the KMS key id
     * @param arn     the key ARN, which Sign is called with
     * @param aliases the key's aliases that this backend knows
     */
    record AwsKey(KeyInfo info, String arn, List<String> aliases) {
        KeyState state() {
            return info.state();
        }

        AwsKey withState(KeyState s) {
            return s == info.state() ? this : new AwsKey(info.withState(s), arn, aliases);
        }
    }

    private final String id;
    private final AwsKmsSettings.CredentialsMode mode;
    private final String credentialsSource;
    private final List<String> configuredKeys;
    private final String aliasPrefix;
    private final Duration callTimeout;
    private final Duration attemptTimeout;
    private final int maxParallel;
    private final int maxRetries;
    private final int pageSize;
    private final Backoff backoff = new Backoff(BACKOFF_BASE, BACKOFF_CAP);
    private final CallHealth health;
    private final ClassLoader sdkLoader = AwsKmsBackend.class.getClassLoader();

    private final SdkHttpClient http;
    private final StsClient sts;
    private final AwsCredentialsProvider credentials;
    private final KmsClient kms;
    private final ThreadPoolExecutor signers;
    private final ScheduledExecutorService background;

    /** Served keys by KMS key id. Replaced whole by discovery, entries updated by state changes. */
    private final Map<String, AwsKey> keys = new ConcurrentHashMap<>();
    /** Alias names and ARNs of served keys → KMS key id. */
    private final Map<String, String> names = new ConcurrentHashMap<>();
    private final Object refreshLock = new Object();
    private volatile long lastRefreshNanos = System.nanoTime() - REFRESH_ON_MISS_NANOS;
    private volatile boolean discovered;
    private volatile boolean closed;

    /**
     * Builds the SDK clients and discovers the keys. If KMS cannot be reached (network, throttling,
     * refused credentials) the backend still starts: it is DOWN and keeps discovering in the
     * background.
     *
     * @param settings validated settings; read, not kept (the secret key is copied into the SDK's
     *                 credentials object, the caller clears its own)
     */
    public AwsKmsBackend(AwsKmsSettings settings) {
        Objects.requireNonNull(settings, "settings");
        this.id = settings.backendId();
        this.mode = settings.mode();
        this.credentialsSource = settings.credentialsSource();
        this.configuredKeys = settings.keys();
        this.aliasPrefix = settings.aliasPrefix();
        this.callTimeout = settings.callTimeout();
        this.attemptTimeout = settings.attemptTimeout();
        this.maxParallel = settings.maxParallel();
        this.maxRetries = settings.maxRetries();
        this.pageSize = settings.pageSize();
        String where = "AWS KMS (" + settings.region()
                + (settings.endpoint() == null ? "" : ", " + settings.endpoint()) + ")";
        this.health = new CallHealth(where, System::nanoTime);
        this.health.beforeFirstCall("discovering the keys in " + where);

        // The SDK looks some things up through the thread context class loader (interceptors,
        // the STS factory of the web identity provider): in OSGi that must be this bundle's.
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(sdkLoader);
        try {
            // One HTTP client, passed explicitly everywhere, so the SDK never looks one up with a
            // ServiceLoader (which in OSGi would find none or the wrong one).
            this.http = UrlConnectionHttpClient.builder()
                    .connectionTimeout(settings.attemptTimeout())
                    .socketTimeout(settings.attemptTimeout())
                    .build();
            Region region = Region.of(settings.region());
            if (mode == AwsKmsSettings.CredentialsMode.WEB_IDENTITY) {
                this.sts = StsClient.builder().region(region).httpClient(http)
                        .credentialsProvider(software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider.create())
                        .overrideConfiguration(o -> o.apiCallTimeout(settings.callTimeout()))
                        .build();
            } else {
                this.sts = null;
            }
            this.credentials = credentials(settings, sts);
            ClientOverrideConfiguration override = ClientOverrideConfiguration.builder()
                    // Retries are ours, bounded by each call's deadline (see call()).
                    .retryStrategy(AwsRetryStrategy.doNotRetry())
                    .apiCallTimeout(settings.callTimeout())
                    .apiCallAttemptTimeout(settings.attemptTimeout())
                    .build();
            KmsClientBuilder b = KmsClient.builder()
                    .region(region)
                    .httpClient(http)
                    .credentialsProvider(credentials)
                    .overrideConfiguration(override);
            if (settings.endpoint() != null) {
                b.endpointOverride(settings.endpoint());
            }
            this.kms = b.build();
        } finally {
            t.setContextClassLoader(previous);
        }
        AtomicInteger n = new AtomicInteger();
        this.signers = new ThreadPoolExecutor(0, Math.max(64, maxParallel * 8), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread th = new Thread(r, "sigil-aws-" + id + "-sign-" + n.incrementAndGet());
                    th.setDaemon(true);
                    return th;
                });
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "sigil-aws-" + id + "-refresh");
            th.setDaemon(true);
            return th;
        });
        try {
            refresh(null);
            LOG.info("{} '{}': {} with credentials {}: {} signing key(s)", C, id, where, credentialsSource, keys.size());
        } catch (SigilException e) {
            LOG.warn("{} '{}': cannot discover the keys in {} yet ({}); retrying in the background", C, id, where,
                    e.getMessage());
            scheduleDiscovery(FIRST_RETRY_MS);
        }
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
                java.nio.file.Path tokenFile = s.tokenFile();
                String role = s.roleArn();
                String session = s.sessionName();
                // The token is read at every refresh: Kubernetes rotates the projected token file.
                Supplier<AssumeRoleWithWebIdentityRequest> request = () -> {
                    String token;
                    try {
                        token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
                    } catch (IOException e) {
                        throw software.amazon.awssdk.core.exception.SdkClientException.create(
                                "cannot read the web identity token file " + tokenFile, e);
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

    @Override
    public String id() {
        return id;
    }

    /** The algorithms of the served keys (each key lists its own). */
    @Override
    public Set<SignatureAlgorithm> algorithms() {
        Set<SignatureAlgorithm> out = EnumSet.noneOf(SignatureAlgorithm.class);
        for (AwsKey k : keys.values()) {
            out.addAll(k.info().algorithms());
        }
        return Collections.unmodifiableSet(out);
    }

    /** Discovers the keys afresh (new aliases appear, removed ones disappear) and lists them. */
    @Override
    public List<KeyInfo> keys() throws SigilException {
        checkOpen();
        refresh(null);
        List<KeyInfo> out = new ArrayList<>();
        for (AwsKey k : keys.values()) {
            out.add(k.info());
        }
        return List.copyOf(out);
    }

    /** One key, by KMS key id, alias name or key ARN; a miss triggers one rediscovery (at most every 10 s). */
    @Override
    public KeyInfo key(KeyRef ref) throws SigilException {
        return lookup(ref).info();
    }

    /** The served key with its cached state, for tests and for the coming KeyInfo state. */
    AwsKey awsKey(KeyRef ref) throws SigilException {
        return lookup(ref);
    }

    @Override
    public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
        return sign(ref, algorithm, digest, null, Instant.now().plus(callTimeout));
    }

    /** Signs one digest within the context's deadline; its request id goes into the log lines. */
    @Override
    public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest, CallContext context)
            throws SigilException {
        Objects.requireNonNull(context, "context");
        return sign(ref, algorithm, digest, context.requestId(), context.deadline());
    }

    /**
     * Signs the digests of a batch in parallel under {@code max.parallel.signatures} permits, all
     * within the context's deadline.
     */
    @Override
    public List<byte[]> sign(KeyRef ref, SignatureAlgorithm algorithm, List<byte[]> digests, CallContext context)
            throws SigilException {
        Objects.requireNonNull(context, "context");
        return sign(ref, algorithm, digests, context.requestId(), context.deadline());
    }

    /**
     * Signs one digest within a deadline, with a request id for the log.
     *
     * @param requestId the request's id for the log lines; may be null
     * @param deadline  when the caller stops waiting; retries end before it
     */
    public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest, String requestId, Instant deadline)
            throws SigilException {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(deadline, "deadline");
        AwsKey key = prepare(ref, algorithm);
        checkDigest(algorithm, digest);
        return signOne(key, algorithm, digest, requestId, deadline);
    }

    /**
     * Signs several digests with one key, in parallel with at most {@code max.parallel.signatures}
     * calls in flight, all within the deadline. Every digest's length is checked before the first
     * call; the first failure fails the batch.
     *
     * @return the signatures, in the order of the digests
     */
    public List<byte[]> sign(KeyRef ref, SignatureAlgorithm algorithm, List<byte[]> digests, String requestId,
                             Instant deadline) throws SigilException {
        Objects.requireNonNull(digests, "digests");
        Objects.requireNonNull(deadline, "deadline");
        AwsKey key = prepare(ref, algorithm);
        for (byte[] d : digests) {
            checkDigest(algorithm, Objects.requireNonNull(d, "digest"));
        }
        // Mutable lists: callers may ask contains(null), which List.of(...) answers with an NPE.
        if (digests.isEmpty()) {
            return new ArrayList<>(0);
        }
        if (digests.size() == 1) {
            List<byte[]> one = new ArrayList<>(1);
            one.add(signOne(key, algorithm, digests.get(0), requestId, deadline));
            return one;
        }
        long waitMs = Math.max(0, Duration.between(Instant.now(), deadline).toMillis()) + attemptTimeout.toMillis() + 1_000;
        return ParallelBatch.run(signers, digests.size(), maxParallel, waitMs,
                i -> signOne(key, algorithm, digests.get(i), requestId, deadline));
    }

    private AwsKey prepare(KeyRef ref, SignatureAlgorithm algorithm) throws SigilException {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(algorithm, "algorithm");
        AwsKey key = lookup(ref);
        KeyInfo info = key.info();
        if (algorithm.keyType() != info.type()) {
            throw new SigilException(ErrorCode.UNSUPPORTED_ALGORITHM, algorithm + " needs an "
                    + algorithm.keyType() + " key; key " + ref + " is " + info.type());
        }
        if (!info.supports(algorithm)) {
            throw new SigilException(ErrorCode.UNSUPPORTED_ALGORITHM, "key " + ref + " cannot sign with "
                    + algorithm + " in AWS KMS (it can: " + info.algorithms() + ")");
        }
        return key;
    }

    private static void checkDigest(SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
        if (digest.length != algorithm.digestLength()) {
            throw new SigilException(ErrorCode.INVALID_DIGEST, algorithm + " needs a "
                    + algorithm.digestLength() + "-byte digest, not " + digest.length + " bytes");
        }
    }

    /** The one KMS call of a signature. */
    private byte[] signOne(AwsKey key, SignatureAlgorithm algorithm, byte[] digest, String requestId, Instant deadline)
            throws SigilException {
        String keyId = key.info().ref().keyId();
        SigningAlgorithmSpec spec = SPECS.get(algorithm);
        SdkBytes message = SdkBytes.fromByteArray(digest);
        byte[] signature;
        try {
            signature = call("Sign", key.info().ref(), requestId, deadline, o -> kms.sign(r -> r
                    .keyId(key.arn())
                    .messageType(MessageType.DIGEST)
                    .message(message)
                    .signingAlgorithm(spec)
                    .overrideConfiguration(o))).signature().asByteArray();
        } catch (KmsFailure f) {
            if (f.mapped.kind() == KmsErrors.Kind.KEY_DISABLED || f.mapped.kind() == KmsErrors.Kind.KEY_MISSING) {
                noteStateChange(keyId, f.mapped);
            }
            throw f.exception;
        }
        if (key.state() != KeyState.ENABLED) {
            keys.computeIfPresent(keyId, (k, v) -> v.withState(KeyState.ENABLED));
        }
        return signature;
    }

    /**
     * Generates a key in KMS ({@code CreateKey}, KeyUsage SIGN_VERIFY) and gives it the alias
     * {@code <alias.prefix><label>} (the label cut to alias characters; a suffix of the key id if
     * that alias is taken). Only when the backend discovers its keys by alias prefix: with a fixed
     * {@code keys} list a generated key would not be served after a restart.
     */
    @Override
    public KeyInfo generateKey(KeySpec spec, String label) throws SigilException {
        Objects.requireNonNull(spec, "spec");
        checkOpen();
        if (!configuredKeys.isEmpty()) {
            throw new SigilException(ErrorCode.UNSUPPORTED_OPERATION, "backend " + id + " serves a fixed list of "
                    + "keys; to generate keys, configure it with alias.prefix and no keys");
        }
        String kmsSpec = kmsKeySpec(spec);
        Instant deadline = Instant.now().plus(callTimeout);
        KeyRef pending = new KeyRef(id, "new-" + kmsSpec);
        String description = "Sigil backend " + id + (label == null || label.isBlank() ? "" : ": " + label.strip());
        CreateKeyResponse created = callOrThrow("CreateKey", pending, null, deadline, o -> kms.createKey(r -> r
                .keyUsage(KeyUsageType.SIGN_VERIFY)
                .keySpec(kmsSpec)
                .description(description)
                .overrideConfiguration(o)));
        KeyMetadata md = created.keyMetadata();
        String keyId = md.keyId();
        KeyRef ref = new KeyRef(id, keyId);
        String alias = aliasPrefix + aliasName(label, keyId);
        try {
            createAlias(ref, alias, keyId);
        } catch (SigilException e) {
            if (!(e.getCause() instanceof AlreadyExistsException)) {
                orphan(ref, keyId);
                throw e;
            }
            alias = alias + "-" + keyId.substring(0, 8);
            try {
                createAlias(ref, alias, keyId);
            } catch (SigilException again) {
                orphan(ref, keyId);
                throw again;
            }
        }
        AwsKey key = load(keyId, List.of(alias), Instant.now().plus(callTimeout));
        if (key == null) {
            throw new SigilException(ErrorCode.INTERNAL, "the generated " + kmsSpec + " key cannot be read back");
        }
        put(key);
        LOG.info("{} '{}': generated {} key {} ({})", C, id, kmsSpec, keyId, alias);
        return key.info();
    }

    private void createAlias(KeyRef ref, String alias, String keyId) throws SigilException {
        callOrThrow("CreateAlias", ref, null, Instant.now().plus(callTimeout), o -> kms.createAlias(r -> r
                .aliasName(alias).targetKeyId(keyId).overrideConfiguration(o)));
    }

    /** A key made without its alias would be served by no one: schedule its deletion (7 days, the minimum). */
    private void orphan(KeyRef ref, String keyId) {
        try {
            callOrThrow("ScheduleKeyDeletion", ref, null, Instant.now().plus(callTimeout), o -> kms.scheduleKeyDeletion(r -> r
                    .keyId(keyId).pendingWindowInDays(7).overrideConfiguration(o)));
            LOG.warn("{} '{}': key {} got no alias; scheduled its deletion in 7 days", C, id, keyId);
        } catch (SigilException e) {
            LOG.error("{} '{}': key {} got no alias and could not be scheduled for deletion: delete it by hand", C, id, keyId);
        }
    }

    /** The alias part from a label: alias characters only, at most 64, else the key id. */
    static String aliasName(String label, String keyId) {
        String s = label == null ? "" : label.strip().replaceAll("[^A-Za-z0-9/_-]", "-").replaceAll("-{2,}", "-");
        s = s.replaceAll("^[-/]+", "").replaceAll("[-/]+$", "");
        if (s.length() > 64) {
            s = s.substring(0, 64);
        }
        return s.isEmpty() ? keyId : s;
    }

    private static String kmsKeySpec(KeySpec spec) {
        if (spec.type() == KeyType.RSA) {
            return "RSA_" + spec.bits();
        }
        return switch (spec.curve()) {
            case P256 -> "ECC_NIST_P256";
            case P384 -> "ECC_NIST_P384";
            case P521 -> "ECC_NIST_P521";
        };
    }

    /** DOWN, DEGRADED or UP from the recent calls' outcomes; never a network call. */
    @Override
    public BackendHealth health() {
        if (closed) {
            return BackendHealth.down("backend " + id + " is stopped");
        }
        BackendHealth h = health.health();
        if (h.state() != BackendHealth.State.DOWN && !discovered) {
            return BackendHealth.down("discovering the keys of backend " + id);
        }
        return h;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        background.shutdownNow();
        signers.shutdown();
        try {
            if (!signers.awaitTermination(callTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                signers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(kms);
        if (credentials instanceof AutoCloseable c) {
            closeQuietly(c);
        }
        closeQuietly(sts);
        closeQuietly(http);
        LOG.info("{} '{}': stopped", C, id);
    }

    private void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("{} '{}': closing {} failed", C, id, c.getClass().getSimpleName(), e);
        }
    }

    // ---- keys ----

    private AwsKey lookup(KeyRef ref) throws SigilException {
        Objects.requireNonNull(ref, "ref");
        checkOpen();
        if (!id.equals(ref.backendId())) {
            throw new SigilException(ErrorCode.KEY_NOT_FOUND, "key " + ref + " is not in backend " + id);
        }
        AwsKey k = find(ref.keyId());
        if (k != null) {
            return k;
        }
        long now = System.nanoTime();
        if (now - lastRefreshNanos >= REFRESH_ON_MISS_NANOS) {
            try {
                refresh(null);
            } catch (SigilException e) {
                if (e.code() != ErrorCode.KEY_NOT_FOUND) {
                    throw e;
                }
            }
            k = find(ref.keyId());
            if (k != null) {
                return k;
            }
        }
        throw new SigilException(ErrorCode.KEY_NOT_FOUND, "no key " + ref + " in backend " + id);
    }

    private AwsKey find(String keyId) {
        AwsKey k = keys.get(keyId);
        if (k != null) {
            return k;
        }
        String mapped = names.get(keyId);
        return mapped == null ? null : keys.get(mapped);
    }

    private void put(AwsKey key) {
        String keyId = key.info().ref().keyId();
        keys.put(keyId, key);
        names.put(key.arn(), keyId);
        for (String a : key.aliases()) {
            names.put(a, keyId);
        }
    }

    /**
     * Reads the served keys again and replaces the cache. A key that cannot be read (missing,
     * disabled before it was ever read, not a signing key) is left out with a warning; a key
     * already cached that is now disabled or pending deletion stays, with its new state.
     *
     * @throws SigilException when KMS itself fails (throttling, credentials, network): the cache is kept
     */
    private void refresh(String requestId) throws SigilException {
        synchronized (refreshLock) {
            lastRefreshNanos = System.nanoTime();
            Instant deadline = Instant.now().plus(callTimeout.multipliedBy(3));
            KeyRef listing = new KeyRef(id, aliasPrefix.isEmpty() ? "alias" : aliasPrefix);
            // key id or configured reference -> aliases
            Map<String, List<String>> wanted = new LinkedHashMap<>();
            if (configuredKeys.isEmpty()) {
                callOrThrow("ListAliases", listing, requestId, deadline, o -> {
                    for (AliasListEntry a : kms.listAliasesPaginator(r -> r.limit(pageSize).overrideConfiguration(o))
                            .aliases()) {
                        if (a.aliasName() != null && a.aliasName().startsWith(aliasPrefix) && a.targetKeyId() != null) {
                            wanted.computeIfAbsent(a.targetKeyId(), x -> new ArrayList<>()).add(a.aliasName());
                        }
                    }
                    return null;
                });
            } else {
                for (String k : configuredKeys) {
                    wanted.computeIfAbsent(k, x -> new ArrayList<>());
                    if (k.startsWith("alias/")) {
                        wanted.get(k).add(k);
                    }
                }
            }
            Map<String, AwsKey> found = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> e : wanted.entrySet()) {
                AwsKey k = load(e.getKey(), e.getValue(), deadline);
                if (k != null) {
                    AwsKey seen = found.get(k.info().ref().keyId());
                    if (seen != null) { // two configured names of one key
                        List<String> aliases = new ArrayList<>(seen.aliases());
                        aliases.addAll(k.aliases());
                        k = new AwsKey(k.info(), k.arn(), List.copyOf(aliases));
                    }
                    found.put(k.info().ref().keyId(), k);
                }
            }
            keys.keySet().retainAll(found.keySet());
            names.clear();
            for (AwsKey k : found.values()) {
                put(k);
            }
            discovered = true;
        }
    }

    /**
     * DescribeKey and GetPublicKey of one key; null (logged) if it cannot sign for good reasons.
     *
     * @param reference a key id, ARN or alias
     */
    private AwsKey load(String reference, List<String> aliases, Instant deadline) throws SigilException {
        KeyRef ref = new KeyRef(id, reference);
        KeyMetadata md;
        try {
            md = call("DescribeKey", ref, null, deadline, o -> kms.describeKey(r -> r.keyId(reference)
                    .overrideConfiguration(o))).keyMetadata();
        } catch (KmsFailure f) {
            if (f.mapped.row().serviceFine()) {
                LOG.warn("{} '{}': key {} is not served: {}", C, id, reference, f.mapped.vendorDetail());
                return null;
            }
            throw f.exception;
        }
        String keyId = md.keyId();
        if (md.keyUsage() != KeyUsageType.SIGN_VERIFY) {
            LOG.warn("{} '{}': key {} ({}) is not served: its KeyUsage is {}, not SIGN_VERIFY", C, id, keyId,
                    reference, md.keyUsageAsString());
            return null;
        }
        KeyState state = state(md.keyStateAsString());
        AwsKey cached = keys.get(keyId);
        if (state != KeyState.ENABLED && cached != null) {
            // GetPublicKey refuses a disabled key: keep what was read while it was enabled.
            return new AwsKey(cached.info().withState(state), cached.arn(), mergeAliases(cached.aliases(), aliases));
        }
        if (state != KeyState.ENABLED) {
            LOG.warn("{} '{}': key {} ({}) is not served: its state is {}", C, id, keyId, reference,
                    md.keyStateAsString());
            return null;
        }
        KeyFacts facts = facts(md.keySpecAsString());
        if (facts == null) {
            LOG.warn("{} '{}': key {} is not served: Sigil does not sign with KeySpec {}", C, id, keyId,
                    md.keySpecAsString());
            return null;
        }
        Set<SignatureAlgorithm> algorithms = EnumSet.noneOf(SignatureAlgorithm.class);
        for (String a : md.signingAlgorithmsAsStrings()) {
            for (Map.Entry<SignatureAlgorithm, SigningAlgorithmSpec> s : SPECS.entrySet()) {
                if (s.getValue().toString().equals(a) && s.getKey().keyType() == facts.type) {
                    algorithms.add(s.getKey());
                }
            }
        }
        if (algorithms.isEmpty()) {
            LOG.warn("{} '{}': key {} is not served: none of its signing algorithms {} is one of Sigil's", C, id,
                    keyId, md.signingAlgorithmsAsStrings());
            return null;
        }
        byte[] der;
        try {
            der = call("GetPublicKey", new KeyRef(id, keyId), null, deadline, o -> kms.getPublicKey(r -> r
                    .keyId(md.arn()).overrideConfiguration(o))).publicKey().asByteArray();
        } catch (KmsFailure f) {
            if (f.mapped.row().serviceFine()) {
                LOG.warn("{} '{}': key {} is not served: {}", C, id, keyId, f.mapped.vendorDetail());
                return null;
            }
            throw f.exception;
        }
        PublicKey publicKey;
        try {
            publicKey = KeyFactory.getInstance(facts.type.name()).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            LOG.warn("{} '{}': key {} is not served: its public key does not decode ({})", C, id, keyId, e.toString());
            return null;
        }
        if (!fits(publicKey, facts)) {
            LOG.warn("{} '{}': key {} is not served: its public key does not match KeySpec {}", C, id, keyId,
                    md.keySpecAsString());
            return null;
        }
        KeyInfo info = new KeyInfo(new KeyRef(id, keyId), facts.type, facts.bits, facts.curve, publicKey, List.of(),
                algorithms, state);
        List<String> merged = cached == null ? List.copyOf(aliases) : mergeAliases(cached.aliases(), aliases);
        return new AwsKey(info, md.arn(), merged);
    }

    private static List<String> mergeAliases(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        for (String s : b) {
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return List.copyOf(out);
    }

    /** A key's type, size and curve from its KMS KeySpec. */
    private record KeyFacts(KeyType type, int bits, EcCurve curve) {
    }

    private static KeyFacts facts(String keySpec) {
        if (keySpec == null) {
            return null;
        }
        return switch (keySpec) {
            case "RSA_2048" -> new KeyFacts(KeyType.RSA, 2048, null);
            case "RSA_3072" -> new KeyFacts(KeyType.RSA, 3072, null);
            case "RSA_4096" -> new KeyFacts(KeyType.RSA, 4096, null);
            case "ECC_NIST_P256" -> new KeyFacts(KeyType.EC, 256, EcCurve.P256);
            case "ECC_NIST_P384" -> new KeyFacts(KeyType.EC, 384, EcCurve.P384);
            case "ECC_NIST_P521" -> new KeyFacts(KeyType.EC, 521, EcCurve.P521);
            default -> null;
        };
    }

    private static boolean fits(PublicKey key, KeyFacts facts) {
        if (facts.type == KeyType.RSA) {
            return key instanceof RSAPublicKey r && r.getModulus().bitLength() == facts.bits;
        }
        return key instanceof ECPublicKey e && e.getParams().getCurve().getField().getFieldSize() == facts.bits;
    }

    private static KeyState state(String kmsState) {
        if (kmsState == null) {
            return KeyState.UNAVAILABLE;
        }
        return switch (kmsState) {
            case "Enabled" -> KeyState.ENABLED;
            case "Disabled" -> KeyState.DISABLED;
            case "PendingDeletion", "PendingReplicaDeletion" -> KeyState.PENDING_DELETION;
            default -> KeyState.UNAVAILABLE; // PendingImport, Unavailable, Creating, Updating
        };
    }

    /** After Sign said the key is disabled or gone: mark it, and read its precise state in the background. */
    private void noteStateChange(String keyId, KmsErrors.Mapped mapped) {
        keys.computeIfPresent(keyId, (k, v) -> v.state() == KeyState.ENABLED ? v.withState(
                mapped.kind() == KmsErrors.Kind.KEY_MISSING ? KeyState.UNAVAILABLE : KeyState.DISABLED) : v);
        try {
            background.execute(() -> {
                try {
                    AwsKey now = load(keyId, List.of(), Instant.now().plus(callTimeout));
                    if (now != null) {
                        keys.computeIfPresent(keyId, (k, v) -> v.withState(now.state()));
                    }
                } catch (SigilException | RuntimeException e) {
                    LOG.debug("{} '{}': reading the state of key {} failed", C, id, keyId, e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void scheduleDiscovery(long delayMs) {
        try {
            background.schedule(() -> {
                if (closed || discovered) {
                    return;
                }
                try {
                    refresh(null);
                    LOG.info("{} '{}': discovered {} signing key(s)", C, id, keys.size());
                } catch (SigilException | RuntimeException e) {
                    long next = Math.min(delayMs * 2, MAX_RETRY_MS);
                    LOG.warn("{} '{}': discovering the keys failed ({}); next attempt in {} ms", C, id, e.getMessage(), next);
                    scheduleDiscovery(next);
                }
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    private void checkOpen() throws SigilException {
        if (closed) {
            throw new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "backend " + id + " is stopped");
        }
    }

    // ---- calls ----

    /** A mapped KMS failure together with the exception for the client. */
    private static final class KmsFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final transient KmsErrors.Mapped mapped;
        final SigilException exception;

        KmsFailure(KmsErrors.Mapped mapped, SigilException exception) {
            super(exception.getMessage(), null, false, false);
            this.mapped = mapped;
            this.exception = exception;
        }
    }

    private <T> T callOrThrow(String operation, KeyRef ref, String requestId, Instant deadline,
                              Function<AwsRequestOverrideConfiguration, T> body) throws SigilException {
        try {
            return call(operation, ref, requestId, deadline, body);
        } catch (KmsFailure f) {
            throw f.exception;
        }
    }

    /**
     * Runs one KMS operation: each attempt with an attempt timeout and a call timeout that end
     * before the deadline, throttled and failed attempts retried with jittered backoff while the
     * deadline leaves room and fewer than {@code max.retries} retries were made; every outcome
     * recorded for health; every failure mapped by {@link KmsErrors}.
     */
    private <T> T call(String operation, KeyRef ref, String requestId, Instant deadline,
                       Function<AwsRequestOverrideConfiguration, T> body) throws KmsFailure {
        String req = requestId == null ? "" : " [request " + requestId + "]";
        for (int attempt = 0; ; attempt++) {
            Duration remaining = Duration.between(Instant.now(), deadline);
            if (remaining.isNegative() || remaining.isZero()) {
                SigilException e = new SigilException(ErrorCode.BACKEND_UNAVAILABLE,
                        "backend " + id + ": no time left for " + operation);
                throw new KmsFailure(new KmsErrors.Mapped(KmsErrors.UNAVAILABLE, "deadline passed", java.util.Optional.empty()), e);
            }
            AwsRequestOverrideConfiguration o = AwsRequestOverrideConfiguration.builder()
                    .apiCallTimeout(min(callTimeout, remaining))
                    .apiCallAttemptTimeout(min(attemptTimeout, remaining))
                    .build();
            Thread t = Thread.currentThread();
            ClassLoader previous = t.getContextClassLoader();
            t.setContextClassLoader(sdkLoader);
            KmsErrors.Mapped m;
            Throwable cause;
            try {
                T result = body.apply(o);
                health.record(Outcome.OK, operation);
                if (attempt > 0) {
                    LOG.info("{} '{}':{} {} of {} succeeded after {} retr{}", C, id, req, operation, ref.keyId(),
                            attempt, attempt == 1 ? "y" : "ies");
                }
                return result;
            } catch (SdkException e) {
                if (closed || t.isInterrupted()) {
                    // Closing interrupted the call (the SDK says AbortedException): not KMS's fault.
                    LOG.debug("{} '{}':{} {} of {} ended: the backend is stopping", C, id, req, operation, ref.keyId());
                    throw new KmsFailure(new KmsErrors.Mapped(KmsErrors.UNAVAILABLE, "stopping", java.util.Optional.empty()),
                            new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "backend " + id + " is stopping", e));
                }
                m = KmsErrors.map(e);
                cause = e;
            } catch (RuntimeException e) {
                m = KmsErrors.map(e);
                cause = e;
            } finally {
                t.setContextClassLoader(previous);
            }
            health.record(outcome(m.kind()), operation + ": " + m.vendorDetail());
            Duration pause = backoff.delay(attempt);
            if (m.retryAfter().isPresent() && m.retryAfter().get().compareTo(pause) > 0) {
                pause = m.retryAfter().get();
            }
            boolean room = Instant.now().plus(pause).plusMillis(10).isBefore(deadline);
            if (m.row().retryable() && attempt < maxRetries && room) {
                LOG.debug("{} '{}':{} {} of {}: {}; retry {} in {} ms", C, id, req, operation, ref.keyId(),
                        m.vendorDetail(), attempt + 1, pause.toMillis());
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException e) {
                    t.interrupt();
                    throw new KmsFailure(m, new SigilException(ErrorCode.BACKEND_UNAVAILABLE,
                            "backend " + id + ": interrupted while waiting to retry " + operation, cause));
                }
                continue;
            }
            throw new KmsFailure(m, failure(operation, ref, req, m, cause, attempt, pause));
        }
    }

    private SigilException failure(String operation, KeyRef ref, String req, KmsErrors.Mapped m, Throwable cause,
                                   int retries, Duration nextPause) {
        String tried = retries == 0 ? "" : " after " + retries + " retr" + (retries == 1 ? "y" : "ies");
        switch (m.kind()) {
            case THROTTLED: {
                Duration hint = m.retryAfter().orElse(nextPause);
                long seconds = Math.max(1, (hint.toMillis() + 999) / 1000);
                LOG.warn("{} '{}':{} {} of {} throttled{}: {}", C, id, req, operation, ref.keyId(), tried, m.vendorDetail());
                return new SigilException(ErrorCode.BUSY, "backend " + id + ": AWS KMS is throttling requests; try again in "
                        + seconds + " s", cause, Duration.ofSeconds(seconds));
            }
            case CREDENTIALS:
                LOG.error("{} '{}':{} {} of {}: AWS refused the credentials ({}) or their permissions: {}", C, id, req,
                        operation, ref.keyId(), credentialsSource, m.vendorDetail());
                return new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "backend " + id + " is unavailable", cause);
            case UNAVAILABLE:
                LOG.warn("{} '{}':{} {} of {} failed{}: {}", C, id, req, operation, ref.keyId(), tried, m.vendorDetail());
                return new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "backend " + id
                        + ": AWS KMS is unavailable; try again later", cause);
            case KEY_MISSING:
                logKeyProblem(operation, ref, req, m);
                return new SigilException(ErrorCode.KEY_NOT_FOUND, "no key " + ref + " in backend " + id, cause);
            case KEY_DISABLED:
                logKeyProblem(operation, ref, req, m);
                return new SigilException(m.code(), "key " + ref + " is disabled or pending deletion", cause);
            case REQUEST:
                LOG.warn("{} '{}':{} {} of {} refused: {}", C, id, req, operation, ref.keyId(), m.vendorDetail());
                return new SigilException(m.code(), "AWS KMS refused " + operation + " with key " + ref, cause);
            default:
                LOG.error("{} '{}':{} {} of {} failed: {}", C, id, req, operation, ref.keyId(), m.vendorDetail(), cause);
                return new SigilException(ErrorCode.INTERNAL, "backend " + id + ": " + operation + " failed", cause);
        }
    }

    /** A key that cannot sign: worth a warning when signing; discovery says it once itself. */
    private void logKeyProblem(String operation, KeyRef ref, String req, KmsErrors.Mapped m) {
        if (operation.equals("Sign")) {
            LOG.warn("{} '{}':{} {} of {}: {}", C, id, req, operation, ref.keyId(), m.vendorDetail());
        } else {
            LOG.debug("{} '{}':{} {} of {}: {}", C, id, req, operation, ref.keyId(), m.vendorDetail());
        }
    }

    private static Outcome outcome(KmsErrors.Kind kind) {
        return switch (kind) {
            case THROTTLED -> Outcome.THROTTLED;
            case CREDENTIALS -> Outcome.REFUSED;
            case UNAVAILABLE, INTERNAL -> Outcome.FAILED;
            default -> Outcome.OK;
        };
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** The KMS client, for tests that set up keys through the same endpoint. */
    KmsClient kmsClient() {
        return kms;
    }

    @Override
    public String toString() {
        return "AwsKmsBackend[" + id + ", " + keys.size() + " key(s)]";
    }
}
