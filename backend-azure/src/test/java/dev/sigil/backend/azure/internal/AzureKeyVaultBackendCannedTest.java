package dev.sigil.backend.azure.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The signing path through the real SDK (challenge, token, JSON, CryptographyClient) against canned
 * Key Vault answers given by an azure-core {@link HttpClient} in memory, with a real EC key; not
 * the HTTPS Key Vault fake the issue asks for, which the next session writes.
 */
class AzureKeyVaultBackendCannedTest {
    private static final String VAULT = "https://sigil-test.vault.azure.net/";
    private static final String VERSION = "0123456789abcdef0123456789abcdef";
    private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*\"([^\"]+)\"");

    private final KeyPair ec;
    private final List<String> requests = new ArrayList<>();
    private final AtomicInteger throttleNext = new AtomicInteger();

    AzureKeyVaultBackendCannedTest() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        ec = g.generateKeyPair();
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] unsigned(BigInteger v, int len) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[len];
        int n = Math.min(b.length, len);
        System.arraycopy(b, b.length - n, out, len - n, n);
        return out;
    }

    private String keyJson() {
        ECPublicKey pub = (ECPublicKey) ec.getPublic();
        return "{\"key\":{\"kid\":\"" + VAULT + "keys/alice/" + VERSION + "\",\"kty\":\"EC-HSM\","
                + "\"key_ops\":[\"sign\",\"verify\"],\"crv\":\"P-256\",\"x\":\"" + b64(unsigned(pub.getW().getAffineX(), 32))
                + "\",\"y\":\"" + b64(unsigned(pub.getW().getAffineY(), 32)) + "\"},"
                + "\"attributes\":{\"enabled\":true,\"created\":1700000000,\"updated\":1700000000,"
                + "\"recoveryLevel\":\"Recoverable\"}}";
    }

    private synchronized Mono<HttpResponse> answer(HttpRequest r) {
        String path = r.getUrl().getPath();
        String auth = r.getHeaders().getValue("Authorization");
        requests.add(r.getHttpMethod() + " " + path + (auth == null ? "" : " (token)"));
        if (auth == null) {
            return Mono.just(response(r, 401, Map.of("WWW-Authenticate", "Bearer authorization=\""
                    + "https://login.microsoftonline.com/" + Fixtures.TENANT + "\", resource=\"https://vault.azure.net\""),
                    "{\"error\":{\"code\":\"Unauthorized\",\"message\":\"AKV10000: Request is missing a Bearer token.\"}}"));
        }
        if (!auth.equals("Bearer test-token")) {
            return Mono.just(response(r, 401, Map.of(), "{}"));
        }
        if (r.getHttpMethod().name().equals("GET") && path.startsWith("/keys/alice")) {
            return Mono.just(response(r, 200, Map.of(), keyJson()));
        }
        if (r.getHttpMethod().name().equals("POST") && path.equals("/keys/alice/" + VERSION + "/sign")) {
            if (throttleNext.getAndDecrement() > 0) {
                return Mono.just(response(r, 429, Map.of("Retry-After", "0"),
                        "{\"error\":{\"code\":\"Throttled\",\"message\":\"too many requests\"}}"));
            }
            String body = r.getBodyAsBinaryData().toString();
            Matcher m = VALUE.matcher(body);
            assertTrue(m.find(), body);
            byte[] digest = Base64.getUrlDecoder().decode(m.group(1));
            try {
                Signature s = Signature.getInstance("NONEwithECDSAinP1363Format");
                s.initSign(ec.getPrivate());
                s.update(digest);
                return Mono.just(response(r, 200, Map.of(), "{\"kid\":\"" + VAULT + "keys/alice/" + VERSION
                        + "\",\"value\":\"" + b64(s.sign()) + "\"}"));
            } catch (Exception e) {
                return Mono.error(e);
            }
        }
        return Mono.just(response(r, 404, Map.of(),
                "{\"error\":{\"code\":\"KeyNotFound\",\"message\":\"A key with (name/id) x was not found.\"}}"));
    }

    private static HttpResponse response(HttpRequest request, int status, Map<String, String> headers, String body) {
        HttpHeaders h = new HttpHeaders();
        headers.forEach(h::set);
        h.set("Content-Type", "application/json; charset=utf-8");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new HttpResponse(request) {
            @Override
            public int getStatusCode() {
                return status;
            }

            @Override
            @SuppressWarnings("deprecation")
            public String getHeaderValue(String name) {
                return h.getValue(name);
            }

            @Override
            public HttpHeaders getHeaders() {
                return h;
            }

            @Override
            public Flux<ByteBuffer> getBody() {
                return Flux.just(ByteBuffer.wrap(bytes));
            }

            @Override
            public Mono<byte[]> getBodyAsByteArray() {
                return Mono.just(bytes);
            }

            @Override
            public Mono<String> getBodyAsString() {
                return Mono.just(body);
            }

            @Override
            public Mono<String> getBodyAsString(Charset charset) {
                return Mono.just(new String(bytes, charset));
            }
        };
    }

    private AzureKeyVaultBackend open() throws Exception {
        AzureKeyVaultSettings s = AzureKeyVaultSettings.from(Fixtures.config(
                Fixtures.clientSecretConfig("kv", VAULT)), Fixtures::env);
        TokenCredential token = ctx -> Mono.just(new AccessToken("test-token", OffsetDateTime.now().plusHours(1)));
        HttpClient http = this::answer;
        try {
            return new AzureKeyVaultBackend(s, new AzureClients(s, token, http, false));
        } finally {
            s.clearSecrets();
        }
    }

    @Test
    void signsWithTheKeyVersionAndReturnsDer() throws Exception {
        try (AzureKeyVaultBackend backend = open()) {
            KeyInfo key = backend.key(new KeyRef("kv", "alice"));
            assertEquals("alice/" + VERSION, key.ref().keyId());
            assertEquals(ec.getPublic(), key.publicKey());
            byte[] digest = MessageDigest.getInstance("SHA-256").digest("hello".getBytes(StandardCharsets.UTF_8));
            List<byte[]> sigs = backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA256, List.of(digest, digest),
                    dev.sigil.api.backend.CallContext.of("r1", java.time.Duration.ofSeconds(5)));
            for (byte[] der : sigs) {
                Signature v = Signature.getInstance("SHA256withECDSA");
                v.initVerify(ec.getPublic());
                v.update("hello".getBytes(StandardCharsets.UTF_8));
                assertTrue(v.verify(der));
            }
            // One GET of the key, then one POST per signature (after the one challenge round trip).
            assertEquals(1, requests.stream().filter(r -> r.startsWith("GET") && r.endsWith("(token)")).count(), requests.toString());
            assertEquals(2, requests.stream().filter(r -> r.startsWith("POST") && r.endsWith("(token)")).count(), requests.toString());
        }
    }

    @Test
    void throttlingIsRetriedThenSucceeds() throws Exception {
        try (AzureKeyVaultBackend backend = open()) {
            KeyRef ref = new KeyRef("kv", "alice/" + VERSION);
            throttleNext.set(2);
            byte[] digest = new byte[32];
            byte[] der = backend.sign(ref, SignatureAlgorithm.ECDSA_SHA256, digest);
            assertTrue(der.length > 64 && der[0] == 0x30, Arrays.toString(der));
            assertEquals(3, requests.stream().filter(r -> r.startsWith("POST") && r.endsWith("(token)")).count(), requests.toString());
        }
    }

    @Test
    void anUnknownKeyIsKeyNotFound() throws Exception {
        try (AzureKeyVaultBackend backend = open()) {
            SigilException e = assertThrows(SigilException.class, () -> backend.key(new KeyRef("kv", "bob")));
            assertEquals(ErrorCode.KEY_NOT_FOUND, e.code());
            assertEquals(ErrorCode.KEY_NOT_FOUND, assertThrows(SigilException.class,
                    () -> backend.key(new KeyRef("other", "alice"))).code());
        }
    }
}
