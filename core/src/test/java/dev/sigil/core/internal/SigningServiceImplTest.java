package dev.sigil.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.SigningBackend;
import dev.sigil.api.signing.BackendStatus;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SigningServiceImplTest {
    private static KeyPair rsa;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        rsa = g.generateKeyPair();
    }

    /** A backend holding one RSA key in memory; signs PKCS#1 v1.5 with the JDK. */
    static class MemoryBackend implements SigningBackend {
        final String id;
        final AtomicInteger signatures = new AtomicInteger();
        RuntimeException failure;
        BackendHealth health = BackendHealth.UP;

        MemoryBackend(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Set<SignatureAlgorithm> algorithms() {
            return EnumSet.of(SignatureAlgorithm.RSA_PKCS1_SHA256, SignatureAlgorithm.RSA_PKCS1_SHA384);
        }

        @Override
        public List<KeyInfo> keys() {
            return List.of(info());
        }

        KeyInfo info() {
            return new KeyInfo(new KeyRef(id, "k1"), KeyType.RSA, 2048, null, rsa.getPublic(), List.of(),
                    algorithms());
        }

        @Override
        public KeyInfo key(KeyRef ref) throws SigilException {
            if (!ref.keyId().equals("k1")) {
                throw new SigilException(ErrorCode.KEY_NOT_FOUND, "no key " + ref);
            }
            return info();
        }

        @Override
        public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
            if (failure != null) {
                throw failure;
            }
            key(ref);
            signatures.incrementAndGet();
            try {
                Signature s = Signature.getInstance("NONEwithRSA");
                s.initSign(rsa.getPrivate());
                s.update(algorithm.hash().digestInfo(digest));
                return s.sign();
            } catch (Exception e) {
                throw new SigilException(ErrorCode.INTERNAL, "sign failed", e);
            }
        }

        @Override
        public BackendHealth health() {
            return health;
        }
    }

    private static SigningServiceImpl serviceWith(MemoryBackend... backends) {
        SigningServiceImpl s = new SigningServiceImpl();
        for (MemoryBackend b : backends) {
            s.addBackend(b, Map.of(SigningBackend.PROPERTY_ID, b.id));
        }
        return s;
    }

    private static byte[] sha256(String text) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(text.getBytes());
    }

    @Test
    void routesToTheBackendNamedInTheKeyRef() throws Exception {
        MemoryBackend a = new MemoryBackend("a");
        MemoryBackend b = new MemoryBackend("b");
        SigningServiceImpl s = serviceWith(a, b);

        byte[] sig = s.signDigest(new KeyRef("b", "k1"), SignatureAlgorithm.RSA_PKCS1_SHA256, sha256("doc"));

        assertEquals(0, a.signatures.get());
        assertEquals(1, b.signatures.get());
        Signature v = Signature.getInstance("SHA256withRSA");
        v.initVerify(rsa.getPublic());
        v.update("doc".getBytes());
        assertTrue(v.verify(sig));
    }

    @Test
    void refusesADigestOfTheWrongLengthBeforeReachingTheBackend() {
        MemoryBackend a = new MemoryBackend("a");
        SigilException e = assertThrows(SigilException.class, () -> serviceWith(a)
                .signDigest(new KeyRef("a", "k1"), SignatureAlgorithm.RSA_PKCS1_SHA384, new byte[32]));
        assertEquals(ErrorCode.INVALID_DIGEST, e.code());
        assertTrue(e.getMessage().contains("48"), e.getMessage());
        assertEquals(0, a.signatures.get());
    }

    @Test
    void refusesAnAlgorithmTheBackendCannotDo() {
        SigilException e = assertThrows(SigilException.class, () -> serviceWith(new MemoryBackend("a"))
                .signDigest(new KeyRef("a", "k1"), SignatureAlgorithm.ECDSA_SHA256, new byte[32]));
        assertEquals(ErrorCode.UNSUPPORTED_ALGORITHM, e.code());
    }

    @Test
    void unknownBackendIsReportedAsSuch() {
        SigilException e = assertThrows(SigilException.class, () -> serviceWith()
                .signDigest(new KeyRef("nope", "k1"), SignatureAlgorithm.RSA_PKCS1_SHA256, new byte[32]));
        assertEquals(ErrorCode.BACKEND_NOT_FOUND, e.code());
    }

    @Test
    void aBackendThatLeavesIsNoLongerUsed() throws Exception {
        MemoryBackend a = new MemoryBackend("a");
        SigningServiceImpl s = serviceWith(a);
        s.removeBackend(a, Map.of(SigningBackend.PROPERTY_ID, "a"));
        assertTrue(s.algorithms().isEmpty());
        assertThrows(SigilException.class,
                () -> s.signDigest(new KeyRef("a", "k1"), SignatureAlgorithm.RSA_PKCS1_SHA256, sha256("x")));
    }

    @Test
    void aSecondBackendWithTheSameIdDoesNotReplaceTheFirst() throws Exception {
        MemoryBackend first = new MemoryBackend("a");
        MemoryBackend second = new MemoryBackend("a");
        SigningServiceImpl s = serviceWith(first, second);
        s.signDigest(new KeyRef("a", "k1"), SignatureAlgorithm.RSA_PKCS1_SHA256, sha256("x"));
        assertEquals(1, first.signatures.get());
        assertEquals(0, second.signatures.get());
        // removing the ignored duplicate must not remove the active one
        s.removeBackend(second, Map.of(SigningBackend.PROPERTY_ID, "a"));
        assertEquals(1, s.backends().size());
    }

    @Test
    void backendsWithoutAnIdAreIgnored() {
        SigningServiceImpl s = new SigningServiceImpl();
        s.addBackend(new MemoryBackend("x"), Map.of());
        assertTrue(s.backends().isEmpty());
    }

    @Test
    void aBatchComesBackAsTheBackendReturnedItEvenAsAnImmutableList() throws Exception {
        MemoryBackend immutable = new MemoryBackend("a") {
            @Override
            public List<byte[]> sign(KeyRef ref, SignatureAlgorithm algorithm, List<byte[]> digests,
                                     dev.sigil.api.backend.CallContext context) throws SigilException {
                return List.copyOf(super.sign(ref, algorithm, digests, context));
            }
        };
        List<byte[]> out = serviceWith(immutable).signDigests(new KeyRef("a", "k1"),
                SignatureAlgorithm.RSA_PKCS1_SHA256, List.of(sha256("one"), sha256("two")),
                dev.sigil.api.backend.CallContext.defaults());
        assertEquals(2, out.size());
        assertEquals(2, immutable.signatures.get());
    }

    @Test
    void aBackendThatReturnsTooFewSignaturesIsAnInternalFailure() {
        MemoryBackend shortChanging = new MemoryBackend("a") {
            @Override
            public List<byte[]> sign(KeyRef ref, SignatureAlgorithm algorithm, List<byte[]> digests,
                                     dev.sigil.api.backend.CallContext context) {
                return List.of(new byte[256]);
            }
        };
        SigilException e = assertThrows(SigilException.class, () -> serviceWith(shortChanging).signDigests(
                new KeyRef("a", "k1"), SignatureAlgorithm.RSA_PKCS1_SHA256, List.of(new byte[32], new byte[32]),
                dev.sigil.api.backend.CallContext.defaults()));
        assertEquals(ErrorCode.INTERNAL, e.code());
    }

    @Test
    void unexpectedBackendFailuresBecomeInternalWithoutTheirDetail() {
        MemoryBackend a = new MemoryBackend("a");
        a.failure = new IllegalStateException("vendor secret detail 0x8000");
        SigilException e = assertThrows(SigilException.class, () -> serviceWith(a)
                .signDigest(new KeyRef("a", "k1"), SignatureAlgorithm.RSA_PKCS1_SHA256, new byte[32]));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertFalse(e.getMessage().contains("vendor"), e.getMessage());
    }

    @Test
    void backendErrorsPassThroughWithTheirCode() {
        SigilException e = assertThrows(SigilException.class, () -> serviceWith(new MemoryBackend("a"))
                .signDigest(new KeyRef("a", "missing"), SignatureAlgorithm.RSA_PKCS1_SHA256, new byte[32]));
        assertEquals(ErrorCode.KEY_NOT_FOUND, e.code());
    }

    @Test
    void algorithmsAndStatusReflectTheRegisteredBackends() {
        MemoryBackend a = new MemoryBackend("b-backend");
        MemoryBackend b = new MemoryBackend("a-backend");
        b.health = BackendHealth.down("token removed");
        SigningServiceImpl s = serviceWith(a, b);
        assertEquals(EnumSet.of(SignatureAlgorithm.RSA_PKCS1_SHA256, SignatureAlgorithm.RSA_PKCS1_SHA384),
                EnumSet.copyOf(s.algorithms()));
        List<BackendStatus> status = s.backends();
        assertEquals("a-backend", status.get(0).id());
        assertFalse(status.get(0).health().up());
        assertEquals("token removed", status.get(0).health().detail());
        assertTrue(status.get(1).health().up());
    }

    @Test
    void theCallersDigestIsNotHandedToTheBackend() throws Exception {
        byte[][] seen = new byte[1][];
        MemoryBackend a = new MemoryBackend("a") {
            @Override
            public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
                seen[0] = digest;
                return super.sign(ref, algorithm, digest);
            }
        };
        byte[] digest = sha256("doc");
        serviceWith(a).signDigest(new KeyRef("a", "k1"), SignatureAlgorithm.RSA_PKCS1_SHA256, digest);
        assertArrayEquals(digest, seen[0]);
        assertFalse(digest == seen[0]);
    }
}
