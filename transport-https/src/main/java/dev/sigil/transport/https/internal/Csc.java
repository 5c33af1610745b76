package dev.sigil.transport.https.internal;

import dev.sigil.api.EcCurve;
import dev.sigil.api.ErrorCode;
import dev.sigil.api.HashAlgorithm;
import dev.sigil.api.KeyType;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.credential.CertificateDirectory;
import dev.sigil.api.credential.Credential;
import dev.sigil.api.session.AccessToken;
import dev.sigil.api.session.AuditTrail;
import dev.sigil.api.session.Authorization;
import dev.sigil.api.session.Session;
import dev.sigil.api.session.SessionService;
import dev.sigil.api.session.SoleControl;
import dev.sigil.api.signing.SigningService;

import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The CSC API endpoints, for v2 (field names {@code hashes}, {@code hashAlgorithmOID},
 * {@code authData}) and v1 ({@code hash}, {@code hashAlgo}, {@code PIN}, {@code OTP}). Policy is
 * not here: every decision is {@code core}'s ({@link SoleControl}, {@link SessionService}); this
 * class only translates JSON to calls and answers to JSON.
 */
final class Csc {
    /** Which CSC version's field names. */
    enum Dialect {
        V1("hash", "hashAlgo"), V2("hashes", "hashAlgorithmOID");

        final String hashes;
        final String hashAlgorithm;

        Dialect(String hashes, String hashAlgorithm) {
            this.hashes = hashes;
            this.hashAlgorithm = hashAlgorithm;
        }
    }

    /** The methods served under each prefix, as {@code info} lists them. */
    static final List<String> METHODS = List.of("auth/login", "auth/revoke", "credentials/list", "credentials/info",
            "credentials/authorize", "credentials/extendTransaction", "signatures/signHash");

    /** Most hashes one request may carry (a batch larger than any credential's multisign). */
    static final int MAX_HASHES = 1000;

    /** The longest password, in characters (code points): the password rule's maximum. */
    static final int MAX_PASSWORD = 1024;

    private static final DateTimeFormatter GENERALIZED_TIME =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Dialect dialect;
    private final SessionService sessions;
    private final SoleControl soleControl;
    private final CertificateDirectory directory;
    private final SigningService signing;
    private final AuditTrail auditTrail;

    Csc(Dialect dialect, SessionService sessions, SoleControl soleControl, CertificateDirectory directory,
        SigningService signing, AuditTrail auditTrail) {
        this.dialect = dialect;
        this.sessions = sessions;
        this.soleControl = soleControl;
        this.directory = directory;
        this.signing = signing;
        this.auditTrail = auditTrail;
    }

    /** Adds the routes under {@code prefix} (e.g. {@code /csc/v2/}). */
    Router addTo(Router router, String prefix) {
        List<String> post = List.of("POST");
        return router.route(prefix + "auth/login", post, audited("auth/login", this::login))
                .route(prefix + "auth/revoke", post, audited("auth/revoke", this::revoke))
                .route(prefix + "credentials/list", post, audited("credentials/list", this::list))
                .route(prefix + "credentials/info", post, audited("credentials/info", this::info))
                .route(prefix + "credentials/authorize", post, audited("credentials/authorize", this::authorize))
                .route(prefix + "credentials/extendTransaction", post,
                        audited("credentials/extendTransaction", this::extend))
                .route(prefix + "signatures/signHash", post, audited("signatures/signHash", this::signHash));
    }

    /**
     * Records in the audit log what this transport refuses before core decides (a missing or bad
     * token, a malformed parameter, another user's credential in list/info). Core audits its own
     * refusals; those pass through untouched.
     */
    private Endpoint audited(String method, Endpoint endpoint) {
        return call -> {
            try {
                return endpoint.handle(call);
            } catch (ApiError e) {
                record(method, call, e.getMessage());
                throw e;
            } catch (SigilException e) {
                if (e.code() == ErrorCode.INVALID_TOKEN) {
                    record(method, call, e.getMessage());
                }
                throw e;
            }
        };
    }

    /** Audits a refusal; a credentialID that is not a well-formed identifier is left out (it may be anything). */
    private void record(String method, Endpoint.Call call, String reason) throws SigilException {
        JsonNode credential = call.body().get("credentialID");
        auditTrail.refused("csc." + method, null, credential != null && Params.isIdentifier(credential.textValue())
                ? credential.textValue() : null, call.context(), reason);
    }

    private Endpoint.Reply login(Endpoint.Call call) throws ApiError, SigilException {
        String auth = call.authorization();
        if (auth == null || !auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw new ApiError(401, "invalid_request", "Missing HTTP Basic authentication (Authorization: Basic)", 0,
                    "Basic realm=\"Sigil\", charset=\"UTF-8\"");
        }
        byte[] decoded = Params.base64(auth.substring(6).trim(), "Authorization");
        java.nio.CharBuffer chars = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(decoded));
        char[] userAndPassword = new char[chars.remaining()];
        chars.get(userAndPassword);
        Arrays.fill(chars.array(), '\0');
        Arrays.fill(decoded, (byte) 0);
        int colon = -1;
        for (int i = 0; i < userAndPassword.length && colon < 0; i++) {
            if (userAndPassword[i] == ':') {
                colon = i;
            }
        }
        char[] password = colon < 0 ? new char[0]
                : Arrays.copyOfRange(userAndPassword, colon + 1, userAndPassword.length);
        String user = colon < 0 ? "" : new String(userAndPassword, 0, colon);
        Arrays.fill(userAndPassword, '\0');
        try {
            // A name that cannot be a user id, or a password longer than any enrolled one, cannot
            // be right: refused as malformed, before any key derivation.
            if (colon <= 0 || !Params.isIdentifier(user) || password.length > 2 * MAX_PASSWORD
                    || Character.codePointCount(password, 0, password.length) > MAX_PASSWORD) {
                throw ApiError.invalidRequest("Malformed HTTP Basic credentials");
            }
            Params.optionalBoolean(call.body(), "rememberMe", false); // no refresh tokens are issued
            AccessToken t = sessions.login(user, password, call.context());
            return Endpoint.Reply.ok(Json.object().put("access_token", t.token())
                    .put("expires_in", t.expiresIn().toSeconds()));
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private Endpoint.Reply revoke(Endpoint.Call call) throws ApiError, SigilException {
        String bearer = bearer(call);
        String token = Params.optionalString(call.body(), "token");
        String hint = Params.optionalString(call.body(), "token_type_hint");
        if (hint != null && !hint.equals("access_token")) {
            throw ApiError.invalidRequest("Invalid parameter token_type_hint (only access tokens are issued)");
        }
        if (token != null && !token.equals(bearer)) {
            throw ApiError.invalidRequest("Invalid parameter token");
        }
        sessions.revoke(bearer, call.context());
        return new Endpoint.Reply(204, null);
    }

    private String user(Endpoint.Call call) throws ApiError, SigilException {
        return session(call).userId();
    }

    private Session session(Endpoint.Call call) throws ApiError, SigilException {
        return sessions.authenticate(bearer(call));
    }

    /** The bearer token; one that cannot be a token the server issued gets core's answer for an unknown one. */
    private static String bearer(Endpoint.Call call) throws ApiError, SigilException {
        String token = call.bearerToken();
        if (!Params.isOpaque(token)) {
            throw new SigilException(ErrorCode.INVALID_TOKEN, "Invalid or expired access token");
        }
        return token;
    }

    private Endpoint.Reply list(Endpoint.Call call) throws ApiError, SigilException {
        String user = user(call);
        ObjectNode body = call.body();
        String userId = Params.optionalIdentifier(body, "userID");
        if (userId != null && !userId.equals(user)) {
            throw ApiError.invalidRequest("Invalid parameter userID");
        }
        if (Params.optionalString(body, "pageToken") != null) {
            throw ApiError.invalidRequest("Invalid parameter pageToken");
        }
        Integer max = Params.optionalInt(body, "maxResults", 1, 10_000);
        boolean withInfo = dialect == Dialect.V2 && Params.optionalBoolean(body, "credentialInfo", false);
        String certificates = certificatesParam(body);
        boolean certInfo = Params.optionalBoolean(body, "certInfo", false);
        List<Credential> all = directory.credentials(user);
        List<Credential> page = max == null || all.size() <= max ? all : all.subList(0, max);
        ObjectNode out = Json.object();
        ArrayNode ids = out.putArray("credentialIDs");
        page.forEach(c -> ids.add(c.id()));
        if (withInfo) {
            ArrayNode infos = out.putArray("credentialInfos");
            for (Credential c : page) {
                ObjectNode info = credentialInfo(c, certificates, certInfo);
                infos.add(Json.object().put("credentialID", c.id()).setAll(info));
            }
        }
        return Endpoint.Reply.ok(out);
    }

    private static String certificatesParam(ObjectNode body) throws ApiError {
        String c = Params.optionalString(body, "certificates");
        if (c == null) {
            return "single";
        }
        if (!List.of("none", "single", "chain").contains(c)) {
            throw ApiError.invalidRequest("Invalid parameter certificates");
        }
        return c;
    }

    private Credential own(String user, String credentialId) throws ApiError, SigilException {
        Optional<Credential> c = directory.credential(user, credentialId);
        if (c.isEmpty()) {
            throw ApiError.invalidRequest("Invalid parameter credentialID");
        }
        return c.get();
    }

    private Endpoint.Reply info(Endpoint.Call call) throws ApiError, SigilException {
        String user = user(call);
        ObjectNode body = call.body();
        Credential c = own(user, Params.requiredIdentifier(body, "credentialID"));
        return Endpoint.Reply.ok(credentialInfo(c, certificatesParam(body),
                Params.optionalBoolean(body, "certInfo", false)));
    }

    private ObjectNode credentialInfo(Credential c, String certificates, boolean certInfo) throws SigilException {
        KeyShape key = keyShape(c);
        ObjectNode out = Json.object().put("description", "Sigil credential " + c.id());
        ObjectNode k = out.putObject("key").put("status", c.enabled() ? "enabled" : "disabled");
        ArrayNode algo = k.putArray("algo");
        SignatureAlgorithm.oids(c.algorithms()).forEach(algo::add);
        algo.add(key.type().oid());
        k.put("len", key.bits());
        if (key.type() == KeyType.EC) {
            k.put("curve", key.curve().oid());
        }
        ObjectNode cert = out.putObject("cert");
        List<X509Certificate> chain = c.chain();
        cert.put("status", chain.isEmpty() ? "none" : status(chain.get(0)));
        if (!certificates.equals("none") && !chain.isEmpty()) {
            ArrayNode list = cert.putArray("certificates");
            for (X509Certificate x : certificates.equals("single") ? chain.subList(0, 1) : chain) {
                try {
                    list.add(Base64.getEncoder().encodeToString(x.getEncoded()));
                } catch (CertificateEncodingException e) {
                    throw new SigilException(ErrorCode.INTERNAL, "A certificate cannot be encoded", e);
                }
            }
        }
        if (certInfo && !chain.isEmpty()) {
            X509Certificate x = chain.get(0);
            cert.put("issuerDN", x.getIssuerX500Principal().getName())
                    .put("serialNumber", x.getSerialNumber().toString(16))
                    .put("subjectDN", x.getSubjectX500Principal().getName())
                    .put("validFrom", GENERALIZED_TIME.format(x.getNotBefore().toInstant()))
                    .put("validTo", GENERALIZED_TIME.format(x.getNotAfter().toInstant()));
        }
        if (dialect == Dialect.V2) {
            ObjectNode auth = out.putObject("auth").put("mode", "explicit").put("expression", "PIN AND OTP");
            ArrayNode objects = auth.putArray("objects");
            objects.addObject().put("type", "Password").put("id", "PIN").put("format", "A").put("label", "PIN")
                    .put("description", "The PIN of this credential");
            objects.addObject().put("type", "Password").put("id", "OTP").put("format", "N").put("generator", "totp")
                    .put("label", "OTP").put("description", "The one-time code of your authenticator app");
        } else {
            out.put("authMode", "explicit");
            out.putObject("PIN").put("presence", "true").put("format", "A").put("label", "PIN");
            out.putObject("OTP").put("presence", "true").put("type", "offline").put("ID", "totp")
                    .put("provider", "Sigil").put("format", "N").put("label", "OTP");
        }
        out.put("SCAL", Integer.toString(c.scal()));
        out.put("multisign", c.multisign());
        out.put("lang", "en-US");
        return out;
    }

    /** A key's type, length and curve, as {@code credentials/info} reports them. */
    private record KeyShape(KeyType type, int bits, EcCurve curve) {
    }

    /**
     * The key's shape from the credential's certificate, which the store holds, and which was
     * checked against the backend's key when it was imported: listing credentials makes no backend
     * call (a key service's calls are throttled and billed). Only a credential without a
     * certificate, or with a key Sigil cannot describe, asks its backend.
     */
    private KeyShape keyShape(Credential c) throws SigilException {
        if (!c.chain().isEmpty()) {
            PublicKey pk = c.chain().get(0).getPublicKey();
            if (pk instanceof RSAPublicKey rsa) {
                return new KeyShape(KeyType.RSA, rsa.getModulus().bitLength(), null);
            }
            if (pk instanceof ECPublicKey ec) {
                Optional<EcCurve> curve = EcCurve.ofBits(ec.getParams().getCurve().getField().getFieldSize());
                if (curve.isPresent()) {
                    return new KeyShape(KeyType.EC, curve.get().bits(), curve.get());
                }
            }
        }
        KeyInfo key = signing.key(c.key());
        return new KeyShape(key.type(), key.bits(), key.curve());
    }

    private static String status(X509Certificate x) {
        Date now = new Date();
        if (now.after(x.getNotAfter())) {
            return "expired";
        }
        return now.before(x.getNotBefore()) ? "not yet valid" : "valid";
    }

    private Endpoint.Reply authorize(Endpoint.Call call) throws ApiError, SigilException {
        Session user = session(call);
        ObjectNode body = call.body();
        String credentialId = Params.requiredIdentifier(body, "credentialID");
        int numSignatures = Params.requiredInt(body, "numSignatures", 1, MAX_HASHES);
        List<byte[]> hashes = Params.hashes(body, dialect.hashes, MAX_HASHES);
        HashAlgorithm hashAlgorithm = hashAlgorithm(body, hashes);
        char[] pin = secret(body, "PIN");
        char[] otp = secret(body, "OTP");
        try {
            Authorization a = soleControl.authorize(user, credentialId, numSignatures, hashes, hashAlgorithm, pin, otp,
                    call.context());
            return Endpoint.Reply.ok(Json.object().put("SAD", a.sad()).put("expiresIn", a.expiresIn().toSeconds()));
        } finally {
            if (pin != null) {
                Arrays.fill(pin, '\0');
            }
            if (otp != null) {
                Arrays.fill(otp, '\0');
            }
        }
    }

    /** The hash algorithm: named by OID, or (v1, which does not send it to authorize) by the digest length. */
    private HashAlgorithm hashAlgorithm(ObjectNode body, List<byte[]> hashes) throws ApiError {
        String oid = Params.optionalShortString(body, dialect.hashAlgorithm);
        if (oid != null) {
            return HashAlgorithm.ofOid(oid).orElseThrow(() -> ApiError.invalidRequest(
                    "Invalid parameter " + dialect.hashAlgorithm));
        }
        if (dialect == Dialect.V2) {
            throw ApiError.invalidRequest("Missing (or invalid type) string parameter hashAlgorithmOID");
        }
        for (HashAlgorithm h : HashAlgorithm.values()) {
            if (h.digestLength() == hashes.get(0).length) {
                return h;
            }
        }
        throw ApiError.invalidRequest("Invalid hash length");
    }

    /** A factor value: top-level {@code PIN}/{@code OTP}, or (v2) an {@code authData} entry. */
    private char[] secret(ObjectNode body, String id) throws ApiError {
        char[] top = Params.optionalSecret(body, id);
        if (top != null || dialect == Dialect.V1) {
            return top;
        }
        JsonNode authData = body.get("authData");
        if (authData == null || authData.isNull()) {
            return null;
        }
        if (!authData.isArray()) {
            throw ApiError.invalidRequest("Invalid (non-array) parameter authData");
        }
        for (JsonNode entry : authData) {
            if (!entry.isObject() || !entry.path("id").isTextual() || !entry.path("value").isTextual()) {
                throw ApiError.invalidRequest("Invalid parameter authData");
            }
            if (entry.get("id").asText().equals(id)) {
                return Params.secret(entry.get("value").asText(), id);
            }
        }
        return null;
    }

    private Endpoint.Reply extend(Endpoint.Call call) throws ApiError, SigilException {
        Session user = session(call);
        ObjectNode body = call.body();
        Authorization a = soleControl.extend(user, Params.requiredIdentifier(body, "credentialID"),
                Params.requiredOpaque(body, "SAD"), call.context());
        return Endpoint.Reply.ok(Json.object().put("SAD", a.sad()).put("expiresIn", a.expiresIn().toSeconds()));
    }

    private Endpoint.Reply signHash(Endpoint.Call call) throws ApiError, SigilException {
        Session user = session(call);
        ObjectNode body = call.body();
        String credentialId = Params.requiredIdentifier(body, "credentialID");
        String sad = Params.requiredOpaque(body, "SAD");
        List<byte[]> hashes = Params.hashes(body, dialect.hashes, MAX_HASHES);
        SignatureAlgorithm algorithm = signatureAlgorithm(body);
        List<byte[]> signatures = soleControl.signHashes(user, credentialId, sad, hashes, algorithm, call.context());
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("signatures");
        signatures.forEach(s -> list.add(Base64.getEncoder().encodeToString(s)));
        return Endpoint.Reply.ok(out);
    }

    /** {@code signAlgo} with {@code hashAlgo(rithmOID)} and, for RSASSA-PSS, {@code signAlgoParams}. */
    private SignatureAlgorithm signatureAlgorithm(ObjectNode body) throws ApiError {
        String signAlgo = Params.requiredShortString(body, "signAlgo");
        String hashOid = Params.optionalShortString(body, dialect.hashAlgorithm);
        String params = Params.optionalShortString(body, "signAlgoParams");
        if (SignatureAlgorithm.RSASSA_PSS_OID.equals(signAlgo) && params != null) {
            HashAlgorithm fromParams = pssHash(Params.base64(params, "signAlgoParams"));
            if (hashOid != null && !hashOid.equals(fromParams.oid())) {
                throw ApiError.invalidRequest("signAlgoParams and " + dialect.hashAlgorithm + " name different hashes");
            }
            hashOid = fromParams.oid();
        }
        return SignatureAlgorithm.fromCsc(signAlgo, hashOid)
                .orElseThrow(() -> ApiError.invalidRequest("Invalid parameter signAlgo"));
    }

    /**
     * The hash of DER {@code RSASSA-PSS-params}, which must be the profile Sigil signs: MGF1 with
     * the same hash, a salt as long as the digest, trailer field 1.
     */
    static HashAlgorithm pssHash(byte[] der) throws ApiError {
        PSSParameterSpec spec;
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("RSASSA-PSS");
            p.init(der);
            spec = p.getParameterSpec(PSSParameterSpec.class);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw ApiError.invalidRequest("Invalid parameter signAlgoParams");
        }
        HashAlgorithm hash = null;
        for (HashAlgorithm h : HashAlgorithm.values()) {
            if (h.jcaName().equalsIgnoreCase(spec.getDigestAlgorithm())) {
                hash = h;
            }
        }
        if (hash == null || !"MGF1".equalsIgnoreCase(spec.getMGFAlgorithm())
                || !(spec.getMGFParameters() instanceof MGF1ParameterSpec)
                || !((MGF1ParameterSpec) spec.getMGFParameters()).getDigestAlgorithm().equalsIgnoreCase(hash.jcaName())
                || spec.getSaltLength() != hash.digestLength() || spec.getTrailerField() != 1) {
            throw ApiError.invalidRequest("Unsupported signAlgoParams: RSASSA-PSS with MGF1 over the same hash "
                    + "and a salt as long as the digest is supported");
        }
        return hash;
    }
}
