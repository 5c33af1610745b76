package dev.sigil.core.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.CallContext;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.backend.SigningBackend;
import dev.sigil.api.signing.BackendStatus;
import dev.sigil.api.signing.SigningService;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes signing requests to the backend instance that holds the key.
 *
 * <p>Backends arrive and leave at any time as dynamic references keyed by their
 * {@value SigningBackend#PROPERTY_ID} service property; there is no other registry. Checks that
 * hold for every backend (digest length, key type) are made here, so backends can trust them but
 * still check their own parameters. Unexpected runtime failures of a backend are logged with their
 * detail and reported to the caller as {@link ErrorCode#INTERNAL} without it.
 */
@Component(service = SigningService.class)
public final class SigningServiceImpl implements SigningService {
    private static final Logger LOG = LoggerFactory.getLogger(SigningServiceImpl.class);

    private final ConcurrentMap<String, SigningBackend> backends = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, service = SigningBackend.class)
    void addBackend(SigningBackend backend, Map<String, Object> properties) {
        Object id = properties.get(SigningBackend.PROPERTY_ID);
        if (!(id instanceof String) || ((String) id).isBlank()) {
            LOG.warn("Ignoring a signing backend without the {} service property: {}",
                    SigningBackend.PROPERTY_ID, backend.getClass().getName());
            return;
        }
        SigningBackend previous = backends.putIfAbsent((String) id, backend);
        if (previous != null && previous != backend) {
            LOG.error("Two signing backends share the id '{}'; keeping the first, ignoring {}",
                    id, backend.getClass().getName());
        } else {
            LOG.info("Signing backend '{}' available", id);
        }
    }

    void removeBackend(SigningBackend backend, Map<String, Object> properties) {
        Object id = properties.get(SigningBackend.PROPERTY_ID);
        if (id instanceof String && backends.remove(id, backend)) {
            LOG.info("Signing backend '{}' gone", id);
        }
    }

    /** One digest: a batch of one, with the checks and the default deadline of a call without a request. */
    @Override
    public byte[] signDigest(KeyRef key, SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
        if (digest == null) {
            throw new SigilException(ErrorCode.INVALID_REQUEST, "key, algorithm and digest are required");
        }
        return signDigests(key, algorithm, List.of(digest), CallContext.defaults()).get(0);
    }

    @Override
    public List<byte[]> signDigests(KeyRef key, SignatureAlgorithm algorithm, List<byte[]> digests,
                                    CallContext context) throws SigilException {
        if (key == null || algorithm == null || digests == null || digests.isEmpty() || context == null) {
            throw new SigilException(ErrorCode.INVALID_REQUEST, "key, algorithm, digests and context are required");
        }
        List<byte[]> copies = new ArrayList<>(digests.size());
        for (byte[] digest : digests) {
            if (digest == null || digest.length != algorithm.digestLength()) {
                throw new SigilException(ErrorCode.INVALID_DIGEST, "A " + algorithm.hash().jcaName()
                        + " digest is " + algorithm.digestLength() + " bytes, not "
                        + (digest == null ? 0 : digest.length));
            }
            copies.add(digest.clone());
        }
        SigningBackend backend = backend(key.backendId());
        if (!backend.algorithms().contains(algorithm)) {
            throw new SigilException(ErrorCode.UNSUPPORTED_ALGORITHM,
                    "Backend " + key.backendId() + " does not sign with " + algorithm);
        }
        List<byte[]> signatures;
        try {
            signatures = backend.sign(key, algorithm, List.copyOf(copies), context);
        } catch (RuntimeException e) {
            throw internal(key.backendId(), "sign", e);
        }
        if (signatures == null || signatures.size() != copies.size() || signatures.stream().anyMatch(Objects::isNull)) {
            LOG.error("Backend '{}' returned {} signatures for {} digests (request {})", key.backendId(),
                    signatures == null ? "no" : signatures.size(), copies.size(), context.requestId());
            throw new SigilException(ErrorCode.INTERNAL, "The signing backend failed");
        }
        return signatures;
    }

    @Override
    public KeyInfo key(KeyRef key) throws SigilException {
        SigningBackend backend = backend(key.backendId());
        try {
            return backend.key(key);
        } catch (RuntimeException e) {
            throw internal(key.backendId(), "key lookup", e);
        }
    }

    @Override
    public List<KeyInfo> keys(String backendId) throws SigilException {
        SigningBackend backend = backend(backendId);
        try {
            return backend.keys();
        } catch (RuntimeException e) {
            throw internal(backendId, "key listing", e);
        }
    }

    @Override
    public KeyInfo generateKey(String backendId, KeySpec spec, String label) throws SigilException {
        if (spec == null || label == null || label.isBlank()) {
            throw new SigilException(ErrorCode.INVALID_REQUEST, "key spec and label are required");
        }
        SigningBackend backend = backend(backendId);
        try {
            return backend.generateKey(spec, label);
        } catch (RuntimeException e) {
            throw internal(backendId, "key generation", e);
        }
    }

    @Override
    public Set<SignatureAlgorithm> algorithms() {
        Set<SignatureAlgorithm> all = EnumSet.noneOf(SignatureAlgorithm.class);
        for (SigningBackend b : backends.values()) {
            all.addAll(b.algorithms());
        }
        return Set.copyOf(all);
    }

    @Override
    public List<BackendStatus> backends() {
        List<BackendStatus> out = new ArrayList<>();
        for (Map.Entry<String, SigningBackend> e : backends.entrySet()) {
            BackendHealth health;
            try {
                health = e.getValue().health();
            } catch (RuntimeException ex) {
                LOG.warn("Health check of backend '{}' failed", e.getKey(), ex);
                health = BackendHealth.down("health check failed");
            }
            out.add(new BackendStatus(e.getKey(), health, e.getValue().algorithms()));
        }
        out.sort(Comparator.comparing(BackendStatus::id));
        return out;
    }

    private SigningBackend backend(String id) throws SigilException {
        SigningBackend b = id == null ? null : backends.get(id);
        if (b == null) {
            throw new SigilException(ErrorCode.BACKEND_NOT_FOUND, "No signing backend '" + id + "'");
        }
        return b;
    }

    private static SigilException internal(String backendId, String what, RuntimeException e) {
        LOG.error("Backend '{}' failed during {}", backendId, what, e);
        return new SigilException(ErrorCode.INTERNAL, "The signing backend failed", e);
    }
}
