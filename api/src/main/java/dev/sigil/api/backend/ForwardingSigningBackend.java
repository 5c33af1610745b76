package dev.sigil.api.backend;

import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;

import java.util.List;
import java.util.Set;

/**
 * A backend that forwards every call to another: the shape of a Declarative Services component that
 * builds its backend from its configuration at activation and offers it as the service.
 *
 * <pre>{@code
 * @Component(service = SigningBackend.class, ...)
 * public final class MyBackendComponent extends ForwardingSigningBackend {
 *     private volatile MyBackend backend;
 *     @Activate void activate(MyConfig c) throws SigilException { backend = new MyBackend(...); }
 *     @Override protected SigningBackend delegate() { return backend; }
 * }
 * }</pre>
 */
public abstract class ForwardingSigningBackend implements SigningBackend {
    /** The backend the calls go to; not null once the service can be used. */
    protected abstract SigningBackend delegate();

    @Override
    public String id() {
        return delegate().id();
    }

    @Override
    public Set<SignatureAlgorithm> algorithms() {
        return delegate().algorithms();
    }

    @Override
    public List<KeyInfo> keys() throws SigilException {
        return delegate().keys();
    }

    @Override
    public KeyInfo key(KeyRef ref) throws SigilException {
        return delegate().key(ref);
    }

    @Override
    public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
        return delegate().sign(ref, algorithm, digest);
    }

    @Override
    public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest, CallContext context)
            throws SigilException {
        return delegate().sign(ref, algorithm, digest, context);
    }

    @Override
    public List<byte[]> sign(KeyRef ref, SignatureAlgorithm algorithm, List<byte[]> digests, CallContext context)
            throws SigilException {
        return delegate().sign(ref, algorithm, digests, context);
    }

    @Override
    public KeyInfo generateKey(KeySpec spec, String label) throws SigilException {
        return delegate().generateKey(spec, label);
    }

    @Override
    public BackendHealth health() {
        return delegate().health();
    }
}
