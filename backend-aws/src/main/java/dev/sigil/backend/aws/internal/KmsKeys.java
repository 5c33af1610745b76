package dev.sigil.backend.aws.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.CallContext;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeyState;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/**
 * The keys a backend instance serves, read from KMS and cached, so that signing makes exactly one
 * call ({@code Sign}): the configured {@code keys} (ids, ARNs or aliases), or every key with an
 * alias under {@code alias.prefix} (ListAliases, page by page). Each is read with DescribeKey
 * (KeySpec, KeyState, KeyUsage SIGN_VERIFY, SigningAlgorithms) and GetPublicKey. A key is found by
 * its KMS key id, and also by an alias name or its ARN.
 *
 * <p>Keys are read again by {@link #list()}, by a lookup that misses (at most every
 * {@value #REFRESH_ON_MISS_SECONDS} s), and in the background until the first discovery succeeds. A
 * key that KMS says is disabled or gone while signing is marked at once and its state read in the
 * background; a cached key that is not enabled has its state read again before it is refused, at
 * most every {@value #STATE_RECHECK_MILLIS} ms, so that enabling it in KMS takes effect soon without a
 * DescribeKey per refused request. Thread-safe.
 */
final class KmsKeys implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AwsKmsBackend.class);
    private static final String C = AwsKmsSettings.COMPONENT;
    static final long REFRESH_ON_MISS_SECONDS = 10;
    static final long STATE_RECHECK_MILLIS = 2_000;
    /** Discovery retries while KMS cannot be reached at start, doubling up to a minute. */
    private static final long FIRST_RETRY_MS = 1_000;
    private static final long MAX_RETRY_MS = 60_000;

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

        String keyId() {
            return info.ref().keyId();
        }

        AwsKey withState(KeyState s) {
            return s == info.state() ? this : new AwsKey(info.withState(s), arn, aliases);
        }
    }

    private final String id;
    private final List<String> configuredKeys;
    private final String aliasPrefix;
    private final int pageSize;
    private final KmsCalls calls;
    private final KmsClient kms;
    private final ScheduledExecutorService background;

    /** Served keys by KMS key id. Replaced whole by discovery, entries updated by state changes. */
    private final Map<String, AwsKey> keys = new ConcurrentHashMap<>();
    /** Alias names and ARNs of served keys → KMS key id. */
    private final Map<String, String> names = new ConcurrentHashMap<>();
    /** When the state of a key that is not enabled was last read again (nanoTime), by key id. */
    private final Map<String, Long> rechecked = new ConcurrentHashMap<>();
    private final Object refreshLock = new Object();
    private volatile long lastRefreshNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(REFRESH_ON_MISS_SECONDS);
    private volatile boolean discovered;

    KmsKeys(AwsKmsSettings settings, KmsCalls calls, KmsClient kms) {
        this.id = settings.backendId();
        this.configuredKeys = settings.keys();
        this.aliasPrefix = settings.aliasPrefix();
        this.pageSize = settings.pageSize();
        this.calls = calls;
        this.kms = kms;
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "sigil-aws-" + id + "-refresh");
            th.setDaemon(true);
            return th;
        });
    }

    /** The first discovery; if KMS cannot be reached it goes on in the background, and this says so. */
    void discover(String where, String credentialsSource) {
        try {
            refresh();
            LOG.info("{} '{}': {} with credentials {}: {} signing key(s)", C, id, where, credentialsSource, keys.size());
        } catch (SigilException e) {
            LOG.warn("{} '{}': cannot discover the keys in {} yet ({}); retrying in the background", C, id, where,
                    e.getMessage());
            scheduleDiscovery(FIRST_RETRY_MS);
        }
    }

    /** Whether the keys were discovered once. */
    boolean discovered() {
        return discovered;
    }

    int size() {
        return keys.size();
    }

    /** Discovers the keys afresh (new aliases appear, removed ones disappear) and lists them. */
    List<KeyInfo> list() throws SigilException {
        refresh();
        List<KeyInfo> out = new ArrayList<>();
        for (AwsKey k : keys.values()) {
            out.add(k.info());
        }
        return List.copyOf(out);
    }

    /** One key, by KMS key id, alias name or key ARN; a miss triggers one rediscovery (at most every 10 s). */
    AwsKey lookup(KeyRef ref) throws SigilException {
        Objects.requireNonNull(ref, "ref");
        if (!id.equals(ref.backendId())) {
            throw new SigilException(ErrorCode.KEY_NOT_FOUND, "key " + ref + " is not in backend " + id);
        }
        AwsKey k = find(ref.keyId());
        if (k != null) {
            return k;
        }
        if (System.nanoTime() - lastRefreshNanos >= TimeUnit.SECONDS.toNanos(REFRESH_ON_MISS_SECONDS)) {
            try {
                refresh();
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

    /**
     * A key to sign with: as {@link #lookup}, but a key cached as not enabled has its state read
     * again first (at most every {@value #STATE_RECHECK_MILLIS} ms), within the request's deadline.
     */
    AwsKey forSigning(KeyRef ref, CallContext context) throws SigilException {
        AwsKey k = lookup(ref);
        if (k.state() == KeyState.ENABLED) {
            return k;
        }
        String keyId = k.keyId();
        long now = System.nanoTime();
        Long last = rechecked.get(keyId);
        if (last != null && now - last < TimeUnit.MILLISECONDS.toNanos(STATE_RECHECK_MILLIS)) {
            return k;
        }
        rechecked.put(keyId, now);
        AwsKey read = load(k.arn(), List.of(), context);
        if (read == null) {
            forget(keyId);
            throw new SigilException(ErrorCode.KEY_NOT_FOUND, "no key " + ref + " in backend " + id);
        }
        return keys.merge(keyId, read, (old, fresh) -> old.withState(fresh.state()));
    }

    /** A key generated by this backend, read back: served from now on. */
    void add(AwsKey key) {
        put(key);
    }

    /** After Sign said the key is disabled or gone: mark it, and read its precise state in the background. */
    void noteStateChange(String keyId, KmsErrors.Kind kind) {
        keys.computeIfPresent(keyId, (k, v) -> v.state() == KeyState.ENABLED
                ? v.withState(kind == KmsErrors.Kind.KEY_MISSING ? KeyState.UNAVAILABLE : KeyState.DISABLED) : v);
        try {
            background.execute(() -> {
                try {
                    rechecked.put(keyId, System.nanoTime());
                    AwsKey now = load(keyId, List.of(), calls.background(1));
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

    @Override
    public void close() {
        background.shutdownNow();
    }

    private AwsKey find(String keyIdOrName) {
        AwsKey k = keys.get(keyIdOrName);
        if (k != null) {
            return k;
        }
        String mapped = names.get(keyIdOrName);
        return mapped == null ? null : keys.get(mapped);
    }

    private void put(AwsKey key) {
        keys.put(key.keyId(), key);
        names.put(key.arn(), key.keyId());
        for (String a : key.aliases()) {
            names.put(a, key.keyId());
        }
    }

    private void forget(String keyId) {
        keys.remove(keyId);
        names.values().removeIf(keyId::equals);
        rechecked.remove(keyId);
    }

    private void scheduleDiscovery(long delayMs) {
        try {
            background.schedule(() -> {
                if (discovered) {
                    return;
                }
                try {
                    refresh();
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

    /**
     * Reads the served keys again and replaces the cache. A key that cannot be read (missing,
     * disabled before it was ever read, not a signing key) is left out with a warning; a key
     * already cached that is now disabled or pending deletion stays, with its new state.
     *
     * @throws SigilException when KMS itself fails (throttling, credentials, network): the cache is kept
     */
    private void refresh() throws SigilException {
        synchronized (refreshLock) {
            lastRefreshNanos = System.nanoTime();
            CallContext context = calls.background(3);
            // key id or configured reference -> aliases
            Map<String, List<String>> wanted = new LinkedHashMap<>();
            if (configuredKeys.isEmpty()) {
                KeyRef listing = new KeyRef(id, aliasPrefix);
                calls.call("ListAliases", listing, context, o -> {
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
                    List<String> aliases = wanted.computeIfAbsent(k, x -> new ArrayList<>());
                    if (k.startsWith("alias/")) {
                        aliases.add(k);
                    }
                }
            }
            Map<String, AwsKey> found = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> e : wanted.entrySet()) {
                AwsKey k = load(e.getKey(), e.getValue(), context);
                if (k != null) {
                    AwsKey seen = found.get(k.keyId());
                    if (seen != null) { // two configured names of one key
                        k = new AwsKey(k.info(), k.arn(), merge(seen.aliases(), k.aliases()));
                    }
                    found.put(k.keyId(), k);
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
    AwsKey load(String reference, List<String> aliases, CallContext context) throws SigilException {
        KeyMetadata md;
        try {
            md = calls.call("DescribeKey", new KeyRef(id, reference), context, o -> kms.describeKey(r -> r
                    .keyId(reference).overrideConfiguration(o))).keyMetadata();
        } catch (KmsCalls.Failure f) {
            if (f.mapped.row().serviceFine()) {
                LOG.warn("{} '{}': key {} is not served: {}", C, id, reference, f.mapped.vendorDetail());
                return null;
            }
            throw f;
        }
        String keyId = md.keyId();
        if (md.keyUsage() != KeyUsageType.SIGN_VERIFY) {
            LOG.warn("{} '{}': key {} ({}) is not served: its KeyUsage is {}, not SIGN_VERIFY", C, id, keyId,
                    reference, md.keyUsageAsString());
            return null;
        }
        KeyState state = KmsKeySpecs.state(md.keyStateAsString());
        AwsKey cached = keys.get(keyId);
        if (state != KeyState.ENABLED && cached != null) {
            // GetPublicKey refuses a disabled key: keep what was read while it was enabled.
            return new AwsKey(cached.info().withState(state), cached.arn(), merge(cached.aliases(), aliases));
        }
        if (state != KeyState.ENABLED) {
            LOG.warn("{} '{}': key {} ({}) is not served: its state is {}", C, id, keyId, reference,
                    md.keyStateAsString());
            return null;
        }
        KmsKeySpecs.KeyFacts facts = KmsKeySpecs.facts(md.keySpecAsString());
        if (facts == null) {
            LOG.warn("{} '{}': key {} is not served: Sigil does not sign with KeySpec {}", C, id, keyId,
                    md.keySpecAsString());
            return null;
        }
        Set<SignatureAlgorithm> algorithms = KmsKeySpecs.algorithms(md.signingAlgorithmsAsStrings(), facts.type());
        if (algorithms.isEmpty()) {
            LOG.warn("{} '{}': key {} is not served: none of its signing algorithms {} is one of Sigil's", C, id,
                    keyId, md.signingAlgorithmsAsStrings());
            return null;
        }
        PublicKey publicKey = publicKey(keyId, md.arn(), facts, context);
        if (publicKey == null) {
            return null;
        }
        KeyInfo info = new KeyInfo(new KeyRef(id, keyId), facts.type(), facts.bits(), facts.curve(), publicKey,
                List.of(), algorithms, state);
        return new AwsKey(info, md.arn(), cached == null ? List.copyOf(aliases) : merge(cached.aliases(), aliases));
    }

    /** GetPublicKey, decoded and checked against the KeySpec; null (logged) if it does not fit. */
    private PublicKey publicKey(String keyId, String arn, KmsKeySpecs.KeyFacts facts, CallContext context)
            throws SigilException {
        byte[] der;
        try {
            der = calls.call("GetPublicKey", new KeyRef(id, keyId), context, o -> kms.getPublicKey(r -> r
                    .keyId(arn).overrideConfiguration(o))).publicKey().asByteArray();
        } catch (KmsCalls.Failure f) {
            if (f.mapped.row().serviceFine()) {
                LOG.warn("{} '{}': key {} is not served: {}", C, id, keyId, f.mapped.vendorDetail());
                return null;
            }
            throw f;
        }
        PublicKey publicKey;
        try {
            publicKey = KeyFactory.getInstance(facts.type().name()).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            LOG.warn("{} '{}': key {} is not served: its public key does not decode ({})", C, id, keyId, e.toString());
            return null;
        }
        if (!KmsKeySpecs.fits(publicKey, facts)) {
            LOG.warn("{} '{}': key {} is not served: its public key does not match its KeySpec", C, id, keyId);
            return null;
        }
        return publicKey;
    }

    private static List<String> merge(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        for (String s : b) {
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return List.copyOf(out);
    }
}
