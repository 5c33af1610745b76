package dev.sigil.backend.azure.internal;

import dev.sigil.api.EcCurve;
import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.KeyType;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.CallContext;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeyState;
import dev.sigil.api.backend.SigningBackend;
import dev.sigil.backend.kit.CallHealth;
import dev.sigil.backend.kit.ParallelSigner;
import dev.sigil.backend.kit.SignChecks;

import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.azure.core.http.rest.PagedResponse;
import com.azure.security.keyvault.keys.cryptography.CryptographyClient;
import com.azure.security.keyvault.keys.models.CreateEcKeyOptions;
import com.azure.security.keyvault.keys.models.CreateRsaKeyOptions;
import com.azure.security.keyvault.keys.models.JsonWebKey;
import com.azure.security.keyvault.keys.models.KeyCurveName;
import com.azure.security.keyvault.keys.models.KeyOperation;
import com.azure.security.keyvault.keys.models.KeyProperties;
import com.azure.security.keyvault.keys.models.KeyVaultKey;

/**
 * A {@link SigningBackend} over keys in Azure Key Vault or Managed HSM, usable without OSGi:
 *
 * <pre>{@code
 * AzureKeyVaultSettings settings = AzureKeyVaultSettings.from(config, System::getenv);
 * AzureKeyVaultBackend backend;
 * try {
 *     backend = new AzureKeyVaultBackend(settings);
 * } finally {
 *     settings.clearSecrets();
 * }
 * byte[] der = backend.sign(new KeyRef("kv", "alice/0123...cdef"), SignatureAlgorithm.ECDSA_SHA256, digest);
 * backend.close();
 * }</pre>
 *
 * <p>A facade over its parts: {@link AzureClients} (the SDK objects), {@link AzureCalls} (every Key
 * Vault operation: timeouts, the error table {@link AzureErrors}, retries, health),
 * {@link AzureAlgorithms}. A key's {@link KeyRef#keyId()} is {@code <name>/<version>}: the
 * certificate of a credential pins the key version, so a new version in the vault never signs for an
 * old certificate. {@link #key} also accepts a bare name: its current version.
 *
 * <h2>Signing</h2>
 * The kit's {@link SignChecks} on the cached key, then one {@code POST /keys/{name}/{version}/sign}
 * per digest through the version's cached {@code CryptographyClient} (no key read first); ECDSA
 * comes back as raw r||s and is converted to DER. Every signature takes one of
 * {@code max.concurrent.calls} permits of the kit's {@link ParallelSigner}; a batch runs at most
 * {@code max.parallel.signatures} at once; throttled and transiently failed calls are retried within
 * the request's deadline.
 *
 * <p>Thread-safe.
 */
public final class AzureKeyVaultBackend implements SigningBackend, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AzureKeyVaultBackend.class);
    private static final String C = AzureKeyVaultSettings.COMPONENT;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A key version as read from Key Vault, the client that signs with it, and when it was read. */
    record AzureKey(KeyInfo info, CryptographyClient crypto, long readAtNanos) {
        /**
         * Whether the cached read still answers: an enabled key's public part never changes; a key
         * that could not sign (disabled, no sign operation) is read again after a while, so that a
         * key enabled again in the vault signs again without a restart.
         */
        boolean fresh() {
            return info.state() == KeyState.ENABLED || System.nanoTime() - readAtNanos < RECHECK_NANOS;
        }
    }

    /** How long a key read as not enabled is believed before it is read again. */
    static final long RECHECK_NANOS = Duration.ofSeconds(10).toNanos();

    private final String id;
    private final List<AzureKeyVaultSettings.KeyName> configuredKeys;
    private final Duration callTimeout;
    private final boolean hsmKeys;
    private final CallHealth health = new CallHealth();
    private final AzureClients clients;
    private final AzureCalls calls;
    private final ParallelSigner parallel;
    /** By {@code name/version}. */
    private final Map<String, AzureKey> byVersion = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile ScheduledExecutorService prober;

    /**
     * Builds the SDK clients. No call to Key Vault is made here: keys are read on first use, or by
     * {@link #probe()} (the component starts {@link #startProbing} right after).
     *
     * @param settings validated settings; read, not kept
     */
    public AzureKeyVaultBackend(AzureKeyVaultSettings settings) {
        this(settings, new AzureClients(settings));
    }

    /** With clients built elsewhere (tests: a Key Vault fake). */
    AzureKeyVaultBackend(AzureKeyVaultSettings settings, AzureClients clients) {
        Objects.requireNonNull(settings, "settings");
        this.id = settings.backendId();
        this.configuredKeys = settings.keys();
        this.callTimeout = settings.callTimeout();
        this.hsmKeys = settings.hsmKeys();
        this.clients = clients;
        this.calls = new AzureCalls(settings, clients.where(), health, () -> closed);
        this.parallel = new ParallelSigner("azure-" + id, settings.maxConcurrentCalls(), settings.maxParallel());
        LOG.info("{} '{}': {} with {}", C, id, clients.where(), settings.credentialSource());
    }

    @Override
    public String id() {
        return id;
    }

    /** Every algorithm Key Vault signs with; each key lists its own. */
    @Override
    public Set<SignatureAlgorithm> algorithms() {
        return AzureAlgorithms.ALL;
    }

    /** The configured keys (current or pinned version), or every RSA and EC key of the vault, each with its state. */
    @Override
    public List<KeyInfo> keys() throws SigilException {
        checkOpen();
        // Each read with its own deadline: a vault may hold many keys.
        List<KeyInfo> out = new ArrayList<>();
        if (!configuredKeys.isEmpty()) {
            for (AzureKeyVaultSettings.KeyName k : configuredKeys) {
                try {
                    out.add(load(k.name(), k.version(), CallContext.of(null, callTimeout)).info());
                } catch (SigilException e) {
                    if (e.code() != ErrorCode.KEY_NOT_FOUND && e.code() != ErrorCode.UNSUPPORTED_ALGORITHM) {
                        throw e;
                    }
                    LOG.warn("{} '{}': configured key {} is not served: {}", C, id, k, e.getMessage());
                }
            }
            return out;
        }
        CallContext listing = CallContext.of(null, callTimeout.multipliedBy(4));
        List<String> names = calls.call(AzureCalls.LIST_KEYS, "the vault", listing, AzureCalls.Repeat.SAFE, ctx -> {
            List<String> found = new ArrayList<>();
            for (PagedResponse<KeyProperties> page : clients.keys().listPropertiesOfKeys(ctx).iterableByPage()) {
                for (KeyProperties p : page.getValue()) {
                    // Disabled keys too (listed as DISABLED); a certificate's key (managed) like any other.
                    found.add(p.getName());
                }
            }
            return found;
        });
        for (String name : names) {
            try {
                out.add(load(name, null, CallContext.of(null, callTimeout)).info());
            } catch (SigilException e) {
                if (e.code() != ErrorCode.UNSUPPORTED_ALGORITHM && e.code() != ErrorCode.KEY_NOT_FOUND
                        && e.code() != ErrorCode.KEY_DISABLED) {
                    throw e;
                }
                // Not a key Sigil signs with (an oct or secp256k1 key), deleted since the listing, or
                // disabled in a way that hides even its public key.
                LOG.debug("{} '{}': key {} left out: {}", C, id, name, e.getMessage());
            }
        }
        return out;
    }

    /** One key, by {@code name/version} or by name (its current version). */
    @Override
    public KeyInfo key(KeyRef ref) throws SigilException {
        return azureKey(ref, CallContext.of(null, callTimeout)).info();
    }

    private AzureKey azureKey(KeyRef ref, CallContext context) throws SigilException {
        Objects.requireNonNull(ref, "ref");
        checkOpen();
        if (!id.equals(ref.backendId())) {
            throw new SigilException(ErrorCode.KEY_NOT_FOUND, "no key " + ref + " in backend " + id);
        }
        // The signing path: a credential's name/version, read before. Only served keys are cached.
        AzureKey cached = byVersion.get(ref.keyId());
        if (cached != null && cached.fresh()) {
            return cached;
        }
        AzureKeyVaultSettings.KeyName name = AzureKeyVaultSettings.parseKey(ref.keyId());
        if (name == null || !served(name)) {
            throw new SigilException(ErrorCode.KEY_NOT_FOUND, "no key " + ref + " in backend " + id);
        }
        return load(name.name(), name.version(), context);
    }

    /** Whether a key is served: any, or a configured name (only its pinned version, if one is pinned). */
    private boolean served(AzureKeyVaultSettings.KeyName key) {
        if (configuredKeys.isEmpty()) {
            return true;
        }
        for (AzureKeyVaultSettings.KeyName k : configuredKeys) {
            if (k.name().equals(key.name()) && (k.version() == null || k.version().equals(key.version()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads a key version (null: the current one) from Key Vault and caches it. The answer must be
     * the key asked for, in this vault: its identifier is where signatures (and the bearer token)
     * will be sent, and its name and version are what a credential is bound to.
     */
    private AzureKey load(String name, String version, CallContext context) throws SigilException {
        KeyVaultKey kv = calls.call("get key", "key " + name, context, AzureCalls.Repeat.SAFE, ctx -> {
            KeyVaultKey answer = clients.keys().getKeyWithResponse(name, version == null ? "" : version, ctx).getValue();
            String kid = answer == null || answer.getKey() == null ? null : answer.getId();
            String got = answer == null ? null : answer.getProperties().getVersion();
            if (!clients.isKeyOfVault(kid, name, got) || (version != null && !version.equalsIgnoreCase(got))
                    || !name.equals(answer.getName())) {
                throw new AzureErrors.MalformedAnswer("key " + kid + " when asked for " + name
                        + (version == null ? "" : "/" + version));
            }
            return answer;
        });
        AzureKey key = toKey(kv);
        byVersion.put(key.info().ref().keyId(), key);
        return key;
    }

    private AzureKey toKey(KeyVaultKey kv) throws SigilException {
        JsonWebKey jwk = kv.getKey();
        KeyProperties p = kv.getProperties();
        KeyRef ref = new KeyRef(id, p.getName() + "/" + p.getVersion());
        String type = jwk.getKeyType() == null ? "" : jwk.getKeyType().toString();
        PublicKey publicKey;
        KeyType keyType;
        EcCurve curve = null;
        int bits;
        if (type.startsWith("RSA")) {
            keyType = KeyType.RSA;
            publicKey = jwk.toRsa(false).getPublic();
            bits = ((RSAPublicKey) publicKey).getModulus().bitLength();
        } else if (type.startsWith("EC")) {
            keyType = KeyType.EC;
            KeyCurveName c = jwk.getCurveName();
            if (KeyCurveName.P_256.equals(c)) {
                curve = EcCurve.P256;
            } else if (KeyCurveName.P_384.equals(c)) {
                curve = EcCurve.P384;
            } else if (KeyCurveName.P_521.equals(c)) {
                curve = EcCurve.P521;
            } else {
                throw new SigilException(ErrorCode.UNSUPPORTED_ALGORITHM, "key " + ref + " is on curve " + c
                        + ", which Sigil does not sign with");
            }
            publicKey = jwk.toEc(false).getPublic();
            bits = curve.bits();
        } else {
            throw new SigilException(ErrorCode.UNSUPPORTED_ALGORITHM, "key " + ref + " is a " + type
                    + " key, not an RSA or EC key");
        }
        boolean canSign = jwk.getKeyOps() == null || jwk.getKeyOps().isEmpty() || jwk.getKeyOps().contains(KeyOperation.SIGN);
        KeyState state = !Boolean.FALSE.equals(p.isEnabled()) && canSign ? KeyState.ENABLED : KeyState.DISABLED;
        KeyInfo info = new KeyInfo(ref, keyType, bits, curve, publicKey, List.of(),
                AzureAlgorithms.forKey(keyType, curve), state);
        return new AzureKey(info, clients.crypto(kv.getId()), System.nanoTime());
    }

    @Override
    public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
        return sign(ref, algorithm, digest, CallContext.of(null, callTimeout));
    }

    @Override
    public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest, CallContext context)
            throws SigilException {
        Objects.requireNonNull(digest, "digest");
        return sign(ref, algorithm, List.of(digest), context).get(0);
    }

    @Override
    public List<byte[]> sign(KeyRef ref, SignatureAlgorithm algorithm, List<byte[]> digests, CallContext context)
            throws SigilException {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(digests, "digests");
        Objects.requireNonNull(context, "context");
        checkOpen();
        AzureKey key = azureKey(ref, context);
        SignChecks.check(key.info(), algorithm, digests);
        return parallel.signAll(digests, context, digest -> signOne(key, algorithm, digest, context));
    }

    private byte[] signOne(AzureKey key, SignatureAlgorithm algorithm, byte[] digest, CallContext context)
            throws SigilException {
        var jwa = AzureAlgorithms.jwa(algorithm);
        try {
            return calls.call("sign", "key " + key.info().ref().keyId(), context, AzureCalls.Repeat.SAFE,
                    ctx -> AzureAlgorithms.toSpi(key.info(), algorithm,
                            key.crypto().sign(jwa, digest, ctx).getSignature()));
        } catch (AzureCalls.Failure f) {
            if (f.kind() == AzureErrors.Kind.KEY_DISABLED || f.kind() == AzureErrors.Kind.KEY_MISSING) {
                // Read again on next use: the key may have been enabled, disabled or deleted meanwhile.
                byVersion.remove(key.info().ref().keyId());
            }
            throw f;
        }
    }

    /**
     * Creates a key in the vault: RSA-HSM / EC-HSM (or RSA / EC with {@code key.protection = software}),
     * allowed to sign and verify only, tagged with this backend's id and the label. Its name is
     * the label made a valid key name; if a key of that name exists, a random suffix is added
     * (creating a key under an existing name would add a version to somebody else's key).
     * Creation is not repeated after a failure that may have reached Key Vault.
     *
     * @throws SigilException {@link ErrorCode#UNSUPPORTED_OPERATION} when {@code keys} lists the
     *                        served keys (a new key would not be served)
     */
    @Override
    public KeyInfo generateKey(KeySpec spec, String label) throws SigilException {
        Objects.requireNonNull(spec, "spec");
        checkOpen();
        if (!configuredKeys.isEmpty()) {
            throw new SigilException(ErrorCode.UNSUPPORTED_OPERATION, "backend " + id + " serves a fixed list of "
                    + "keys (keys = ...); to generate keys, configure it without keys");
        }
        CallContext context = CallContext.of(null, callTimeout);
        String name = keyName(label);
        if (exists(name, context)) {
            name = name.substring(0, Math.min(name.length(), 118)) + "-" + HexFormat.of().formatHex(randomBytes(4));
        }
        String keyName = name;
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("sigil-backend", id);
        if (label != null && !label.isBlank()) {
            String l = label.strip();
            tags.put("sigil-label", l.length() > 256 ? l.substring(0, 256) : l);
        }
        List<KeyOperation> ops = List.of(KeyOperation.SIGN, KeyOperation.VERIFY);
        String kty = (spec.type() == KeyType.RSA ? "RSA" : "EC") + (hsmKeys ? "-HSM" : "");
        KeyVaultKey created;
        try {
            created = create(spec, keyName, tags, ops, context);
        } catch (AzureCalls.Failure f) {
            if (f.kind() != AzureErrors.Kind.KEY_DISABLED) {
                throw f;
            }
            // 409: a deleted key of that name is kept for recovery (soft delete): take another name.
            String other = keyName.substring(0, Math.min(keyName.length(), 118)) + "-"
                    + HexFormat.of().formatHex(randomBytes(4));
            LOG.info("{} '{}': key name {} is held by a deleted key; creating {} instead", C, id, keyName, other);
            created = create(spec, other, tags, ops, context);
        }
        AzureKey key = toKey(created);
        byVersion.put(key.info().ref().keyId(), key);
        LOG.info("{} '{}': created {} key {} in {}", C, id, kty, key.info().ref().keyId(), clients.where());
        return key.info();
    }

    private KeyVaultKey create(KeySpec spec, String keyName, Map<String, String> tags, List<KeyOperation> ops,
                               CallContext context) throws SigilException {
        String kty = (spec.type() == KeyType.RSA ? "RSA" : "EC") + (hsmKeys ? "-HSM" : "");
        try {
            return calls.call(AzureCalls.CREATE_KEY, "key " + keyName, context, AzureCalls.Repeat.THROTTLED_ONLY, ctx -> {
                if (spec.type() == KeyType.RSA) {
                    CreateRsaKeyOptions o = new CreateRsaKeyOptions(keyName).setKeySize(spec.bits())
                            .setHardwareProtected(hsmKeys);
                    o.setKeyOperations(ops.toArray(new KeyOperation[0])).setTags(tags);
                    return clients.keys().createRsaKeyWithResponse(o, ctx).getValue();
                }
                CreateEcKeyOptions o = new CreateEcKeyOptions(keyName).setCurveName(curveName(spec.curve()))
                        .setHardwareProtected(hsmKeys);
                o.setKeyOperations(ops.toArray(new KeyOperation[0])).setTags(tags);
                return clients.keys().createEcKeyWithResponse(o, ctx).getValue();
            });
        } catch (AzureCalls.Failure f) {
            if (f.kind() == AzureErrors.Kind.REQUEST) {
                throw new SigilException(ErrorCode.UNSUPPORTED_OPERATION, "backend " + id + ": " + clients.where()
                        + " refused to create a " + kty + " key (" + spec + ")"
                        + (hsmKeys ? "; a standard-tier vault has no HSM keys: use a premium vault or set "
                        + "key.protection = software" : ""), f);
            }
            throw f;
        }
    }

    /** Whether a key of this name exists (any version, enabled or not). */
    private boolean exists(String name, CallContext context) throws SigilException {
        try {
            calls.call("get key", "key " + name, context, AzureCalls.Repeat.SAFE,
                    ctx -> clients.keys().getKeyWithResponse(name, "", ctx).getValue());
            return true;
        } catch (AzureCalls.Failure f) {
            if (f.kind() == AzureErrors.Kind.KEY_MISSING) {
                return false;
            }
            throw f;
        }
    }

    /** A label as a Key Vault key name (1..127 of letters, digits and -); "sigil-key" for none. */
    static String keyName(String label) {
        String s = label == null ? "" : label.strip().replaceAll("[^A-Za-z0-9-]", "-").replaceAll("-{2,}", "-");
        s = s.replaceAll("^-+", "").replaceAll("-+$", "");
        if (s.length() > 100) {
            s = s.substring(0, 100);
        }
        return s.isEmpty() ? "sigil-key" : s;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static KeyCurveName curveName(EcCurve curve) {
        return switch (curve) {
            case P256 -> KeyCurveName.P_256;
            case P384 -> KeyCurveName.P_384;
            case P521 -> KeyCurveName.P_521;
        };
    }

    /**
     * Checks that Key Vault answers this backend: reads the configured keys (so that their first
     * signatures do not wait for the read), or lists the vault's keys. Its outcome is in
     * {@link #health()}: a credential Entra ID refuses makes the backend DOWN with the reason; an
     * identity allowed to sign but not to list (Key Vault's 403 to the listing) does not.
     *
     * @return whether Key Vault answered
     */
    boolean probe() {
        try {
            CallContext context = CallContext.of(null, callTimeout);
            if (configuredKeys.isEmpty()) {
                calls.call(AzureCalls.LIST_KEYS, "the vault", context, AzureCalls.Repeat.SAFE,
                        ctx -> clients.keys().listPropertiesOfKeys(ctx).iterableByPage().iterator().next().getValue().size());
            } else {
                keys();
            }
            return true;
        } catch (SigilException | RuntimeException e) {
            return false; // logged and recorded in the health by AzureCalls
        }
    }

    /**
     * Probes Key Vault now in the background, then again every {@code interval} while the backend
     * is DOWN: a backend that could not reach Key Vault (or whose credential was refused) shows
     * DOWN in /health right after start, not at its first signature, and comes back UP by itself
     * once Key Vault answers, even if no signature is asked of it meanwhile (a load balancer
     * following /health may send none).
     */
    void startProbing(Duration interval) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "azure-" + id + "-probe");
            t.setDaemon(true);
            return t;
        });
        prober = s;
        s.execute(this::probe);
        s.scheduleWithFixedDelay(() -> {
            if (!closed && health().state() == BackendHealth.State.DOWN) {
                probe();
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public BackendHealth health() {
        return closed ? BackendHealth.down("backend " + id + " is closed") : health.health();
    }

    private void checkOpen() throws SigilException {
        if (closed) {
            throw new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "backend " + id + " is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        ScheduledExecutorService p = prober;
        if (p != null) {
            p.shutdownNow();
        }
        parallel.close();
        clients.close();
        byVersion.clear();
    }
}
