package dev.sigil.backend.aws.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.CallContext;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.backend.SigningBackend;
import dev.sigil.backend.kit.CallHealth;
import dev.sigil.backend.kit.ParallelSigner;
import dev.sigil.backend.kit.SignChecks;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.MessageType;

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
 * <p>A facade over its parts: {@link KmsClients} (the SDK objects), {@link KmsCalls} (every KMS
 * operation: timeouts, the error table {@link KmsErrors}, retries, health), {@link KmsKeys} (the
 * key catalog). A key's {@link KeyRef#keyId()} is its <b>KMS key id</b> (the UUID, or
 * {@code mrk-...}), which stays the same when aliases move; {@link #key} also accepts an alias name
 * or a key ARN of a served key. The algorithms of a key are exactly KMS's SigningAlgorithms for it
 * (KMS allows ECDSA only with the hash that matches the curve); the backend advertises every
 * algorithm KMS has.
 *
 * <h2>Signing</h2>
 * The kit's {@link SignChecks}, then one {@code Sign} with {@code MessageType=DIGEST} per digest;
 * KMS returns ECDSA signatures DER-encoded and PSS with a salt as long as the digest, as the SPI
 * wants. Every signature, single or in a batch, takes one of {@code max.concurrent.calls} permits
 * of the kit's {@link ParallelSigner}; a batch runs at most {@code max.parallel.signatures} of them
 * at once. Throttled and transiently failed calls are retried within the request's deadline (see
 * {@link KmsCalls}).
 *
 * <p>Thread-safe.
 */
public final class AwsKmsBackend implements SigningBackend, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AwsKmsBackend.class);
    private static final String C = AwsKmsSettings.COMPONENT;

    private final String id;
    private final List<String> configuredKeys;
    private final String aliasPrefix;
    private final Duration callTimeout;
    private final CallHealth health = new CallHealth();
    private final KmsClients clients;
    private final KmsCalls calls;
    private final KmsKeys keys;
    private final ParallelSigner parallel;
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
        this.configuredKeys = settings.keys();
        this.aliasPrefix = settings.aliasPrefix();
        this.callTimeout = settings.callTimeout();
        this.clients = new KmsClients(settings);
        this.calls = new KmsCalls(settings, clients.where(), health, () -> closed);
        this.keys = new KmsKeys(settings, calls, clients.kms());
        this.parallel = new ParallelSigner("aws-" + id, settings.maxConcurrentCalls(), settings.maxParallel());
        keys.discover(clients.where(), settings.credentialsSource());
    }

    @Override
    public String id() {
        return id;
    }

    /** Every algorithm AWS KMS signs with; each key lists its own. */
    @Override
    public Set<SignatureAlgorithm> algorithms() {
        return KmsKeySpecs.ALGORITHMS;
    }

    /** Discovers the keys afresh (new aliases appear, removed ones disappear) and lists them. */
    @Override
    public List<KeyInfo> keys() throws SigilException {
        checkOpen();
        return keys.list();
    }

    /** One key, by KMS key id, alias name or key ARN; a miss triggers one rediscovery (at most every 10 s). */
    @Override
    public KeyInfo key(KeyRef ref) throws SigilException {
        return awsKey(ref).info();
    }

    /** The served key with its ARN and aliases. */
    KmsKeys.AwsKey awsKey(KeyRef ref) throws SigilException {
        Objects.requireNonNull(ref, "ref");
        checkOpen();
        return keys.lookup(ref);
    }

    @Override
    public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
        return sign(ref, algorithm, digest, CallContext.of(null, callTimeout));
    }

    /** Signs one digest within the context's deadline; its request id goes into the log lines. */
    @Override
    public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest, CallContext context)
            throws SigilException {
        Objects.requireNonNull(digest, "digest");
        return sign(ref, algorithm, List.of(digest), context).get(0);
    }

    /**
     * Signs the digests of a batch in parallel (at most {@code max.parallel.signatures} at once),
     * all within the context's deadline; every digest is checked before the first call, and the
     * first failure fails the batch.
     *
     * @return the signatures, in the order of the digests
     */
    @Override
    public List<byte[]> sign(KeyRef ref, SignatureAlgorithm algorithm, List<byte[]> digests, CallContext context)
            throws SigilException {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(digests, "digests");
        Objects.requireNonNull(context, "context");
        checkOpen();
        KmsKeys.AwsKey key = keys.forSigning(ref, context);
        SignChecks.check(key.info(), algorithm, digests);
        return parallel.signAll(digests, context, digest -> signOne(key, algorithm, digest, context));
    }

    /** The one KMS call of a signature. */
    private byte[] signOne(KmsKeys.AwsKey key, SignatureAlgorithm algorithm, byte[] digest, CallContext context)
            throws SigilException {
        SdkBytes message = SdkBytes.fromByteArray(digest);
        try {
            return calls.call("Sign", key.info().ref(), context, o -> clients.kms().sign(r -> r
                    .keyId(key.arn())
                    .messageType(MessageType.DIGEST)
                    .message(message)
                    .signingAlgorithm(KmsKeySpecs.spec(algorithm))
                    .overrideConfiguration(o))).signature().asByteArray();
        } catch (KmsCalls.Failure f) {
            if (f.kind() == KmsErrors.Kind.KEY_DISABLED || f.kind() == KmsErrors.Kind.KEY_MISSING) {
                keys.noteStateChange(key.keyId(), f.kind());
            }
            throw f;
        }
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
        String kmsSpec = KmsKeySpecs.kmsKeySpec(spec);
        KeyRef pending = new KeyRef(id, "new-" + kmsSpec);
        String description = "Sigil backend " + id + (label == null || label.isBlank() ? "" : ": " + label.strip());
        // Not repeated after a failure that may have reached KMS: that could make a second key.
        KeyMetadata md = calls.call("CreateKey", pending, calls.background(1), KmsCalls.Repeat.THROTTLED_ONLY,
                o -> clients.kms().createKey(r -> r
                        .keyUsage(KeyUsageType.SIGN_VERIFY)
                        .keySpec(kmsSpec)
                        .description(description)
                        .overrideConfiguration(o))).keyMetadata();
        String keyId = md.keyId();
        KeyRef ref = new KeyRef(id, keyId);
        String alias = aliasPrefix + KmsKeySpecs.aliasName(label, keyId);
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
        KmsKeys.AwsKey key = keys.load(keyId, List.of(alias), calls.background(1));
        if (key == null) {
            throw new SigilException(ErrorCode.INTERNAL, "the generated " + kmsSpec + " key cannot be read back");
        }
        keys.add(key);
        LOG.info("{} '{}': generated {} key {} ({})", C, id, kmsSpec, keyId, alias);
        return key.info();
    }

    private void createAlias(KeyRef ref, String alias, String keyId) throws SigilException {
        calls.call("CreateAlias", ref, calls.background(1), KmsCalls.Repeat.THROTTLED_ONLY, o -> clients.kms()
                .createAlias(r -> r.aliasName(alias).targetKeyId(keyId).overrideConfiguration(o)));
    }

    /** A key made without its alias would be served by no one: schedule its deletion (7 days, the minimum). */
    private void orphan(KeyRef ref, String keyId) {
        try {
            calls.call("ScheduleKeyDeletion", ref, calls.background(1), o -> clients.kms().scheduleKeyDeletion(r -> r
                    .keyId(keyId).pendingWindowInDays(7).overrideConfiguration(o)));
            LOG.warn("{} '{}': key {} got no alias; scheduled its deletion in 7 days", C, id, keyId);
        } catch (SigilException e) {
            LOG.error("{} '{}': key {} got no alias and could not be scheduled for deletion: delete it by hand", C, id, keyId);
        }
    }

    /** DOWN, DEGRADED or UP from the recent calls' outcomes (the kit's {@link CallHealth}); never a network call. */
    @Override
    public BackendHealth health() {
        if (closed) {
            return BackendHealth.down("backend " + id + " is stopped");
        }
        BackendHealth h = health.health();
        if (h.state() != BackendHealth.State.DOWN && !keys.discovered()) {
            return BackendHealth.down("discovering the keys of backend " + id + " in " + clients.where());
        }
        return h;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        keys.close();
        parallel.close();
        clients.close();
        LOG.info("{} '{}': stopped", C, id);
    }

    private void checkOpen() throws SigilException {
        if (closed) {
            throw new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "backend " + id + " is stopped");
        }
    }

    /** The KMS client, for tests that set up keys through the same endpoint. */
    software.amazon.awssdk.services.kms.KmsClient kmsClient() {
        return clients.kms();
    }

    @Override
    public String toString() {
        return "AwsKmsBackend[" + id + ", " + keys.size() + " key(s)]";
    }
}
