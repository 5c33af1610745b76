package dev.sigil.transport.https.internal;

import dev.sigil.api.SigilException;
import dev.sigil.api.admin.AdminService;
import dev.sigil.api.admin.AuditRecord;
import dev.sigil.api.admin.CredentialRequest;
import dev.sigil.api.admin.CredentialSummary;
import dev.sigil.api.admin.NewCredential;
import dev.sigil.api.admin.TotpEnrollment;
import dev.sigil.api.admin.UserSummary;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.session.AuditTrail;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The administration API under {@code /admin/v1/}, for the {@code sigil-admin} command on the same
 * machine: served on its own connector bound to a loopback address (never on the public one), only
 * to a loopback peer, and only with the admin token (a random secret in a file readable by the
 * server's user, compared in constant time). Not part of CSC.
 *
 * <p>Failed authentications (a missing or wrong token) are audited as refusals of
 * {@code admin.<route>} and limited: after {@value #MAX_FAILURES} within {@value #WINDOW_SECONDS}
 * seconds, every admin request is refused with {@code 429} for {@value #LOCK_SECONDS} seconds without
 * looking at its token (a guess made then learns nothing), and those refusals are audited too. The
 * limit is for the whole admin API, not per address: every peer is on this machine. Thread-safe.
 */
final class AdminEndpoints {
    static final int MAX_FAILURES = 5;
    static final int WINDOW_SECONDS = 60;
    static final int LOCK_SECONDS = 60;

    private final AdminService admin;
    private final byte[] token;
    private final AuditTrail audit;
    private final LongSupplier clockMillis;
    /** When the recent failures happened (milliseconds), oldest first; guarded by this. */
    private final Deque<Long> failures = new ArrayDeque<>();
    /** Until when the admin API refuses every request (milliseconds); guarded by this. */
    private long lockedUntil;

    /** @param token the admin token's bytes; copied */
    AdminEndpoints(AdminService admin, byte[] token, AuditTrail audit) {
        this(admin, token, audit, System::currentTimeMillis);
    }

    AdminEndpoints(AdminService admin, byte[] token, AuditTrail audit, LongSupplier clockMillis) {
        this.admin = admin;
        this.token = token.clone();
        this.audit = audit;
        this.clockMillis = clockMillis;
    }

    /** Adds the admin routes (all POST) to a router of the admin connector; returns it. */
    Router addTo(Router router) {
        route(router, "users/add", this::addUser);
        route(router, "users/enable", c -> enableUser(c, true));
        route(router, "users/disable", c -> enableUser(c, false));
        route(router, "users/password", this::setPassword);
        route(router, "users/list", this::listUsers);
        route(router, "totp/enroll", this::enrollTotp);
        route(router, "credentials/create", this::createCredential);
        route(router, "credentials/importCertificate", this::importCertificate);
        route(router, "credentials/enable", c -> enableCredential(c, true));
        route(router, "credentials/disable", c -> enableCredential(c, false));
        route(router, "credentials/list", this::listCredentials);
        route(router, "credentials/unblock", this::unblockCredential);
        route(router, "audit/verify", this::verifyAudit);
        route(router, "audit/list", this::listAudit);
        route(router, "audit/head", c -> Endpoint.Reply.ok(Json.object().put("checkpoint", admin.signedAuditHead())));
        return router;
    }

    private void route(Router router, String name, Endpoint e) {
        router.route("/admin/v1/" + name, List.of("POST"), guarded(name, e));
    }

    private Endpoint guarded(String name, Endpoint e) {
        return call -> {
            if (!loopback(call.context().clientAddress())) {
                throw refused(name, call, new ApiError(403, "access_denied",
                        "The admin API answers only on this machine"));
            }
            long now = clockMillis.getAsLong();
            long lockLeft;
            synchronized (this) {
                lockLeft = lockedUntil - now;
            }
            if (lockLeft > 0) {
                throw refused(name, call, new ApiError(429, "access_denied", "Too many invalid admin tokens; "
                        + "the admin API refuses every request for " + LOCK_SECONDS + " s",
                        (int) Math.max(1, (lockLeft + 999) / 1000)));
            }
            if (!tokenMatches(call)) {
                failed(now);
                throw refused(name, call, new ApiError(401, "invalid_token", "Invalid admin token", 0,
                        "Bearer realm=\"Sigil admin\""));
            }
            return e.handle(call);
        };
    }

    private boolean tokenMatches(Endpoint.Call call) {
        String bearer;
        try {
            bearer = call.bearerToken();
        } catch (ApiError missing) {
            return false;
        }
        byte[] presented = bearer.getBytes(StandardCharsets.UTF_8);
        boolean ok = MessageDigest.isEqual(presented, token);
        Arrays.fill(presented, (byte) 0);
        return ok;
    }

    /** Counts a failure; the {@value #MAX_FAILURES}th within the window locks the admin API. */
    private synchronized void failed(long now) {
        failures.addLast(now);
        while (!failures.isEmpty() && failures.peekFirst() <= now - WINDOW_SECONDS * 1000L) {
            failures.removeFirst();
        }
        if (failures.size() >= MAX_FAILURES) {
            lockedUntil = now + LOCK_SECONDS * 1000L;
            failures.clear();
        }
    }

    /** Audits a refused admin request; returns the error to throw. */
    private ApiError refused(String name, Endpoint.Call call, ApiError error) throws SigilException {
        audit.refused("admin." + name, null, null, call.context(), error.getMessage());
        return error;
    }

    private static boolean loopback(String address) {
        try {
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static Endpoint.Reply done() {
        return Endpoint.Reply.ok(Json.object().put("ok", true));
    }

    private Endpoint.Reply addUser(Endpoint.Call call) throws ApiError, SigilException {
        ObjectNode b = call.body();
        char[] pwd = Params.requiredString(b, "password").toCharArray();
        try {
            admin.addUser(Params.requiredString(b, "userId"), Params.optionalString(b, "displayName"), pwd);
        } finally {
            Arrays.fill(pwd, '\0');
        }
        return done();
    }

    private Endpoint.Reply enableUser(Endpoint.Call call, boolean enabled) throws ApiError, SigilException {
        admin.setUserEnabled(Params.requiredString(call.body(), "userId"), enabled);
        return done();
    }

    private Endpoint.Reply setPassword(Endpoint.Call call) throws ApiError, SigilException {
        char[] pwd = Params.requiredString(call.body(), "password").toCharArray();
        try {
            admin.setPassword(Params.requiredString(call.body(), "userId"), pwd);
        } finally {
            Arrays.fill(pwd, '\0');
        }
        return done();
    }

    private Endpoint.Reply listUsers(Endpoint.Call call) throws SigilException {
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("users");
        for (UserSummary u : admin.users()) {
            ObjectNode n = list.addObject().put("userId", u.id()).put("displayName", u.displayName())
                    .put("enabled", u.enabled()).put("credentials", u.credentials());
            u.factors().forEach(n.putArray("factors")::add);
        }
        return Endpoint.Reply.ok(out);
    }

    private Endpoint.Reply enrollTotp(Endpoint.Call call) throws ApiError, SigilException {
        TotpEnrollment t = admin.enrollTotp(Params.requiredString(call.body(), "userId"),
                Params.optionalString(call.body(), "issuer"));
        return Endpoint.Reply.ok(Json.object().put("seed", t.seed()).put("uri", t.uri()));
    }

    private Endpoint.Reply createCredential(Endpoint.Call call) throws ApiError, SigilException {
        ObjectNode b = call.body();
        KeySpec spec;
        try {
            spec = KeySpec.parse(Params.requiredString(b, "keyType"));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest(e.getMessage());
        }
        char[] pin = Params.requiredString(b, "pin").toCharArray();
        NewCredential c;
        try {
            Integer multisign = Params.optionalInt(b, "multisign", 1, 1000);
            c = admin.createCredential(new CredentialRequest(Params.requiredString(b, "credentialID"),
                    Params.requiredString(b, "userId"), Params.requiredString(b, "backendId"), spec, pin,
                    multisign == null ? 10 : multisign, Params.optionalString(b, "subjectDN")));
        } finally {
            Arrays.fill(pin, '\0');
        }
        ObjectNode out = Json.object().put("credentialID", c.credentialId()).put("keyId", c.keyId())
                .put("publicKey", Base64.getEncoder().encodeToString(c.publicKeyDer()));
        if (c.csrPem() != null) {
            out.put("csr", c.csrPem());
        }
        return Endpoint.Reply.ok(out);
    }

    private Endpoint.Reply importCertificate(Endpoint.Call call) throws ApiError, SigilException {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (byte[] der : Params.base64List(call.body(), "certificates", 10)) {
                chain.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw ApiError.invalidRequest("Invalid parameter certificates (DER X.509, base64)");
        }
        admin.importCertificate(Params.requiredString(call.body(), "credentialID"), chain);
        return done();
    }

    private Endpoint.Reply enableCredential(Endpoint.Call call, boolean enabled) throws ApiError, SigilException {
        admin.setCredentialEnabled(Params.requiredString(call.body(), "credentialID"), enabled);
        return done();
    }

    private Endpoint.Reply unblockCredential(Endpoint.Call call) throws ApiError, SigilException {
        boolean cleared = admin.unblockPin(Params.requiredString(call.body(), "credentialID"));
        return Endpoint.Reply.ok(Json.object().put("ok", true).put("cleared", cleared));
    }

    private Endpoint.Reply listCredentials(Endpoint.Call call) throws ApiError, SigilException {
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("credentials");
        for (CredentialSummary c : admin.credentials(Optional.ofNullable(Params.optionalString(call.body(), "userId")))) {
            list.addObject().put("credentialID", c.id()).put("owner", c.owner()).put("key", c.key())
                    .put("subject", c.subject()).put("notAfter", c.notAfter()).put("enabled", c.enabled())
                    .put("multisign", c.multisign());
        }
        return Endpoint.Reply.ok(out);
    }

    private Endpoint.Reply verifyAudit(Endpoint.Call call) throws SigilException {
        Optional<String> problem = admin.verifyAudit();
        ObjectNode out = Json.object().put("intact", problem.isEmpty()).put("records", admin.auditSize());
        problem.ifPresent(p -> out.put("problem", p));
        return Endpoint.Reply.ok(out);
    }

    private Endpoint.Reply listAudit(Endpoint.Call call) throws ApiError, SigilException {
        JsonNode after = call.body().get("afterSeq");
        long afterSeq = after != null && after.canConvertToLong() ? after.asLong() : 0;
        Integer max = Params.optionalInt(call.body(), "max", 1, 10_000);
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("records");
        for (AuditRecord r : admin.audit(afterSeq, max == null ? 100 : max)) {
            list.addObject().put("seq", r.seq()).put("at", r.at()).put("event", r.event()).put("outcome", r.outcome())
                    .put("userId", r.userId()).put("credentialID", r.credentialId()).put("requestId", r.requestId())
                    .put("clientAddress", r.clientAddress()).put("detail", r.detail()).put("link", r.recordHash());
        }
        return Endpoint.Reply.ok(out);
    }
}
