package dev.sigil.transport.https.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.HashAlgorithm;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.credential.CertificateDirectory;
import dev.sigil.api.credential.Credential;
import dev.sigil.api.session.AccessToken;
import dev.sigil.api.session.Authorization;
import dev.sigil.api.session.RequestContext;
import dev.sigil.api.session.Session;
import dev.sigil.api.session.SessionService;
import dev.sigil.api.session.SoleControl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Recording doubles of core's services: the transport tests check the translation between CSC JSON
 * and these calls; the policy itself is core's and is tested there and end to end.
 */
final class CscFakes {
    /** The last call to SoleControl, as the transport made it. */
    static volatile String lastCall;
    static final List<Credential> CREDENTIALS = new ArrayList<>();
    static final Audit AUDIT = new Audit();

    /**
     * Values that reached these doubles although core's store could not hold them: an identifier
     * longer than its {@code VARCHAR(64)} column or with a character PostgreSQL refuses, a token or
     * SAD longer than any the server issues, a secret longer than any enrolled one. The edge must
     * refuse those (finding 9 of issue 11); the fuzz test fails on any entry.
     */
    static final List<String> BEYOND_THE_EDGE = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static void identifier(String what, String value) {
        if (value != null && (value.length() > 64 || !storable(value))) {
            BEYOND_THE_EDGE.add(what + " of " + value.length() + " characters");
        }
    }

    private static void opaque(String what, String value) {
        if (value != null && (value.length() > 256 || !storable(value))) {
            BEYOND_THE_EDGE.add(what + " of " + value.length() + " characters");
        }
    }

    private static void secret(String what, char[] value, int max) {
        if (value != null && Character.codePointCount(value, 0, value.length) > max) {
            BEYOND_THE_EDGE.add(what + " of " + value.length + " characters");
        }
    }

    /** No control character, no unpaired surrogate: what a UTF-8 text column takes. */
    private static boolean storable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(++i)))) {
                return false;
            }
        }
        return true;
    }

    /** Records the refusals the transport reports. */
    static final class Audit implements dev.sigil.api.session.AuditTrail {
        final List<String> records = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void refused(String event, String userId, String credentialId, RequestContext context, String reason) {
            identifier("audited credentialID", credentialId);
            identifier("audited userID", userId);
            records.add(event + " " + credentialId + " " + reason);
        }
    }

    private CscFakes() {
    }

    static final class Sessions implements SessionService {
        @Override
        public AccessToken login(String userId, char[] password, RequestContext context) throws SigilException {
            identifier("user name", userId);
            secret("password", password, 1024);
            if (userId.equals("alice") && new String(password).equals("pä:ss")) {
                return new AccessToken("token-alice", Duration.ofMinutes(30));
            }
            throw new SigilException(ErrorCode.AUTHENTICATION_FAILED, "Invalid username or password");
        }

        @Override
        public Session authenticate(String bearerToken) throws SigilException {
            opaque("bearer token", bearerToken);
            if (bearerToken.equals("token-alice")) {
                return new Session("alice", "session-alice");
            }
            throw new SigilException(ErrorCode.INVALID_TOKEN, "Invalid or expired access token");
        }

        @Override
        public void revoke(String bearerToken, RequestContext context) throws SigilException {
            authenticate(bearerToken);
        }
    }

    static final class Control implements SoleControl {
        @Override
        public Authorization authorize(Session session, String credentialId, int numSignatures, List<byte[]> hashes,
                                       HashAlgorithm hashAlgorithm, char[] pin, char[] otp, RequestContext ctx) {
            identifier("credentialID", credentialId);
            secret("PIN", pin, 64);
            secret("OTP", otp, 64);
            lastCall = "authorize " + session.userId() + " " + credentialId + " " + numSignatures + " " + hashes.size() + " "
                    + hashAlgorithm + " " + text(pin) + " " + text(otp);
            return new Authorization("sad-1", Duration.ofMinutes(5));
        }

        @Override
        public Authorization extend(Session session, String credentialId, String sad, RequestContext ctx) {
            identifier("credentialID", credentialId);
            opaque("SAD", sad);
            lastCall = "extend " + session.userId() + " " + credentialId + " " + sad;
            return new Authorization("sad-2", Duration.ofMinutes(5));
        }

        @Override
        public List<byte[]> signHashes(Session session, String credentialId, String sad, List<byte[]> hashes,
                                       SignatureAlgorithm algorithm, RequestContext ctx) {
            identifier("credentialID", credentialId);
            opaque("SAD", sad);
            hashes.forEach(h -> {
                if (h.length > 64) {
                    BEYOND_THE_EDGE.add("a hash of " + h.length + " bytes");
                }
            });
            lastCall = "sign " + session.userId() + " " + credentialId + " " + sad + " " + hashes.size() + " " + algorithm;
            List<byte[]> out = new ArrayList<>();
            hashes.forEach(h -> out.add(new byte[] {(byte) h.length}));
            return out;
        }
    }

    /** A factor value as core receives it: null when the request had none (core refuses that). */
    private static String text(char[] secret) {
        return secret == null ? "(none)" : new String(secret);
    }

    static final class Directory implements CertificateDirectory {
        @Override
        public List<Credential> credentials(String userId) {
            return CREDENTIALS.stream().filter(c -> c.owner().equals(userId)).toList();
        }

        @Override
        public Optional<Credential> credential(String userId, String credentialId) {
            identifier("credentialID", credentialId);
            return credentials(userId).stream().filter(c -> c.id().equals(credentialId)).findFirst();
        }
    }
}
