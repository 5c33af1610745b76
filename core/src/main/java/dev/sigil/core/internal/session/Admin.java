package dev.sigil.core.internal.session;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.Identifiers;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.admin.AdminService;
import dev.sigil.api.admin.AuditRecord;
import dev.sigil.api.admin.CredentialRequest;
import dev.sigil.api.admin.CredentialSummary;
import dev.sigil.api.admin.NewCredential;
import dev.sigil.api.admin.TotpEnrollment;
import dev.sigil.api.admin.UserSummary;
import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.FactorType;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.credential.Credential;
import dev.sigil.api.session.RequestContext;
import dev.sigil.api.signing.SigningService;
import dev.sigil.core.internal.store.AttemptRepository;
import dev.sigil.core.internal.store.AuditEvent;
import dev.sigil.core.internal.store.AuditEvent.Outcome;
import dev.sigil.core.internal.store.AuditLog;
import dev.sigil.core.internal.store.CredentialRepository;
import dev.sigil.core.internal.store.CredentialRepository.StoredCredential;
import dev.sigil.core.internal.store.SessionRepository;
import dev.sigil.core.internal.store.Store;
import dev.sigil.core.internal.store.StoreComponent;
import dev.sigil.core.internal.store.UserRepository;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The administrator's operations, on the store and the backends; every change is audited. */
@Component(service = AdminService.class)
public final class Admin implements AdminService {
    private final Store store;
    private final Authenticator password;
    private final Authenticator pin;
    private final Authenticator totp;
    private final SigningService signing;
    private final Clock clock;
    private final AuditLog audit;
    private final UserRepository users = new UserRepository();
    private final CredentialRepository credentials = new CredentialRepository();
    private final SessionRepository sessions = new SessionRepository();
    private final AttemptRepository attempts = new AttemptRepository();

    @Activate
    public Admin(@Reference StoreComponent store,
                 @Reference(target = "(" + Authenticator.PROPERTY_FACTOR + "=PASSWORD)") Authenticator password,
                 @Reference(target = "(" + Authenticator.PROPERTY_FACTOR + "=PIN)") Authenticator pin,
                 @Reference(target = "(" + Authenticator.PROPERTY_FACTOR + "=TOTP)") Authenticator totp,
                 @Reference SigningService signing) {
        this(store.store(), password, pin, totp, signing, Clock.systemUTC());
    }

    Admin(Store store, Authenticator password, Authenticator pin, Authenticator totp, SigningService signing,
          Clock clock) {
        this.store = store;
        this.password = password;
        this.pin = pin;
        this.totp = totp;
        this.signing = signing;
        this.clock = clock;
        this.audit = store.audit();
    }

    private static void checkId(String what, String id) throws SigilException {
        if (!Identifiers.valid(id)) {
            throw new SigilException(ErrorCode.INVALID_REQUEST, what + " must be " + Identifiers.RULE);
        }
    }

    private void changed(java.sql.Connection c, String event, String userId, String credentialId, String detail)
            throws java.sql.SQLException {
        audit.append(c, new AuditEvent(event, Outcome.SUCCESS, userId, credentialId, RequestContext.LOCAL, detail));
    }

    private UserRepository.User existingUser(java.sql.Connection c, String userId)
            throws java.sql.SQLException, SigilException {
        return users.find(c, userId).orElseThrow(() -> new SigilException(ErrorCode.INVALID_REQUEST,
                "No user " + userId));
    }

    @Override
    public void addUser(String userId, String displayName, char[] pwd) throws SigilException {
        checkId("The user id", userId);
        FactorRecord record = password.enroll(pwd);
        long now = clock.millis();
        store.inTransaction(c -> {
            if (!users.insert(c, new UserRepository.User(userId, displayName == null ? userId : displayName, true, now))) {
                throw new SigilException(ErrorCode.INVALID_REQUEST, "The user " + userId + " exists");
            }
            users.putFactor(c, userId, record, now);
            changed(c, "admin.user.add", userId, null, "user added");
            return null;
        });
    }

    @Override
    public void setUserEnabled(String userId, boolean enabled) throws SigilException {
        store.inTransaction(c -> {
            if (!users.setEnabled(c, userId, enabled)) {
                throw new SigilException(ErrorCode.INVALID_REQUEST, "No user " + userId);
            }
            if (!enabled) {
                sessions.endAll(c, userId);
            }
            changed(c, enabled ? "admin.user.enable" : "admin.user.disable", userId, null,
                    enabled ? "user enabled" : "user disabled");
            return null;
        });
    }

    @Override
    public void setPassword(String userId, char[] pwd) throws SigilException {
        FactorRecord record = password.enroll(pwd);
        long now = clock.millis();
        store.inTransaction(c -> {
            existingUser(c, userId);
            users.putFactor(c, userId, record, now);
            int ended = sessions.endAll(c, userId);
            changed(c, "admin.user.password", userId, null, "password set; " + ended + " token(s) and SAD(s) ended");
            return null;
        });
    }

    @Override
    public List<UserSummary> users() throws SigilException {
        return store.inTransaction(c -> {
            List<UserSummary> out = new ArrayList<>();
            for (UserRepository.User u : users.list(c)) {
                Set<String> factors = new java.util.TreeSet<>();
                for (FactorType t : List.of(FactorType.PASSWORD, FactorType.TOTP)) {
                    if (users.factor(c, u.id(), t).isPresent()) {
                        factors.add(t.name());
                    }
                }
                out.add(new UserSummary(u.id(), u.displayName(), u.enabled(), factors,
                        credentials.listByOwner(c, u.id()).size()));
            }
            return out;
        });
    }

    @Override
    public TotpEnrollment enrollTotp(String userId, String issuer) throws SigilException {
        char[] seed = OtpAuth.newSeed();
        try {
            FactorRecord record = totp.enroll(seed);
            long now = clock.millis();
            store.inTransaction(c -> {
                existingUser(c, userId);
                users.putFactor(c, userId, record, now);
                int ended = sessions.endAll(c, userId);
                changed(c, "admin.totp.enroll", userId, null, "TOTP seed enrolled; " + ended
                        + " token(s) and SAD(s) ended");
                return null;
            });
            return new TotpEnrollment(new String(seed), OtpAuth.uri(issuer == null ? "Sigil" : issuer, userId, seed,
                    record));
        } finally {
            Arrays.fill(seed, '\0');
        }
    }

    @Override
    public NewCredential createCredential(CredentialRequest r) throws SigilException {
        checkId("The credential id", r.credentialId());
        if (r.multisign() < 1 || r.multisign() > 1000) {
            throw new SigilException(ErrorCode.INVALID_REQUEST, "multisign must be between 1 and 1000");
        }
        FactorRecord pinRecord = pin.enroll(r.pin());
        store.inTransaction(c -> {
            existingUser(c, r.userId());
            if (credentials.find(c, r.credentialId()).isPresent()) {
                throw new SigilException(ErrorCode.INVALID_REQUEST, "The credential " + r.credentialId() + " exists");
            }
            return null;
        });
        KeyInfo key = signing.generateKey(r.backendId(), r.keySpec(), r.credentialId());
        Set<SignatureAlgorithm> algorithms = EnumSet.copyOf(key.algorithms());
        String csr = r.subjectDn() == null ? null : csr(key, r.subjectDn());
        long now = clock.millis();
        store.inTransaction(c -> {
            credentials.insert(c, new StoredCredential(new Credential(r.credentialId(), r.userId(), key.ref(),
                    List.of(), algorithms, r.multisign(), 2, true), pinRecord, "", now));
            changed(c, "admin.credential.create", r.userId(), r.credentialId(), "key " + key.ref() + ", "
                    + r.keySpec().type() + " " + r.keySpec().bits() + (csr == null ? "" : ", CSR made"));
            return null;
        });
        return new NewCredential(r.credentialId(), key.ref().keyId(), key.publicKey().getEncoded(), csr);
    }

    /** A PKCS#10 request for the new key, signed through the signing service (the key never leaves). */
    private String csr(KeyInfo key, String subject) throws SigilException {
        SignatureAlgorithm alg = key.type() == KeyType.RSA ? SignatureAlgorithm.RSA_PKCS1_SHA256
                : SignatureAlgorithm.ECDSA_SHA256;
        X500Name name;
        try {
            name = new X500Name(subject);
        } catch (IllegalArgumentException e) {
            throw new SigilException(ErrorCode.INVALID_REQUEST, "Invalid subject DN: " + subject);
        }
        BackendSigner signer = new BackendSigner(signing, key.ref(), alg);
        try {
            var request = new PKCS10CertificationRequestBuilder(name,
                    SubjectPublicKeyInfo.getInstance(key.publicKey().getEncoded())).build(signer);
            if (signer.failure != null) {
                throw signer.failure;
            }
            StringWriter out = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(out)) {
                w.writeObject(request);
            }
            return out.toString();
        } catch (IOException e) {
            throw new SigilException(ErrorCode.INTERNAL, "The certificate request cannot be encoded", e);
        }
    }

    /** A BouncyCastle {@link ContentSigner} whose signature comes from the signing service. */
    private static final class BackendSigner implements ContentSigner {
        private final SigningService signing;
        private final KeyRef key;
        private final SignatureAlgorithm algorithm;
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();
        SigilException failure;

        BackendSigner(SigningService signing, KeyRef key, SignatureAlgorithm algorithm) {
            this.signing = signing;
            this.key = key;
            this.algorithm = algorithm;
        }

        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
            return new DefaultSignatureAlgorithmIdentifierFinder().find(
                    algorithm == SignatureAlgorithm.RSA_PKCS1_SHA256 ? "SHA256withRSA" : "SHA256withECDSA");
        }

        @Override
        public OutputStream getOutputStream() {
            return data;
        }

        @Override
        public byte[] getSignature() {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(data.toByteArray());
                return signing.signDigest(key, algorithm, digest);
            } catch (SigilException e) {
                failure = e;
                return new byte[0];
            } catch (NoSuchAlgorithmException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    @Override
    public void importCertificate(String credentialId, List<X509Certificate> chain) throws SigilException {
        if (chain == null || chain.isEmpty()) {
            throw new SigilException(ErrorCode.INVALID_REQUEST, "No certificate given");
        }
        StoredCredential sc = store.inTransaction(c -> credentials.find(c, credentialId)).orElseThrow(
                () -> new SigilException(ErrorCode.INVALID_REQUEST, "No credential " + credentialId));
        KeyInfo key = signing.key(sc.credential().key());
        if (!Arrays.equals(key.publicKey().getEncoded(), chain.get(0).getPublicKey().getEncoded())) {
            throw new SigilException(ErrorCode.INVALID_REQUEST,
                    "The first certificate is not for the key of credential " + credentialId);
        }
        store.inTransaction(c -> {
            credentials.setChain(c, credentialId, chain);
            changed(c, "admin.credential.certificate", sc.credential().owner(), credentialId,
                    "certificate " + chain.get(0).getSubjectX500Principal().getName() + ", chain of " + chain.size());
            return null;
        });
    }

    @Override
    public void setCredentialEnabled(String credentialId, boolean enabled) throws SigilException {
        store.inTransaction(c -> {
            StoredCredential sc = credentials.find(c, credentialId).orElseThrow(
                    () -> new SigilException(ErrorCode.INVALID_REQUEST, "No credential " + credentialId));
            credentials.setEnabled(c, credentialId, enabled);
            changed(c, enabled ? "admin.credential.enable" : "admin.credential.disable", sc.credential().owner(),
                    credentialId, enabled ? "credential enabled" : "credential disabled");
            return null;
        });
    }

    @Override
    public boolean unblockPin(String credentialId) throws SigilException {
        return store.inTransaction(c -> {
            StoredCredential sc = credentials.find(c, credentialId).orElseThrow(
                    () -> new SigilException(ErrorCode.INVALID_REQUEST, "No credential " + credentialId));
            boolean had = false;
            // The owner's one-time-code counter counted the same failures: cleared too.
            for (String key : List.of(AttemptLimits.pinKey(credentialId),
                    AttemptLimits.totpKey(sc.credential().owner()))) {
                had |= attempts.find(c, key).map(a -> a.failures() > 0 || a.lockouts() > 0 || a.blocked()
                        || a.lockedUntil() > clock.millis()).orElse(false);
                attempts.delete(c, key);
            }
            changed(c, "admin.credential.unblock", sc.credential().owner(), credentialId,
                    had ? "PIN attempt counter cleared" : "PIN had nothing to clear");
            return had;
        });
    }

    @Override
    public List<CredentialSummary> credentials(Optional<String> userId) throws SigilException {
        return store.inTransaction(c -> {
            List<String> owners = new ArrayList<>();
            if (userId.isPresent()) {
                owners.add(userId.get());
            } else {
                users.list(c).forEach(u -> owners.add(u.id()));
            }
            List<CredentialSummary> out = new ArrayList<>();
            for (String owner : owners) {
                for (StoredCredential sc : credentials.listByOwner(c, owner)) {
                    Credential cr = sc.credential();
                    X509Certificate cert = cr.chain().isEmpty() ? null : cr.chain().get(0);
                    out.add(new CredentialSummary(cr.id(), cr.owner(), cr.key().toString(),
                            cert == null ? null : cert.getSubjectX500Principal().getName(),
                            cert == null ? null : cert.getNotAfter().toInstant().toString(), cr.enabled(),
                            cr.multisign()));
                }
            }
            return out;
        });
    }

    @Override
    public Optional<String> verifyAudit() throws SigilException {
        return audit.verify(store);
    }

    @Override
    public String signedAuditHead() throws SigilException {
        return audit.signed(audit.head(store));
    }

    @Override
    public long auditSize() throws SigilException {
        return audit.size(store);
    }

    @Override
    public List<AuditRecord> audit(long afterSeq, int max) throws SigilException {
        return audit.after(store, afterSeq, Math.max(1, Math.min(max, 10_000)));
    }
}
