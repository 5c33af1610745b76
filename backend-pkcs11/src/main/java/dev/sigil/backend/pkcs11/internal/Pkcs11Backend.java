package dev.sigil.backend.pkcs11.internal;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKF_GENERATE_KEY_PAIR;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKF_SIGN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA384;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA512;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_EC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_RSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EC_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_PSS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA384;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA512;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_PIN_INCORRECT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_USER_ALREADY_LOGGED_IN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKS_RO_USER_FUNCTIONS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKS_RW_USER_FUNCTIONS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKU_USER;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.SignatureAlgorithm.Scheme;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.backend.SigningBackend;
import dev.sigil.backend.kit.EcdsaSignatures;
import dev.sigil.backend.pkcs11.internal.TokenKeys.TokenKey;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.Functions;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.MechanismInfo;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11KeyPair;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.Token;
import org.xipki.pkcs11.wrapper.TokenInfo;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_PSS_PARAMS;

/**
 * A {@link SigningBackend} over one PKCS#11 token (an HSM partition, a SoftHSM2 token), usable
 * without OSGi:
 *
 * <pre>{@code
 * Pkcs11Settings settings = Pkcs11Settings.from(config, System::getenv);
 * Pkcs11Backend backend;
 * try {
 *     backend = new Pkcs11Backend(settings);
 * } finally {
 *     settings.clearPin();
 * }
 * KeyInfo key = backend.generateKey(KeySpec.parse("ec-p256"), "alice");
 * byte[] der = backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA256, digest);
 * backend.close();
 * }</pre>
 *
 * <h2>Signing</h2>
 * RSASSA-PKCS1-v1_5 as {@code CKM_RSA_PKCS} over a DigestInfo built here; RSASSA-PSS as
 * {@code CKM_RSA_PKCS_PSS} with {@code CK_RSA_PKCS_PSS_PARAMS} (the digest's hash, MGF1 with the
 * same hash, salt = digest length); ECDSA as {@code CKM_ECDSA} on the digest (cut to the order's
 * length), the raw r‖s converted to DER. {@link #algorithms()} lists only the schemes whose
 * mechanism the token reports with {@code CKF_SIGN}. Key ids are the lowercase hex of
 * {@code CKA_ID}; the private key handle of each key is looked up once and cached until the token
 * says it is invalid.
 *
 * <h2>Sessions and errors</h2>
 * Sessions come from a bounded {@link SessionPool}; a signature that finds them all busy for
 * {@code borrow.timeout.ms} fails with {@link ErrorCode#BUSY}. Every {@code CKR_*} goes through
 * {@link CkrTable}: a lost login is repaired once per call, lost sessions or a missing token make
 * the backend DOWN while a background thread reconnects with exponential backoff (250 ms doubling
 * to 10 s: find the token by label, log in, rediscover keys), and a refused PIN stops all further
 * logins until the backend is reconfigured.
 *
 * <p>Thread-safe. {@link #sign} blocks at most for the borrow timeout plus the token's own time.
 */
public final class Pkcs11Backend implements SigningBackend, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pkcs11Backend.class);

    /** The first reconnect delay, doubled after every failed attempt up to {@link #MAX_BACKOFF_MS}. */
    static final long FIRST_BACKOFF_MS = 250;
    static final long MAX_BACKOFF_MS = 10_000;
    /** How long closing or re-initialising waits for signatures in flight to hand their sessions back. */
    private static final long QUIESCE_MS = 2_000;
    /** Bytes of CKA_ID given to a generated key. */
    private static final int GENERATED_ID_BYTES = 16;
    private static final BigInteger F4 = BigInteger.valueOf(65537);

    private final String id;
    private final Pkcs11Settings.Target target;
    private final int poolSize;
    private final long borrowTimeoutMs;
    private final String pinSource;
    /** The vendor profile, for the log; null for plain PKCS#11. */
    private final VendorProfile profile;
    /** Kept for logging in again; zeroed by {@link #close()}. */
    private final char[] pin;
    private final SharedModule module;
    private final ScheduledExecutorService reconnector;
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger loginAttempts = new AtomicInteger();

    private final Object stateLock = new Object();
    /** Replaced under {@link #stateLock}; read without it. */
    private volatile State state;
    /** What the token of the latest connection can do; empty before the first one. */
    private volatile Set<SignatureAlgorithm> algorithms = Set.of();
    /** Guarded by {@link #stateLock}. */
    private long backoffMs = FIRST_BACKOFF_MS;
    /** The pool of the connection that was lost last, whose sessions may still be in flight. */
    private volatile SessionPool<Session> retiredPool;

    /** The backend's condition; exactly one at a time. */
    private sealed interface State permits Up, Down, Failed, Stopped {
    }

    /** Connected and logged in. */
    private record Up(Connection connection) implements State {
    }

    /** Reconnecting in the background; {@code detail} is the operator sentence for health. */
    private record Down(String detail) implements State {
    }

    /** The PIN was refused: no further logins until reconfigured. */
    private record Failed(String detail) implements State {
    }

    /** Closed. */
    private record Stopped() implements State {
    }

    /** One logged-in connection to the token: its sessions, mechanisms and cached key handles. */
    private static final class Connection {
        final Token token;
        final SessionPool<Session> pool;
        final Set<SignatureAlgorithm> algorithms;
        final Set<KeyType> generatable;
        final TokenKeys reader;
        final ConcurrentMap<String, TokenKey> keys = new ConcurrentHashMap<>();
        final Object loginLock = new Object();
        /** Incremented by every successful login; guarded by {@link #loginLock}. */
        long loginEpoch;

        Connection(Token token, SessionPool<Session> pool, Set<SignatureAlgorithm> algorithms,
                   Set<KeyType> generatable, TokenKeys reader) {
            this.token = token;
            this.pool = pool;
            this.algorithms = algorithms;
            this.generatable = generatable;
            this.reader = reader;
        }

        long loginEpoch() {
            synchronized (loginLock) {
                return loginEpoch;
            }
        }
    }

    /** A connection attempt failed for a reason that may go away (token absent, network, device). */
    private static final class ConnectFailure extends Exception {
        private static final long serialVersionUID = 1L;

        ConnectFailure(String detail) {
            super(detail, null, false, false);
        }
    }

    /** The token refused the PIN. */
    private static final class PinRefused extends Exception {
        private static final long serialVersionUID = 1L;

        PinRefused(String detail) {
            super(detail, null, false, false);
        }
    }

    /** The token said a cached key handle is invalid. */
    private static final class StaleHandle extends Exception {
        private static final long serialVersionUID = 1L;

        StaleHandle(PKCS11Exception cause) {
            super(cause);
        }
    }

    /** A piece of work on one session. */
    @FunctionalInterface
    private interface SessionCall<T> {
        T call(Session session) throws PKCS11Exception;
    }

    /**
     * Loads the library (or joins the instance other backends use), finds the token, logs in and
     * discovers the keys. If the token cannot be reached the backend starts DOWN and keeps trying
     * in the background; if the token refuses the PIN it starts failed and never logs in again.
     *
     * @param settings validated settings; read, not kept (the PIN is copied, the caller clears its own)
     * @throws SigilException {@link ErrorCode#CONFIGURATION} if the library cannot be loaded or initialised
     */
    public Pkcs11Backend(Pkcs11Settings settings) throws SigilException {
        Objects.requireNonNull(settings, "settings");
        this.id = settings.backendId();
        this.target = settings.target();
        this.poolSize = settings.poolSize();
        this.borrowTimeoutMs = settings.borrowTimeoutMs();
        this.pinSource = settings.pinSource();
        this.profile = settings.vendorProfile();
        this.module = SharedModule.acquire(settings.modulePath(), id);
        this.pin = settings.pin();
        this.reconnector = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sigil-pkcs11-" + id + "-reconnect");
            t.setDaemon(true);
            return t;
        });
        synchronized (stateLock) {
            state = new Down(target.name() + " not connected yet");
        }
        attemptConnection();
    }

    @Override
    public String id() {
        return id;
    }

    /** The algorithms the token's mechanism list allows; empty until the token was first reached. */
    @Override
    public Set<SignatureAlgorithm> algorithms() {
        return algorithms;
    }

    /** Reads the keys from the token afresh (keys made elsewhere appear, deleted ones disappear). */
    @Override
    public List<KeyInfo> keys() throws SigilException {
        Connection c = connection();
        Map<String, TokenKey> found;
        try {
            found = call(c, "listing keys", c.reader::all);
        } catch (StaleHandle e) {
            throw new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "backend " + id + " could not list its keys", e);
        }
        c.keys.keySet().retainAll(found.keySet());
        c.keys.putAll(found);
        List<KeyInfo> out = new ArrayList<>(found.size());
        for (TokenKey k : found.values()) {
            out.add(k.info());
        }
        return List.copyOf(out);
    }

    @Override
    public KeyInfo key(KeyRef ref) throws SigilException {
        Objects.requireNonNull(ref, "ref");
        return lookup(connection(), ref).info();
    }

    @Override
    public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(digest, "digest");
        Connection c = connection();
        TokenKey key = lookup(c, ref);
        KeyInfo info = key.info();
        if (algorithm.keyType() != info.type()) {
            throw new SigilException(ErrorCode.UNSUPPORTED_ALGORITHM, algorithm + " needs an "
                    + algorithm.keyType() + " key; key " + ref + " is " + info.type());
        }
        if (!info.supports(algorithm)) {
            throw new SigilException(ErrorCode.UNSUPPORTED_ALGORITHM,
                    "backend " + id + " cannot sign with " + algorithm);
        }
        if (digest.length != algorithm.digestLength()) {
            throw new SigilException(ErrorCode.INVALID_DIGEST, algorithm + " needs a "
                    + algorithm.digestLength() + "-byte digest, not " + digest.length + " bytes");
        }
        Mechanism mechanism = MECHANISMS.get(algorithm);
        byte[] input = switch (algorithm.scheme()) {
            case PKCS1_V1_5 -> algorithm.hash().digestInfo(digest);
            case PSS -> digest.clone();
            case ECDSA -> EcdsaSignatures.truncateDigest(digest.clone(), key.orderBytes());
        };
        // Built once per call but only read on failure paths; cheap next to a signature.
        String operation = "signing with key " + ref.keyId() + " (" + algorithm + ")";
        for (boolean lookedUpAgain = false; ; lookedUpAgain = true) {
            long handle = key.handle();
            byte[] out;
            try {
                out = call(c, operation, s -> s.signSingle(mechanism, handle, input));
            } catch (StaleHandle e) {
                if (lookedUpAgain) {
                    throw new SigilException(ErrorCode.KEY_NOT_FOUND, "no key " + ref + " in backend " + id, e);
                }
                key = lookUpAgain(c, ref, key);
                continue;
            }
            if (algorithm.scheme() != Scheme.ECDSA) {
                return out;
            }
            try {
                return EcdsaSignatures.rawToDer(out);
            } catch (IllegalArgumentException e) {
                LOG.error("{} '{}': {}: the token returned {} bytes, not r||s", Pkcs11Settings.COMPONENT, id,
                        operation, out.length);
                throw new SigilException(ErrorCode.INTERNAL, operation + " failed", e);
            }
        }
    }

    /**
     * Generates a key pair on the token: RSA with public exponent 65537 or EC on a named curve,
     * {@code CKA_TOKEN}, a private key that is {@code CKA_PRIVATE}, {@code CKA_SENSITIVE}, not
     * {@code CKA_EXTRACTABLE} and may only sign, a random 16-byte {@code CKA_ID} and the label as
     * {@code CKA_LABEL} of both halves.
     *
     * @param spec  key type and size; not null
     * @param label the CKA_LABEL; null or blank gives {@code sigil-<key id>}
     * @return the new key, with an empty chain (certificates live in Sigil's store, not on the token)
     * @throws SigilException {@link ErrorCode#UNSUPPORTED_OPERATION} if the token cannot generate or
     *                        sign with keys of that type; the errors of {@link CkrTable} otherwise
     */
    @Override
    public KeyInfo generateKey(KeySpec spec, String label) throws SigilException {
        Objects.requireNonNull(spec, "spec");
        Connection c = connection();
        if (!c.generatable.contains(spec.type())) {
            throw new SigilException(ErrorCode.UNSUPPORTED_OPERATION,
                    "backend " + id + " cannot generate " + spec.type() + " keys on its token");
        }
        byte[] ckaId = new byte[GENERATED_ID_BYTES];
        random.nextBytes(ckaId);
        String keyLabel = label == null || label.isBlank() ? "sigil-" + TokenKeys.keyId(ckaId) : label.strip();
        KeyPairTemplate template = template(spec, ckaId, keyLabel);
        long mechanism = spec.type() == KeyType.RSA ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN;
        String what = describe(spec);
        TokenKey key;
        try {
            key = call(c, "generating a " + what + " key", s -> {
                PKCS11KeyPair pair = s.generateKeyPair(new Mechanism(mechanism), template);
                return c.reader.describe(s, pair.getPrivateKey(), ckaId, pair.getPublicKey());
            });
        } catch (StaleHandle e) {
            throw new SigilException(ErrorCode.INTERNAL, "generating a " + what + " key failed", e);
        }
        if (key == null) {
            throw new SigilException(ErrorCode.INTERNAL, "the generated " + what + " key cannot be described");
        }
        c.keys.put(key.info().ref().keyId(), key);
        LOG.info("{} '{}': generated {} key {} ('{}') on {}", Pkcs11Settings.COMPONENT, id, what,
                key.info().ref().keyId(), keyLabel, target.name());
        return key.info();
    }

    /** UP while connected; DOWN with the operator's reason while reconnecting, failed or stopped. Never blocks. */
    @Override
    public BackendHealth health() {
        State s = state;
        if (s instanceof Up) {
            return BackendHealth.UP;
        }
        if (s instanceof Down down) {
            return BackendHealth.down(down.detail());
        }
        if (s instanceof Failed failed) {
            return BackendHealth.down(failed.detail());
        }
        return BackendHealth.down("backend " + id + " is stopped");
    }

    /**
     * Stops reconnecting, closes the sessions, releases the library (the last user finalises it)
     * and zeroes the PIN. Later calls fail with {@link ErrorCode#BACKEND_UNAVAILABLE}. Idempotent.
     */
    @Override
    public void close() {
        State previous;
        synchronized (stateLock) {
            previous = state;
            if (previous instanceof Stopped) {
                return;
            }
            state = new Stopped();
        }
        reconnector.shutdownNow();
        try {
            if (!reconnector.awaitTermination(QUIESCE_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("{} '{}': the reconnect thread did not stop in time", Pkcs11Settings.COMPONENT, id);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<SessionPool<Session>> pools = new ArrayList<>(2);
        if (previous instanceof Up up) {
            pools.add(up.connection().pool);
        }
        if (retiredPool != null) {
            pools.add(retiredPool);
        }
        for (SessionPool<Session> p : pools) {
            p.close();
            quiesce(p);
        }
        module.release();
        Arrays.fill(pin, '\0');
        LOG.info("{} '{}': stopped", Pkcs11Settings.COMPONENT, id);
    }

    /** How many times this backend called {@code C_Login}, for tests. */
    int loginAttempts() {
        return loginAttempts.get();
    }

    /** The session pool of the current connection, for tests; throws if the backend is not up. */
    SessionPool<Session> sessionPool() throws SigilException {
        return connection().pool;
    }

    /** The shared library this backend uses, for tests. */
    SharedModule sharedModule() {
        return module;
    }

    // ---- calls on sessions ----

    /**
     * Runs {@code body} on a pooled session and maps every {@code CKR_*} through {@link CkrTable}.
     * A lost login is repaired once and the body retried; a stale key handle is reported as
     * {@link StaleHandle} for the caller to look the key up again.
     */
    private <T> T call(Connection c, String operation, SessionCall<T> body) throws SigilException, StaleHandle {
        for (boolean loggedInAgain = false; ; loggedInAgain = true) {
            Session session = borrow(c);
            try {
                long epoch = c.loginEpoch();
                try {
                    T result = body.call(session);
                    c.pool.release(session);
                    return result;
                } catch (PKCS11Exception e) {
                    if (loggedInAgain || CkrTable.row(e.getErrorCode()).action() != CkrTable.Action.LOG_IN_AGAIN) {
                        throw e;
                    }
                    LOG.warn("{} '{}': {}: {}; logging in again", Pkcs11Settings.COMPONENT, id, operation,
                            CkrTable.describe(e.getErrorCode()));
                    logInAgain(c, session, epoch);
                    c.pool.release(session);
                }
            } catch (PKCS11Exception e) {
                throw failure(c, session, operation, e);
            } catch (RuntimeException e) {
                c.pool.discard(session);
                LOG.error("{} '{}': {} failed", Pkcs11Settings.COMPONENT, id, operation, e);
                throw new SigilException(ErrorCode.INTERNAL, operation + " failed", e);
            }
        }
    }

    /**
     * Hands the session back as the table says, acts on the code, and returns the exception for
     * the client: the mapped code and a sentence without vendor detail.
     */
    private SigilException failure(Connection c, Session session, String operation, PKCS11Exception e)
            throws StaleHandle {
        long ckr = e.getErrorCode();
        CkrTable.Row row = CkrTable.row(ckr);
        switch (row.action()) {
            case NONE, LOG_IN_AGAIN -> c.pool.release(session);
            case DISCARD_SESSION -> c.pool.discard(session);
            case LOOK_UP_KEY_AGAIN -> {
                c.pool.release(session);
                LOG.info("{} '{}': {}: {}; looking the key up again", Pkcs11Settings.COMPONENT, id, operation,
                        CkrTable.describe(ckr));
                throw new StaleHandle(e);
            }
            case RECONNECT -> {
                c.pool.discard(session);
                LOG.warn("{} '{}': {}: {}", Pkcs11Settings.COMPONENT, id, operation, CkrTable.describe(ckr));
                lose(c, "lost the sessions of " + target.name() + "; reconnecting");
                return unavailable(e);
            }
            case STOP_PIN_REFUSED -> {
                c.pool.discard(session);
                refusePin(ckr);
                return pinRefusedException(e);
            }
        }
        LOG.warn("{} '{}': {} failed: {}", Pkcs11Settings.COMPONENT, id, operation, CkrTable.describe(ckr));
        return new SigilException(row.code(), operation + " failed", e);
    }

    private Session borrow(Connection c) throws SigilException {
        try {
            return c.pool.borrow(borrowTimeoutMs);
        } catch (SessionPool.Exhausted e) {
            throw new SigilException(ErrorCode.BUSY, "all " + poolSize + " sessions of backend " + id
                    + " are busy; try again shortly", e);
        } catch (SessionPool.Closed e) {
            throw unavailable(e);
        } catch (PKCS11Exception e) {
            // C_OpenSession failed: a missing token or device shows up here first.
            long ckr = e.getErrorCode();
            CkrTable.Row row = CkrTable.row(ckr);
            LOG.warn("{} '{}': opening a session failed: {}", Pkcs11Settings.COMPONENT, id, CkrTable.describe(ckr));
            if (row.action() == CkrTable.Action.RECONNECT) {
                lose(c, "cannot open sessions on " + target.name() + "; reconnecting");
                throw unavailable(e);
            }
            throw new SigilException(row.code(), "backend " + id + " cannot open a session", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "interrupted while waiting for a session", e);
        } catch (Exception e) {
            LOG.error("{} '{}': opening a session failed", Pkcs11Settings.COMPONENT, id, e);
            throw new SigilException(ErrorCode.INTERNAL, "backend " + id + " cannot open a session", e);
        }
    }

    /**
     * {@code C_Login} again after {@code CKR_USER_NOT_LOGGED_IN}, unless another thread already did
     * since {@code epoch}: one login repairs every session, so concurrent signers do not each log in.
     */
    private void logInAgain(Connection c, Session session, long epoch) throws PKCS11Exception {
        synchronized (c.loginLock) {
            if (c.loginEpoch != epoch) {
                return;
            }
            logIn(session);
            c.loginEpoch++;
        }
    }

    /** One counted {@code C_Login} as the normal user; "already logged in" is success. */
    private void logIn(Session session) throws PKCS11Exception {
        if (state instanceof Failed || state instanceof Stopped) {
            // Never after a refused PIN, never with a PIN that close() zeroed.
            throw new PKCS11Exception(CKR_PIN_INCORRECT, "login suppressed after a refused PIN");
        }
        loginAttempts.incrementAndGet();
        try {
            session.login(CKU_USER, pin);
        } catch (PKCS11Exception e) {
            if (e.getErrorCode() != CKR_USER_ALREADY_LOGGED_IN) {
                throw e;
            }
        }
    }

    // ---- keys ----

    private TokenKey lookup(Connection c, KeyRef ref) throws SigilException {
        String keyId = ref.keyId().toLowerCase(Locale.ROOT);
        TokenKey key = c.keys.get(keyId);
        if (key != null && ref.backendId().equals(id)) {
            return key;
        }
        byte[] ckaId = ref.backendId().equals(id) ? TokenKeys.ckaId(keyId) : null;
        key = ckaId == null ? null : find(c, ref, ckaId, c.loginEpoch());
        if (key == null) {
            throw new SigilException(ErrorCode.KEY_NOT_FOUND, "no key " + ref + " in backend " + id);
        }
        c.keys.put(keyId, key);
        return key;
    }

    /**
     * Looks a key up again after the token called its handle invalid. A key that cannot be found
     * again may have been deleted, but two other causes are told apart first: a lost login (private
     * objects are invisible without one, and SoftHSM2 then calls their handles invalid rather than
     * answering {@code CKR_USER_NOT_LOGGED_IN}), repaired by one login; and a token that is gone
     * (SoftHSM2 also answers a deleted token's handles as invalid), which makes the backend reconnect.
     */
    private TokenKey lookUpAgain(Connection c, KeyRef ref, TokenKey stale) throws SigilException {
        long epoch = c.loginEpoch();
        String keyId = stale.info().ref().keyId();
        c.keys.remove(keyId, stale);
        TokenKey fresh = find(c, ref, stale.ckaId(), epoch);
        if (fresh != null) {
            c.keys.put(keyId, fresh);
            return fresh;
        }
        String problem = probe(c);
        if (problem != null) {
            lose(c, problem + "; reconnecting");
            throw unavailable(null);
        }
        throw new SigilException(ErrorCode.KEY_NOT_FOUND, "no key " + ref + " in backend " + id);
    }

    /**
     * The key with this CKA_ID, or null. If it is not found while the sessions are not logged in,
     * logs in again (once, unless another thread did since {@code epoch}) and looks once more.
     */
    private TokenKey find(Connection c, KeyRef ref, byte[] ckaId, long epoch) throws SigilException {
        String operation = "looking up key " + ref;
        try {
            TokenKey key = call(c, operation, s -> c.reader.find(s, ckaId));
            if (key != null) {
                return key;
            }
            Boolean loggedOut = call(c, "checking the login of " + target.name(), s -> {
                long st = s.getSessionInfo().getState();
                if (st == CKS_RO_USER_FUNCTIONS || st == CKS_RW_USER_FUNCTIONS) {
                    return false;
                }
                LOG.warn("{} '{}': {}: the session is no longer logged in; logging in again",
                        Pkcs11Settings.COMPONENT, id, operation);
                logInAgain(c, s, epoch);
                return true;
            });
            return loggedOut ? call(c, operation, s -> c.reader.find(s, ckaId)) : null;
        } catch (StaleHandle e) {
            return null;
        }
    }

    /** Null if the token still answers as the configured one, else the operator's sentence. */
    private String probe(Connection c) {
        try {
            TokenInfo info = c.token.getTokenInfo();
            if (target.label() != null && !target.label().equals(info.getLabel().strip())) {
                return target.name() + " not present (the slot now holds '" + info.getLabel().strip() + "')";
            }
            return null;
        } catch (PKCS11Exception e) {
            LOG.warn("{} '{}': C_GetTokenInfo: {}", Pkcs11Settings.COMPONENT, id, CkrTable.describe(e.getErrorCode()));
            return target.name() + " not present";
        }
    }

    // ---- connection state ----

    private Connection connection() throws SigilException {
        State s = state;
        if (s instanceof Up up) {
            return up.connection();
        }
        if (s instanceof Down) {
            throw unavailable(null);
        }
        if (s instanceof Failed) {
            throw pinRefusedException(null);
        }
        throw new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "backend " + id + " is stopped");
    }

    private SigilException unavailable(Throwable cause) {
        return new SigilException(ErrorCode.BACKEND_UNAVAILABLE,
                "backend " + id + " is reconnecting to its token; try again later", cause);
    }

    private SigilException pinRefusedException(Throwable cause) {
        return new SigilException(ErrorCode.CONFIGURATION, Pkcs11Settings.COMPONENT + " '" + id
                + "': the token refused the configured user PIN; no further login attempts until the "
                + "configuration changes", cause);
    }

    /** Marks the backend failed after a refused PIN; it never logs in again. */
    private void refusePin(long ckr) {
        String detail = target.name() + " refused the user PIN (" + pinSource + "); no further login "
                + "attempts until the configuration changes";
        State previous;
        synchronized (stateLock) {
            previous = state;
            if (previous instanceof Stopped || previous instanceof Failed) {
                return;
            }
            state = new Failed(detail);
        }
        LOG.error("{} '{}': {} refused the user PIN from {}: {}; no further login attempts until the "
                + "configuration changes", Pkcs11Settings.COMPONENT, id, target.name(), pinSource, CkrTable.describe(ckr));
        if (previous instanceof Up up) {
            up.connection().pool.close();
        }
    }

    /**
     * Drops connection {@code c}: the backend goes DOWN with {@code detail} and reconnects in the
     * background. Does nothing if {@code c} is no longer the current connection (another thread
     * noticed first).
     */
    private void lose(Connection c, String detail) {
        synchronized (stateLock) {
            if (!(state instanceof Up up) || up.connection() != c) {
                return;
            }
            state = new Down(detail);
            backoffMs = FIRST_BACKOFF_MS;
        }
        LOG.warn("{} '{}': {}", Pkcs11Settings.COMPONENT, id, detail);
        retiredPool = c.pool;
        c.pool.close();
        schedule(FIRST_BACKOFF_MS);
    }

    private void schedule(long delayMs) {
        try {
            reconnector.schedule(this::attemptConnection, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closed meanwhile.
        }
    }

    /** One connection attempt while DOWN; schedules the next one with backoff if it fails. */
    private void attemptConnection() {
        if (!(state instanceof Down)) {
            return;
        }
        Connection c;
        try {
            c = connectOrReinitialise();
        } catch (PinRefused e) {
            synchronized (stateLock) {
                if (state instanceof Down) {
                    state = new Failed(e.getMessage());
                }
            }
            return;
        } catch (ConnectFailure e) {
            long delay;
            synchronized (stateLock) {
                if (!(state instanceof Down)) {
                    return;
                }
                delay = backoffMs;
                backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
                state = new Down(e.getMessage() + "; reconnecting");
            }
            LOG.warn("{} '{}': {}; next attempt in {} ms", Pkcs11Settings.COMPONENT, id, e.getMessage(), delay);
            schedule(delay);
            return;
        } catch (RuntimeException e) {
            // A wrapper bug must not end the reconnect loop.
            LOG.error("{} '{}': connecting failed", Pkcs11Settings.COMPONENT, id, e);
            long delay;
            synchronized (stateLock) {
                if (!(state instanceof Down)) {
                    return;
                }
                delay = backoffMs;
                backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
            }
            schedule(delay);
            return;
        }
        synchronized (stateLock) {
            if (state instanceof Down) {
                state = new Up(c);
                algorithms = c.algorithms;
                backoffMs = FIRST_BACKOFF_MS;
                c = null;
            }
        }
        if (c != null) {
            c.pool.close(); // stopped while connecting
            return;
        }
        State now = state;
        if (now instanceof Up up) {
            LOG.info("{} '{}': connected to {} on {}{}: {} signing key(s), algorithms {}", Pkcs11Settings.COMPONENT,
                    id, target.name(), module.path(), profile == null ? "" : " (vendor profile "
                    + profile.configName() + ")", up.connection().keys.size(), up.connection().algorithms);
        }
    }

    /**
     * Connects; if that fails and this backend is the library's only user, re-initialises the
     * library and tries once more. Some libraries read their tokens only at {@code C_Initialize}:
     * SoftHSM2 2.6 lists a token created later only after it, and keeps reporting a token it saw
     * half-initialised (no user PIN yet) as such. With other users of the library a re-initialisation
     * would end their sessions, so then the backend waits for the token as it is.
     */
    private Connection connectOrReinitialise() throws ConnectFailure, PinRefused {
        try {
            return connect();
        } catch (ConnectFailure e) {
            SessionPool<Session> retired = retiredPool;
            if (retired != null) {
                quiesce(retired);
            }
            if (!module.reinitializeIfSoleUser(id)) {
                throw e;
            }
            return connect();
        }
    }

    private Connection connect() throws ConnectFailure, PinRefused {
        Slot slot = findSlot();
        Token token = slot.getToken();
        Set<SignatureAlgorithm> algs = EnumSet.noneOf(SignatureAlgorithm.class);
        Set<KeyType> generatable = EnumSet.noneOf(KeyType.class);
        Set<Long> mechanisms = new HashSet<>();
        for (long m : token.getMechanismList()) {
            mechanisms.add(m);
        }
        if (mechanisms.isEmpty()) {
            throw new ConnectFailure(target.name() + " lists no mechanisms");
        }
        for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
            if (can(token, mechanisms, signMechanism(a.scheme()), CKF_SIGN)) {
                algs.add(a);
            }
        }
        if (can(token, mechanisms, CKM_RSA_PKCS_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR)
                && algs.stream().anyMatch(a -> a.keyType() == KeyType.RSA)) {
            generatable.add(KeyType.RSA);
        }
        if (can(token, mechanisms, CKM_EC_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR)
                && algs.stream().anyMatch(a -> a.keyType() == KeyType.EC)) {
            generatable.add(KeyType.EC);
        }
        SessionPool<Session> pool = new SessionPool<>(poolSize, () -> token.openSession(true), this::closeQuietly);
        Connection c = new Connection(token, pool, Collections.unmodifiableSet(algs),
                Collections.unmodifiableSet(generatable), new TokenKeys(id, algs));
        boolean connected = false;
        Session session = null;
        try {
            try {
                session = pool.borrow(borrowTimeoutMs);
            } catch (PKCS11Exception e) {
                LOG.warn("{} '{}': C_OpenSession on {}: {}", Pkcs11Settings.COMPONENT, id, target.name(),
                        CkrTable.describe(e.getErrorCode()));
                throw new ConnectFailure("cannot open a session on " + target.name());
            } catch (Exception e) {
                LOG.warn("{} '{}': opening a session on {} failed", Pkcs11Settings.COMPONENT, id, target.name(), e);
                throw new ConnectFailure("cannot open a session on " + target.name());
            }
            try {
                logIn(session);
                synchronized (c.loginLock) {
                    c.loginEpoch++;
                }
                c.keys.putAll(c.reader.all(session));
            } catch (PKCS11Exception e) {
                long ckr = e.getErrorCode();
                CkrTable.Row row = CkrTable.row(ckr);
                pool.discard(session);
                session = null;
                if (row.action() == CkrTable.Action.STOP_PIN_REFUSED) {
                    LOG.error("{} '{}': {} refused the user PIN from {}: {}; no further login attempts until "
                            + "the configuration changes", Pkcs11Settings.COMPONENT, id, target.name(), pinSource,
                            CkrTable.describe(ckr));
                    throw new PinRefused(target.name() + " refused the user PIN (" + pinSource + "); no further "
                            + "login attempts until the configuration changes");
                }
                LOG.warn("{} '{}': logging in to {} or reading its keys failed: {}", Pkcs11Settings.COMPONENT, id,
                        target.name(), CkrTable.describe(ckr));
                throw new ConnectFailure("cannot log in to " + target.name() + " or read its keys");
            }
            pool.release(session);
            session = null;
            connected = true;
            return c;
        } finally {
            if (!connected) {
                if (session != null) {
                    pool.discard(session);
                }
                pool.close();
            }
        }
    }

    /** The slot holding the configured token: by label among all slots with a token, or by id. */
    private Slot findSlot() throws ConnectFailure {
        Slot[] slots;
        try {
            slots = module.module().getSlotList(true);
        } catch (PKCS11Exception e) {
            LOG.warn("{} '{}': C_GetSlotList: {}", Pkcs11Settings.COMPONENT, id, CkrTable.describe(e.getErrorCode()));
            throw new ConnectFailure("cannot list the slots of " + module.path());
        }
        for (Slot slot : slots) {
            if (target.slotId() != null) {
                if (slot.getSlotID() == target.slotId()) {
                    return slot;
                }
                continue;
            }
            try {
                TokenInfo info = slot.getToken().getTokenInfo();
                if (target.label().equals(info.getLabel().strip())) {
                    return slot;
                }
            } catch (PKCS11Exception e) {
                // A slot whose token just went away; others may still hold ours.
                LOG.debug("{} '{}': C_GetTokenInfo on slot {}: {}", Pkcs11Settings.COMPONENT, id, slot.getSlotID(),
                        CkrTable.describe(e.getErrorCode()));
            }
        }
        throw new ConnectFailure(target.name() + " not present");
    }

    private static boolean can(Token token, Set<Long> mechanisms, long mechanism, long flag) {
        if (!mechanisms.contains(mechanism)) {
            return false;
        }
        MechanismInfo info = token.getMechanismInfo(mechanism);
        return info != null && info.hasFlagBit(flag);
    }

    private void quiesce(SessionPool<Session> pool) {
        try {
            if (!pool.awaitReturned(QUIESCE_MS)) {
                LOG.warn("{} '{}': sessions still in use after {} ms", Pkcs11Settings.COMPONENT, id, QUIESCE_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeQuietly(Session session) {
        try {
            session.closeSession();
        } catch (PKCS11Exception e) {
            LOG.debug("{} '{}': C_CloseSession: {}", Pkcs11Settings.COMPONENT, id, CkrTable.describe(e.getErrorCode()));
        } catch (RuntimeException e) {
            LOG.debug("{} '{}': C_CloseSession failed", Pkcs11Settings.COMPONENT, id, e);
        }
    }

    // ---- mechanisms and templates ----

    private static long signMechanism(Scheme scheme) {
        return switch (scheme) {
            case PKCS1_V1_5 -> CKM_RSA_PKCS;
            case PSS -> CKM_RSA_PKCS_PSS;
            case ECDSA -> CKM_ECDSA;
        };
    }

    /** The signing mechanism of each algorithm, made once (they are only read when signing). */
    private static final java.util.Map<SignatureAlgorithm, Mechanism> MECHANISMS;

    static {
        java.util.Map<SignatureAlgorithm, Mechanism> m = new java.util.EnumMap<>(SignatureAlgorithm.class);
        for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
            m.put(a, mechanism(a));
        }
        MECHANISMS = java.util.Collections.unmodifiableMap(m);
    }

    /** The mechanism for an algorithm; PSS with the digest's hash, MGF1 of the same hash, salt = digest length. */
    private static Mechanism mechanism(SignatureAlgorithm algorithm) {
        if (algorithm.scheme() != Scheme.PSS) {
            return new Mechanism(signMechanism(algorithm.scheme()));
        }
        long hash;
        long mgf;
        switch (algorithm.hash()) {
            case SHA256 -> {
                hash = CKM_SHA256;
                mgf = CKG_MGF1_SHA256;
            }
            case SHA384 -> {
                hash = CKM_SHA384;
                mgf = CKG_MGF1_SHA384;
            }
            default -> {
                hash = CKM_SHA512;
                mgf = CKG_MGF1_SHA512;
            }
        }
        return new Mechanism(CKM_RSA_PKCS_PSS, new RSA_PKCS_PSS_PARAMS(hash, mgf, algorithm.digestLength()));
    }

    private static KeyPairTemplate template(KeySpec spec, byte[] ckaId, String label) {
        KeyPairTemplate t = new KeyPairTemplate(spec.type() == KeyType.RSA ? CKK_RSA : CKK_EC)
                .token(true)
                .id(ckaId)
                .labels(label)
                .signVerify(true);
        t.publicKey().private_(false).encrypt(false).wrap(false);
        t.privateKey().private_(true).sensitive(true).extractable(false).decrypt(false).unwrap(false).derive(false);
        if (spec.type() == KeyType.RSA) {
            t.publicKey().modulusBits(spec.bits()).publicExponent(F4);
        } else {
            t.publicKey().ecParams(Functions.encodeOid(spec.curve().oid()));
        }
        return t;
    }

    private static String describe(KeySpec spec) {
        return spec.type() == KeyType.RSA ? "RSA-" + spec.bits() : "EC " + spec.curve().standardName();
    }
}
