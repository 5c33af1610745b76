package dev.sigil.backend.keystore.internal;

import dev.sigil.api.EcCurve;
import dev.sigil.api.ErrorCode;
import dev.sigil.api.HashAlgorithm;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.SignatureAlgorithm.Scheme;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.backend.SigningBackend;
import dev.sigil.backend.kit.SignChecks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import javax.security.auth.login.LoginException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SigningBackend} over a JCA {@link KeyStore}: a PKCS#12 (or JKS, ...) file, or a
 * provider's keystore such as SunPKCS11's or AWS CloudHSM's. Usable without OSGi:
 *
 * <pre>{@code
 * KeystoreSettings settings = KeystoreSettings.from(config, System::getenv);
 * KeystoreBackend backend;
 * try {
 *     backend = new KeystoreBackend(settings);
 * } finally {
 *     settings.clearPassword();
 * }
 * byte[] sig = backend.sign(backend.keys().get(0).ref(), SignatureAlgorithm.ECDSA_SHA256, digest);
 * }</pre>
 *
 * <p>The keystore is read once, by the constructor; the private keys and the {@link KeyInfo} of
 * every entry are cached, so signing never touches the keystore. Signing uses the bundle's own
 * BouncyCastle instance unless {@code signature.provider} names another installed provider:
 * RSASSA-PKCS1-v1_5 as {@code NONEwithRSA} over a DigestInfo, RSASSA-PSS as
 * {@code RAWRSASSA-PSS} over the digest, ECDSA as {@code NONEwithECDSA} (DER output).
 *
 * <p>Thread-safe: {@link #sign}, {@link #key} and {@link #keys} read an immutable snapshot;
 * {@link #generateKey} and {@link #close} serialise on a lock.
 */
public final class KeystoreBackend implements SigningBackend {
    private static final Logger LOG = LoggerFactory.getLogger(KeystoreBackend.class);

    /**
     * The JCA signature names that sign a precomputed digest, per scheme, in order of preference.
     * BouncyCastle has all three; another provider gets only the schemes it offers.
     */
    private static final Map<Scheme, List<String>> RAW_SIGNATURE_NAMES = Map.of(
            Scheme.PKCS1_V1_5, List.of("NONEwithRSA"),
            Scheme.PSS, List.of("RAWRSASSA-PSS", "NONEwithRSASSA-PSS", "NONEwithRSAandMGF1"),
            Scheme.ECDSA, List.of("NONEwithECDSA"));

    /** Placeholder certificates are valid this long; a real certificate replaces them. */
    private static final long PLACEHOLDER_VALIDITY_DAYS = 3650;

    private final String id;
    private final String keystoreType;
    /** Null for a provider keystore without a file. */
    private final Path keystorePath;
    private final String passwordSource;
    /** Kept for {@code getKey}/{@code setKeyEntry}/{@code store}; zeroed by {@link #close()}. */
    private final char[] password;
    private final Provider signatureProvider;
    private final boolean signingWithBouncyCastle;
    private final Map<Scheme, String> signatureNames;
    private final Set<SignatureAlgorithm> algorithms;
    private final SecureRandom random = new SecureRandom();

    private final Object lock = new Object();
    /** Guarded by {@link #lock} after construction. */
    private final KeyStore keyStore;
    /** An immutable snapshot by alias; replaced under {@link #lock}. */
    private volatile SortedMap<String, LoadedKey> keys;
    private volatile boolean closed;

    /** A cached key: what clients may see, and the private key (or HSM handle) that signs. */
    private record LoadedKey(KeyInfo info, PrivateKey privateKey) {
    }

    /**
     * Loads the keystore and caches its private-key entries.
     *
     * @param settings validated settings; read, not kept (the password is copied, the caller
     *                 clears its own copy)
     * @throws SigilException {@link ErrorCode#CONFIGURATION} with a one-line message if a provider
     *                        is not installed, the type is unknown, the password is wrong or the
     *                        file cannot be read
     */
    public KeystoreBackend(KeystoreSettings settings) throws SigilException {
        Objects.requireNonNull(settings, "settings");
        this.id = settings.backendId();
        this.keystoreType = settings.keystoreType();
        this.keystorePath = settings.keystorePath();
        this.passwordSource = settings.passwordSource();

        if (settings.signatureProvider() == null) {
            this.signatureProvider = BouncyCastle.provider();
        } else {
            this.signatureProvider = Security.getProvider(settings.signatureProvider());
            if (signatureProvider == null) {
                throw settings.problem("signature.provider names " + settings.signatureProvider()
                        + ", which is not an installed JCA provider");
            }
        }
        this.signingWithBouncyCastle = signatureProvider == BouncyCastle.provider();
        this.signatureNames = resolveSignatureNames(signatureProvider);
        if (signatureNames.isEmpty()) {
            throw settings.problem("signature.provider " + signatureProvider.getName()
                    + " offers none of NONEwithRSA, RAWRSASSA-PSS, NONEwithECDSA");
        }
        Set<SignatureAlgorithm> algs = EnumSet.noneOf(SignatureAlgorithm.class);
        for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
            if (signatureNames.containsKey(a.scheme())) {
                algs.add(a);
            }
        }
        this.algorithms = Collections.unmodifiableSet(algs);

        this.password = settings.password();
        boolean loaded = false;
        try {
            this.keyStore = openKeyStore(settings);
            this.keys = readKeys();
            loaded = true;
        } finally {
            if (!loaded) {
                Arrays.fill(password, '\0');
            }
        }
        LOG.info("{} '{}': {} signing key(s) from {} keystore {}, signing with {}",
                KeystoreSettings.COMPONENT, id, keys.size(), keystoreType,
                keystorePath == null ? "(no file)" : keystorePath, signatureProvider.getName());
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Set<SignatureAlgorithm> algorithms() {
        return algorithms;
    }

    @Override
    public List<KeyInfo> keys() throws SigilException {
        ensureOpen();
        List<KeyInfo> out = new ArrayList<>();
        for (LoadedKey k : keys.values()) {
            out.add(k.info());
        }
        return List.copyOf(out);
    }

    @Override
    public KeyInfo key(KeyRef ref) throws SigilException {
        return lookup(ref).info();
    }

    @Override
    public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(digest, "digest");
        LoadedKey key = lookup(ref);
        SignChecks.check(key.info(), algorithm, digest);
        HashAlgorithm hash = algorithm.hash();
        try {
            Signature signature = Signature.getInstance(signatureNames.get(algorithm.scheme()), signatureProvider);
            if (algorithm.scheme() == Scheme.PSS) {
                signature.setParameter(new PSSParameterSpec(hash.jcaName(), "MGF1",
                        new MGF1ParameterSpec(hash.jcaName()), hash.digestLength(), 1));
            }
            signature.initSign(key.privateKey(), random);
            signature.update(algorithm.scheme() == Scheme.PKCS1_V1_5 ? hash.digestInfo(digest) : digest);
            return signature.sign();
        } catch (GeneralSecurityException | ProviderException e) {
            LOG.error("{} '{}': signing with key {} and {} failed", KeystoreSettings.COMPONENT, id, ref,
                    algorithm, e);
            throw new SigilException(ErrorCode.INTERNAL, "signing with key " + ref + " failed", e);
        }
    }

    /**
     * Generates a key pair with the signing provider, stores it with a self-signed placeholder
     * certificate ({@code CN=<label>}) under an alias derived from the label, and writes the
     * keystore file atomically.
     *
     * <p>The returned {@link KeyInfo} has a certificate chain, not an empty one: a keystore keeps a
     * private key only together with a certificate, so the chain is that one self-signed placeholder
     * certificate (see {@link PlaceholderCertificate}). That is the chain {@link #key} and
     * {@link #keys()} report for the key, now and after the keystore is reloaded.
     * The placeholder is not CA-issued; it only carries the public key until a real certificate
     * replaces it.
     *
     * @param spec  the key type and size; not null
     * @param label a human-readable label; the alias is its lowercase {@code [a-z0-9-]} form, with a
     *              {@code -2}, {@code -3}, ... suffix if taken; null or blank gives "key"
     * @return the new key, whose {@link KeyInfo#chain() chain} is exactly one certificate: the
     *         self-signed placeholder
     * @throws SigilException {@link ErrorCode#UNSUPPORTED_OPERATION} if the signing provider cannot
     *                        sign with keys of that type; {@link ErrorCode#INTERNAL} if generation
     *                        or writing the keystore fails (the keystore is left as it was)
     */
    @Override
    public KeyInfo generateKey(KeySpec spec, String label) throws SigilException {
        Objects.requireNonNull(spec, "spec");
        synchronized (lock) {
            ensureOpen();
            if (SignatureAlgorithm.forKeyType(spec.type()).stream().noneMatch(algorithms::contains)) {
                throw new SigilException(ErrorCode.UNSUPPORTED_OPERATION,
                        "backend " + id + " cannot sign with " + spec.type() + " keys");
            }
            String alias = uniqueAlias(label);
            String commonName = label == null || label.isBlank() ? alias : label.strip();
            KeyPair pair;
            X509Certificate certificate;
            try {
                pair = generateKeyPair(spec);
                certificate = PlaceholderCertificate.create(pair, commonName, spec, signatureProvider,
                        random, PLACEHOLDER_VALIDITY_DAYS);
            } catch (GeneralSecurityException | ProviderException e) {
                LOG.error("{} '{}': generating a {} key failed", KeystoreSettings.COMPONENT, id, spec, e);
                throw new SigilException(ErrorCode.INTERNAL, "key generation failed", e);
            }
            try {
                keyStore.setKeyEntry(alias, pair.getPrivate(), password, new Certificate[] {certificate});
                persist();
            } catch (GeneralSecurityException | IOException | ProviderException e) {
                LOG.error("{} '{}': storing generated key '{}' in {} failed", KeystoreSettings.COMPONENT,
                        id, alias, keystorePath == null ? keystoreType + " keystore" : keystorePath, e);
                try {
                    if (keyStore.containsAlias(alias)) {
                        keyStore.deleteEntry(alias);
                    }
                } catch (KeyStoreException | ProviderException rollback) {
                    e.addSuppressed(rollback);
                }
                throw new SigilException(ErrorCode.INTERNAL, "storing the generated key failed", e);
            }
            KeyInfo info = describe(alias, certificate.getPublicKey(), List.of(certificate));
            if (info == null) {
                // describe() only refuses types and curves that generateKeyPair never makes.
                throw new SigilException(ErrorCode.INTERNAL, "generated key cannot be described");
            }
            SortedMap<String, LoadedKey> next = new TreeMap<>(keys);
            next.put(alias, new LoadedKey(info, signingKey(pair.getPrivate())));
            keys = Collections.unmodifiableSortedMap(next);
            LOG.info("{} '{}': generated {} key '{}'", KeystoreSettings.COMPONENT, id, spec, alias);
            return info;
        }
    }

    /** Up while the keystore is loaded, down once closed. Never blocks. */
    @Override
    public BackendHealth health() {
        return closed ? BackendHealth.down("backend " + id + " is stopped") : BackendHealth.UP;
    }

    /** Forgets the keys and zeroes the password; later calls fail with BACKEND_UNAVAILABLE. Idempotent. */
    public void close() {
        synchronized (lock) {
            closed = true;
            keys = Collections.emptySortedMap();
            Arrays.fill(password, '\0');
        }
    }

    /**
     * The alias a label gives: lowercase, accents dropped, every run of other characters than
     * {@code [a-z0-9]} a single '-', at most 48 characters, "key" if nothing is left.
     */
    static String aliasFor(String label) {
        String s = label == null ? "" : Normalizer.normalize(label, Normalizer.Form.NFD)
                .replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-");
        if (s.length() > 48) {
            s = s.substring(0, 48);
        }
        s = s.replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "key" : s;
    }

    // ---- loading ----

    private KeyStore openKeyStore(KeystoreSettings settings) throws SigilException {
        KeyStore ks;
        String providerName = settings.keystoreProvider();
        try {
            if (providerName == null) {
                ks = KeyStore.getInstance(keystoreType);
            } else {
                Provider provider = Security.getProvider(providerName);
                if (provider == null) {
                    throw settings.problem("keystore.provider names " + providerName
                            + ", which is not an installed JCA provider");
                }
                ks = KeyStore.getInstance(keystoreType, provider);
            }
        } catch (KeyStoreException e) {
            throw settings.problem("keystore.type " + keystoreType + " is not offered by "
                    + (providerName == null ? "any installed provider" : "provider " + providerName));
        }
        String where = keystorePath == null ? "the " + keystoreType + " keystore" : keystorePath.toString();
        try {
            if (keystorePath == null) {
                ks.load(null, password);
            } else {
                try (InputStream in = Files.newInputStream(keystorePath)) {
                    ks.load(in, password);
                }
            }
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || e.getCause() instanceof LoginException) {
                throw settings.problem("wrong keystore password for " + where + " (from " + passwordSource + ")");
            }
            throw settings.problem("cannot read " + where + " as " + keystoreType + ": " + oneLine(e));
        } catch (GeneralSecurityException | ProviderException e) {
            throw settings.problem("cannot read " + where + " as " + keystoreType + ": " + oneLine(e));
        }
        return ks;
    }

    private SortedMap<String, LoadedKey> readKeys() throws SigilException {
        SortedMap<String, LoadedKey> out = new TreeMap<>();
        try {
            for (String alias : Collections.list(keyStore.aliases())) {
                if (!keyStore.entryInstanceOf(alias, KeyStore.PrivateKeyEntry.class)) {
                    continue;
                }
                PrivateKey privateKey;
                try {
                    privateKey = (PrivateKey) keyStore.getKey(alias, password);
                } catch (UnrecoverableKeyException e) {
                    // A key password other than the keystore's, or a key type the JDK cannot decode.
                    LOG.warn("{} '{}': skipping '{}': its private key cannot be recovered ({})",
                            KeystoreSettings.COMPONENT, id, alias, oneLine(e));
                    continue;
                }
                List<X509Certificate> chain = x509Chain(keyStore.getCertificateChain(alias));
                if (privateKey == null || chain.isEmpty()) {
                    LOG.warn("{} '{}': skipping '{}': no X.509 certificate chain", KeystoreSettings.COMPONENT,
                            id, alias);
                    continue;
                }
                KeyInfo info = describe(alias, chain.get(0).getPublicKey(), chain);
                if (info != null) {
                    out.put(alias, new LoadedKey(info, signingKey(privateKey)));
                }
            }
        } catch (GeneralSecurityException | ProviderException e) {
            throw KeystoreSettings.problem(id, "cannot read the entries of "
                    + (keystorePath == null ? "the " + keystoreType + " keystore" : keystorePath) + ": " + oneLine(e));
        }
        return Collections.unmodifiableSortedMap(out);
    }

    private static List<X509Certificate> x509Chain(Certificate[] chain) {
        if (chain == null) {
            return List.of();
        }
        List<X509Certificate> out = new ArrayList<>(chain.length);
        for (Certificate c : chain) {
            if (!(c instanceof X509Certificate)) {
                return List.of();
            }
            out.add((X509Certificate) c);
        }
        return out;
    }

    /** The KeyInfo of a key, or null (with a warning) if Sigil cannot sign with its type or curve. */
    private KeyInfo describe(String alias, PublicKey publicKey, List<X509Certificate> chain) {
        KeyType type;
        int bits;
        EcCurve curve = null;
        if (publicKey instanceof RSAPublicKey) {
            type = KeyType.RSA;
            bits = ((RSAPublicKey) publicKey).getModulus().bitLength();
        } else if (publicKey instanceof ECPublicKey) {
            type = KeyType.EC;
            ECParameterSpec params = ((ECPublicKey) publicKey).getParams();
            bits = params.getCurve().getField().getFieldSize();
            curve = NamedCurves.match(params);
            if (curve == null) {
                LOG.warn("{} '{}': skipping '{}': its {}-bit EC curve is not P-256, P-384 or P-521",
                        KeystoreSettings.COMPONENT, id, alias, bits);
                return null;
            }
        } else {
            LOG.warn("{} '{}': skipping '{}': {} keys are not supported", KeystoreSettings.COMPONENT, id,
                    alias, publicKey.getAlgorithm());
            return null;
        }
        Set<SignatureAlgorithm> algs = EnumSet.noneOf(SignatureAlgorithm.class);
        for (SignatureAlgorithm a : algorithms) {
            if (a.keyType() == type) {
                algs.add(a);
            }
        }
        if (algs.isEmpty()) {
            LOG.warn("{} '{}': skipping '{}': provider {} cannot sign with {} keys", KeystoreSettings.COMPONENT,
                    id, alias, signatureProvider.getName(), type);
            return null;
        }
        return new KeyInfo(new KeyRef(id, alias), type, bits, curve, publicKey, chain, algs);
    }

    /**
     * The private key in the form the signing provider works with fastest. BouncyCastle accepts the
     * JDK's key objects but converts them on every signature; translating once avoids that. Keys
     * that cannot be translated (HSM handles) are used as they are.
     */
    private PrivateKey signingKey(PrivateKey privateKey) {
        if (!signingWithBouncyCastle) {
            return privateKey;
        }
        try {
            return (PrivateKey) KeyFactory.getInstance(privateKey.getAlgorithm(), signatureProvider)
                    .translateKey(privateKey);
        } catch (GeneralSecurityException | RuntimeException e) {
            LOG.debug("{} '{}': using a {} key untranslated", KeystoreSettings.COMPONENT, id,
                    privateKey.getAlgorithm(), e);
            return privateKey;
        }
    }

    private static Map<Scheme, String> resolveSignatureNames(Provider provider) {
        Map<Scheme, String> out = new EnumMap<>(Scheme.class);
        for (Map.Entry<Scheme, List<String>> e : RAW_SIGNATURE_NAMES.entrySet()) {
            for (String name : e.getValue()) {
                if (provider.getService("Signature", name) != null) {
                    out.put(e.getKey(), name);
                    break;
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    // ---- lookup ----

    private LoadedKey lookup(KeyRef ref) throws SigilException {
        Objects.requireNonNull(ref, "ref");
        ensureOpen();
        LoadedKey key = ref.backendId().equals(id) ? keys.get(ref.keyId()) : null;
        if (key == null) {
            throw new SigilException(ErrorCode.KEY_NOT_FOUND, "no key " + ref + " in backend " + id);
        }
        return key;
    }

    private void ensureOpen() throws SigilException {
        if (closed) {
            throw new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "backend " + id + " is stopped");
        }
    }

    // ---- generation and persistence (under lock) ----

    private String uniqueAlias(String label) throws SigilException {
        Set<String> taken = new HashSet<>();
        try {
            for (String a : Collections.list(keyStore.aliases())) {
                taken.add(a.toLowerCase(Locale.ROOT));
            }
        } catch (KeyStoreException e) {
            throw new SigilException(ErrorCode.INTERNAL, "reading the keystore failed", e);
        }
        String base = aliasFor(label);
        String alias = base;
        for (int n = 2; taken.contains(alias); n++) {
            alias = base + "-" + n;
        }
        return alias;
    }

    private KeyPair generateKeyPair(KeySpec spec) throws GeneralSecurityException {
        KeyPairGenerator generator;
        if (spec.type() == KeyType.RSA) {
            generator = KeyPairGenerator.getInstance("RSA", signatureProvider);
            generator.initialize(new RSAKeyGenParameterSpec(spec.bits(), RSAKeyGenParameterSpec.F4), random);
        } else {
            generator = KeyPairGenerator.getInstance("EC", signatureProvider);
            generator.initialize(new ECGenParameterSpec(spec.curve().standardName()), random);
        }
        return generator.generateKeyPair();
    }

    /**
     * Writes the keystore file atomically: a temporary file in the same directory (owner-only
     * where the file system is POSIX), flushed to disk, then moved over the old file, so a crash
     * leaves either the old or the new keystore, never a torn one.
     *
     * <p>A keystore without a file belongs to a provider (SunPKCS11, AWS CloudHSM's JCE, ...) that
     * writes an entry through to its token when {@code setKeyEntry} runs; there is nothing to
     * store, and such providers either ignore {@code store} or reject it, so it is not called.
     */
    private void persist() throws IOException, GeneralSecurityException {
        if (keystorePath == null) {
            return;
        }
        Path dir = keystorePath.getParent();
        String prefix = "." + keystorePath.getFileName() + ".";
        Path tmp = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile(dir, prefix, ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, prefix, ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = Channels.newOutputStream(channel)) {
                keyStore.store(out, password);
                out.flush();
                channel.force(true);
            }
            Files.move(tmp, keystorePath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage();
        String text = message == null ? e.getClass().getSimpleName() : message;
        return text.replaceAll("\\s+", " ").strip();
    }

    /** The parameters of the supported named curves, to recognise a key's curve exactly. */
    static final class NamedCurves {
        private static final Map<EcCurve, ECParameterSpec> SPECS = load();

        /** The supported curve with exactly these parameters, or null. */
        static EcCurve match(ECParameterSpec params) {
            EcCurve candidate = EcCurve.ofBits(params.getCurve().getField().getFieldSize()).orElse(null);
            if (candidate == null) {
                return null;
            }
            ECParameterSpec named = SPECS.get(candidate);
            return named != null
                    && named.getCurve().equals(params.getCurve())
                    && named.getGenerator().equals(params.getGenerator())
                    && named.getOrder().equals(params.getOrder())
                    && named.getCofactor() == params.getCofactor() ? candidate : null;
        }

        private static Map<EcCurve, ECParameterSpec> load() {
            Map<EcCurve, ECParameterSpec> out = new EnumMap<>(EcCurve.class);
            for (EcCurve c : EcCurve.values()) {
                try {
                    AlgorithmParameters p = AlgorithmParameters.getInstance("EC", BouncyCastle.provider());
                    p.init(new ECGenParameterSpec(c.standardName()));
                    out.put(c, p.getParameterSpec(ECParameterSpec.class));
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("BouncyCastle lacks curve " + c.standardName(), e);
                }
            }
            return out;
        }
    }
}
