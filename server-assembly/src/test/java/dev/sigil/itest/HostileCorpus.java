package dev.sigil.itest;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The hostile-input corpus: named requests, each with the answer {@code docs/protocol.md} documents
 * for it. Built against a running server (the demo account's token and password); the bodies that
 * pass the transport's checks are chosen so that core refuses them before any secret is checked (no
 * PIN or password failure is counted, no lockout is reached).
 */
final class HostileCorpus {
    static final String SHA256 = "2.16.840.1.101.3.4.2.1";
    static final String RSA_SHA256 = "1.2.840.113549.1.1.11";
    static final String RSASSA_PSS = "1.2.840.113549.1.1.10";
    static final String SHA256_B64 = Base64.getEncoder().encodeToString(new byte[32]);
    /** A status meaning: an HTTP/2 stream reset or GOAWAY with PROTOCOL_ERROR, or a 400 answer. */
    static final int RESET = -1;

    /**
     * One request and its documented answer.
     *
     * @param name   what the case is, unique
     * @param send   sends it and returns the answer
     * @param status the documented status ({@link #RESET} for an HTTP/2 protocol error)
     * @param error  the documented {@code error}, or null for any (Jetty's own refusals)
     */
    record Case(String name, Callable<RawTls.Answer> send, int status, String error) {
    }

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final HttpClient h2;
    private final HttpClient h1;
    private final RawTls raw;
    private final String base;
    private final String token;
    private final String basicDemo;
    private final List<Case> cases = new ArrayList<>();

    HostileCorpus(HttpClient h2, HttpClient h1, RawTls raw, String base, String token, String userColonPassword) {
        this.h2 = h2;
        this.h1 = h1;
        this.raw = raw;
        this.base = base;
        this.token = token;
        this.basicDemo = basic(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    private static String basic(byte[] userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword);
    }

    /** The whole table. */
    List<Case> cases() throws Exception {
        for (String v : List.of("v2", "v1")) {
            wrongTypes(v);
            identifiers(v);
        }
        malformedJson();
        numbersAndArrays();
        digestsOidsAndBase64();
        encodings();
        contentTypes();
        authorization();
        methodsAndPaths();
        http1Smuggling();
        http2PseudoHeaders();
        return cases;
    }

    // ---- building blocks ----

    private void add(String name, Callable<RawTls.Answer> send, int status, String error) {
        cases.add(new Case(name, send, status, error));
    }

    /** A POST over HTTP/2 with the demo's token unless another Authorization is given (null: none). */
    private Callable<RawTls.Answer> post(String path, String contentType, byte[] body, String authorization) {
        return () -> send(h2, "POST", path, contentType, body, authorization);
    }

    private Callable<RawTls.Answer> postJson(String path, String json) {
        return post(path, "application/json", json.getBytes(StandardCharsets.UTF_8), "Bearer " + token);
    }

    private Callable<RawTls.Answer> postJson(String path, byte[] json) {
        return post(path, "application/json", json, "Bearer " + token);
    }

    private static RawTls.Answer send(HttpClient client, String method, String path, String contentType, byte[] body,
                                      String authorization) throws Exception {
        return send(client, method, URI.create(path), contentType, body, authorization);
    }

    private static RawTls.Answer send(HttpClient client, String method, URI uri, String contentType, byte[] body,
                                      String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(java.time.Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Map<String, String> headers = new LinkedHashMap<>();
        r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
        return new RawTls.Answer(r.statusCode(), headers, r.body(), "response");
    }

    private String url(String path) {
        return base + path;
    }

    /** The base body of each endpoint: well formed, refused by core before any secret is checked. */
    private ObjectNode baseBody(String v, String method) {
        boolean v2 = v.equals("v2");
        ObjectNode o = F.objectNode();
        switch (method) {
            case "credentials/info" -> o.put("credentialID", "demo");
            case "credentials/authorize" -> {
                o.put("credentialID", "demo").put("numSignatures", 1).put("PIN", "123456");
                o.putArray(v2 ? "hashes" : "hash").add(SHA256_B64);
                o.put(v2 ? "hashAlgorithmOID" : "hashAlgo", SHA256);
                // no OTP: core refuses "Missing parameter OTP" before checking the PIN
            }
            case "credentials/extendTransaction" -> o.put("credentialID", "demo").put("SAD", "bogus-sad");
            case "signatures/signHash" -> {
                o.put("credentialID", "demo").put("SAD", "bogus-sad").put("signAlgo", RSA_SHA256);
                o.putArray(v2 ? "hashes" : "hash").add(SHA256_B64);
                o.put(v2 ? "hashAlgorithmOID" : "hashAlgo", SHA256);
            }
            default -> {
                // info, auth/login, auth/revoke, credentials/list: no required field
            }
        }
        return o;
    }

    private enum Kind { STRING, OPTIONAL_STRING, INT, OPTIONAL_INT, BOOLEAN, HASHES, AUTH_DATA }

    private static List<JsonNode> wrongValues(Kind kind) {
        List<JsonNode> structures = List.of(F.arrayNode(), F.objectNode(), F.objectNode().put("a", 1));
        List<JsonNode> out = new ArrayList<>();
        switch (kind) {
            case STRING, OPTIONAL_STRING -> {
                out.addAll(List.of(F.numberNode(1), F.numberNode(-1), F.numberNode(1.5), F.booleanNode(true),
                        F.arrayNode().add("demo")));
                out.addAll(structures);
                if (kind == Kind.STRING) {
                    out.add(F.nullNode());
                    out.add(F.textNode(""));
                }
            }
            case INT, OPTIONAL_INT -> {
                out.addAll(List.of(F.textNode("1"), F.numberNode(1.5), F.numberNode(1.0), F.booleanNode(true),
                        F.numberNode(-1), F.numberNode(0), F.numberNode(2147483648L),
                        F.numberNode(new java.math.BigInteger("123456789012345678901234567890")),
                        F.numberNode(Integer.MIN_VALUE)));
                out.addAll(structures);
                if (kind == Kind.INT) {
                    out.add(F.nullNode());
                }
            }
            case BOOLEAN -> {
                out.addAll(List.of(F.textNode("true"), F.numberNode(1), F.numberNode(0), F.textNode("yes")));
                out.addAll(structures);
            }
            case HASHES -> {
                out.addAll(List.of(F.textNode(SHA256_B64), F.numberNode(1), F.nullNode(), F.booleanNode(true)));
                out.addAll(structures);
                out.addAll(List.of(F.arrayNode().add(1), F.arrayNode().addNull(), F.arrayNode().add(F.arrayNode()),
                        F.arrayNode().add(F.objectNode()), F.arrayNode().add("!!!"), F.arrayNode().add(true)));
            }
            case AUTH_DATA -> {
                out.addAll(List.of(F.textNode("PIN"), F.numberNode(1), F.booleanNode(true), F.objectNode(),
                        F.arrayNode().add(1), F.arrayNode().add("PIN"), F.arrayNode().add(F.arrayNode()),
                        F.arrayNode().add(F.objectNode().put("id", 1).put("value", "x")),
                        F.arrayNode().add(F.objectNode().put("id", "PIN")),
                        F.arrayNode().add(F.objectNode().put("id", "OTP").put("value", 123456))));
            }
            default -> throw new IllegalArgumentException(kind.toString());
        }
        return out;
    }

    /** The fields each endpoint reads, with their kinds, in the dialect's names. */
    private static Map<String, Map<String, Kind>> fields(String v) {
        boolean v2 = v.equals("v2");
        Map<String, Map<String, Kind>> m = new LinkedHashMap<>();
        m.put("info", Map.of("lang", Kind.OPTIONAL_STRING));
        m.put("auth/login", Map.of("rememberMe", Kind.BOOLEAN));
        m.put("auth/revoke", Map.of("token", Kind.OPTIONAL_STRING, "token_type_hint", Kind.OPTIONAL_STRING));
        Map<String, Kind> list = new LinkedHashMap<>(Map.of("userID", Kind.OPTIONAL_STRING,
                "pageToken", Kind.OPTIONAL_STRING, "maxResults", Kind.OPTIONAL_INT,
                "certificates", Kind.OPTIONAL_STRING, "certInfo", Kind.BOOLEAN));
        if (v2) {
            list.put("credentialInfo", Kind.BOOLEAN);
        }
        m.put("credentials/list", list);
        m.put("credentials/info", Map.of("credentialID", Kind.STRING, "certificates", Kind.OPTIONAL_STRING,
                "certInfo", Kind.BOOLEAN));
        Map<String, Kind> authorize = new LinkedHashMap<>(Map.of("credentialID", Kind.STRING,
                "numSignatures", Kind.INT, v2 ? "hashes" : "hash", Kind.HASHES,
                v2 ? "hashAlgorithmOID" : "hashAlgo", v2 ? Kind.STRING : Kind.OPTIONAL_STRING,
                "PIN", Kind.OPTIONAL_STRING, "OTP", Kind.OPTIONAL_STRING));
        if (v2) {
            authorize.put("authData", Kind.AUTH_DATA);
        }
        m.put("credentials/authorize", authorize);
        m.put("credentials/extendTransaction", Map.of("credentialID", Kind.STRING, "SAD", Kind.STRING));
        m.put("signatures/signHash", Map.of("credentialID", Kind.STRING, "SAD", Kind.STRING,
                v2 ? "hashes" : "hash", Kind.HASHES, v2 ? "hashAlgorithmOID" : "hashAlgo", Kind.OPTIONAL_STRING,
                "signAlgo", Kind.STRING, "signAlgoParams", Kind.OPTIONAL_STRING));
        return m;
    }

    /** Every field of every endpoint with every wrong type: 400 invalid_request. */
    private void wrongTypes(String v) {
        fields(v).forEach((method, fields) -> fields.forEach((field, kind) -> {
            for (JsonNode value : wrongValues(kind)) {
                ObjectNode body = baseBody(v, method).set(field, value);
                String name = v + " " + method + " " + field + "=" + value;
                String authorization = method.equals("auth/login") ? basicDemo : "Bearer " + token;
                byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
                add(name, post(url("csc/" + v + "/" + method), "application/json", bytes, authorization),
                        400, "invalid_request");
            }
        }));
    }

    /** Identifiers beyond the database columns or outside the identifier alphabet (finding 9). */
    private void identifiers(String v) {
        List<String> bad = List.of("d".repeat(65), "d".repeat(100_000), "de\u0000mo", "demo\ud800", "demo ",
                "../demo", "dém", "demo\n", "\u202edemo");
        for (String method : List.of("credentials/info", "credentials/authorize", "credentials/extendTransaction",
                "signatures/signHash")) {
            for (int i = 0; i < bad.size(); i++) {
                ObjectNode body = baseBody(v, method).put("credentialID", bad.get(i));
                add(v + " " + method + " credentialID #" + i + " (" + Math.min(bad.get(i).length(), 100_000) + " chars)",
                        postJson(url("csc/" + v + "/" + method), body.toString()), 400, "invalid_request");
            }
        }
        for (String sad : List.of("s".repeat(257), "s".repeat(200_000), "bogus\u0000sad", "bogus sad")) {
            for (String method : List.of("credentials/extendTransaction", "signatures/signHash")) {
                add(v + " " + method + " SAD of " + sad.length() + " chars" + (sad.contains(" ") ? " with a space" : "")
                                + (sad.contains("\u0000") ? " with NUL" : ""),
                        postJson(url("csc/" + v + "/" + method), baseBody(v, method).put("SAD", sad).toString()),
                        400, "invalid_request");
            }
        }
        for (String user : List.of("u".repeat(65), "demo\u0000", "de mo")) {
            add(v + " credentials/list userID of " + user.length() + " chars " + user.hashCode(),
                    postJson(url("csc/" + v + "/credentials/list"), F.objectNode().put("userID", user).toString()),
                    400, "invalid_request");
        }
    }

    private void malformedJson() {
        String info = url("csc/v2/credentials/info");
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("truncated object", "{\"credentialID\":");
        bodies.put("only an open brace", "{");
        bodies.put("a JSON array", "[\"demo\"]");
        bodies.put("a JSON string", "\"demo\"");
        bodies.put("a JSON number", "42");
        bodies.put("JSON null", "null");
        bodies.put("trailing data", "{\"credentialID\":\"demo\"} {}");
        bodies.put("trailing comma", "{\"credentialID\":\"demo\",}");
        bodies.put("single quotes", "{'credentialID':'demo'}");
        bodies.put("unquoted key", "{credentialID:\"demo\"}");
        bodies.put("a comment", "{/* x */\"credentialID\":\"demo\"}");
        bodies.put("NaN", "{\"credentialID\":\"demo\",\"certInfo\":NaN}");
        bodies.put("leading zero", "{\"maxResults\":01}");
        bodies.put("unterminated string", "{\"credentialID\":\"demo}");
        bodies.put("bad escape", "{\"credentialID\":\"\\x41\"}");
        bodies.put("bad unicode escape", "{\"credentialID\":\"\\u12G4\"}");
        bodies.put("duplicate key", "{\"credentialID\":\"demo\",\"credentialID\":\"demo-ec\"}");
        bodies.put("duplicate nested key", "{\"credentialID\":\"demo\",\"x\":{\"a\":1,\"a\":2}}");
        bodies.put("duplicate key differing in escapes", "{\"credentialID\":\"demo\",\"credential\\u0049D\":\"x\"}");
        bodies.put("nesting 33 deep", "{\"x\":" + "[".repeat(32) + "]".repeat(32) + "}");
        bodies.put("nesting 100000 deep", "[".repeat(100_000));
        bodies.put("object nesting 5000 deep", "{\"a\":".repeat(5000) + "1" + "}".repeat(5000));
        bodies.put("number of 1000 digits", "{\"maxResults\":" + "9".repeat(1000) + "}");
        bodies.put("exponent 1e999999999", "{\"maxResults\":1e999999999}");
        bodies.put("whitespace only", "   \n\t ");
        bodies.put("a BOM then JSON", "\ufeff{\"credentialID\":\"demo\"}");
        bodies.put("raw control character in a string", "{\"credentialID\":\"de\u0001mo\"}");
        for (Map.Entry<String, String> e : bodies.entrySet()) {
            int status = e.getKey().equals("whitespace only") ? 400 : 400;
            add("malformed JSON: " + e.getKey(), postJson(info, e.getValue()), status, "invalid_request");
        }
        add("malformed JSON: 2 MiB body", postJson(info, "{\"x\":\"" + "a".repeat(2 << 20) + "\"}"), 413,
                "invalid_request");
        add("malformed JSON: 900 KiB string as credentialID",
                postJson(info, "{\"credentialID\":\"" + "a".repeat(900 << 10) + "\"}"), 400, "invalid_request");
    }

    private void numbersAndArrays() {
        String authorize = url("csc/v2/credentials/authorize");
        ObjectNode b = baseBody("v2", "credentials/authorize");
        add("numSignatures 1001", postJson(authorize, b.deepCopy().put("numSignatures", 1001).toString()), 400,
                "invalid_request");
        add("numSignatures -2147483648", postJson(authorize, b.deepCopy().put("numSignatures", Integer.MIN_VALUE)
                .toString()), 400, "invalid_request");
        add("numSignatures 9223372036854775807", postJson(authorize, b.deepCopy().put("numSignatures", Long.MAX_VALUE)
                .toString()), 400, "invalid_request");
        add("numSignatures -0", postJson(authorize, b.toString().replace("\"numSignatures\":1", "\"numSignatures\":-0")),
                400, "invalid_request");
        add("numSignatures 1e0", postJson(authorize, b.toString().replace("\"numSignatures\":1", "\"numSignatures\":1e0")),
                400, "invalid_request");
        add("numSignatures 2 with one hash", postJson(authorize, b.deepCopy().put("numSignatures", 2).toString()), 400,
                "invalid_request");
        add("empty hashes array", postJson(authorize, b.deepCopy().set("hashes", F.arrayNode()).toString()), 400,
                "invalid_request");
        ArrayNode many = F.arrayNode();
        for (int i = 0; i < 1001; i++) {
            many.add(SHA256_B64);
        }
        add("1001 hashes", postJson(authorize, b.deepCopy().put("numSignatures", 1000).set("hashes", many).toString()),
                400, "invalid_request");
        ArrayNode thousand = F.arrayNode();
        for (int i = 0; i < 1000; i++) {
            byte[] h = new byte[32];
            h[0] = (byte) i;
            h[1] = (byte) (i >> 8);
            thousand.add(Base64.getEncoder().encodeToString(h));
        }
        add("1000 distinct hashes beyond multisign", postJson(authorize,
                b.deepCopy().put("numSignatures", 1000).set("hashes", thousand).toString()), 400, "invalid_request");
        add("the same hash twice", postJson(authorize, b.deepCopy().put("numSignatures", 2)
                .set("hashes", F.arrayNode().add(SHA256_B64).add(SHA256_B64)).toString()), 400, "invalid_request");
        String list = url("csc/v2/credentials/list");
        add("maxResults 0", postJson(list, "{\"maxResults\":0}"), 400, "invalid_request");
        add("maxResults 10001", postJson(list, "{\"maxResults\":10001}"), 400, "invalid_request");
        add("maxResults -9223372036854775808", postJson(list, "{\"maxResults\":-9223372036854775808}"), 400,
                "invalid_request");
        add("authData with 1000 entries", postJson(authorize, without(b, "PIN").set("authData",
                authData(1000)).toString()), 400, "invalid_request");
        add("authData empty", postJson(authorize, b.deepCopy().set("authData", F.arrayNode()).toString()), 400,
                "invalid_request");
    }

    private static ObjectNode without(ObjectNode o, String field) {
        ObjectNode copy = o.deepCopy();
        copy.remove(field);
        return copy;
    }

    private static ArrayNode authData(int n) {
        ArrayNode a = F.arrayNode();
        for (int i = 0; i < n; i++) {
            a.addObject().put("id", "X" + i).put("value", "v");
        }
        return a;
    }

    private void digestsOidsAndBase64() throws Exception {
        String authorize = url("csc/v2/credentials/authorize");
        String sign = url("csc/v2/signatures/signHash");
        ObjectNode a = baseBody("v2", "credentials/authorize");
        ObjectNode s = baseBody("v2", "signatures/signHash");
        for (int len : new int[] {0, 1, 20, 31, 33, 48, 64, 65, 1024}) {
            String h = Base64.getEncoder().encodeToString(new byte[len]);
            add("authorize SHA-256 digest of " + len + " bytes", postJson(authorize,
                    a.deepCopy().set("hashes", F.arrayNode().add(h)).toString()), 400, "invalid_request");
            add("signHash SHA-256 digest of " + len + " bytes", postJson(sign,
                    s.deepCopy().set("hashes", F.arrayNode().add(h)).toString()), 400, "invalid_request");
        }
        add("v1 authorize without hashAlgo, a 20-byte digest", postJson(url("csc/v1/credentials/authorize"),
                without(baseBody("v1", "credentials/authorize"), "hashAlgo")
                        .set("hash", F.arrayNode().add(Base64.getEncoder().encodeToString(new byte[20]))).toString()),
                400, "invalid_request");
        for (String oid : List.of("1.2.3.4", "", "not an OID", SHA256 + ".0", "2.16.840.1.101.3.4.2.99",
                "1.3.14.3.2.26", "9".repeat(200), " " + SHA256, SHA256 + "\u0000")) {
            add("authorize hashAlgorithmOID '" + abbreviate(oid) + "'", postJson(authorize,
                    a.deepCopy().put("hashAlgorithmOID", oid).toString()), 400, "invalid_request");
            add("signHash signAlgo '" + abbreviate(oid) + "'", postJson(sign, s.deepCopy().put("signAlgo", oid)
                    .toString()), 400, "invalid_request");
        }
        add("signHash rsaEncryption without a hash algorithm", postJson(sign, without(s, "hashAlgorithmOID")
                .put("signAlgo", "1.2.840.113549.1.1.1").toString()), 400, "invalid_request");
        for (Map.Entry<String, String> p : pssParams().entrySet()) {
            add("signHash RSASSA-PSS with " + p.getKey(), postJson(sign, s.deepCopy().put("signAlgo", RSASSA_PSS)
                    .put("signAlgoParams", p.getValue()).toString()), 400, "invalid_request");
        }
        for (String b64 : List.of("!!!!", "a", "ab=", "a===", "AAAA====", "AA AA", "AA\nAA", "AA+_", "%%%%",
                "\u00ff\u00ff\u00ff\u00ff", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=A", "=AAA")) {
            add("authorize hash base64 '" + b64.replace("\n", "\\n") + "'", postJson(authorize,
                    a.deepCopy().set("hashes", F.arrayNode().add(b64)).toString()), 400, "invalid_request");
        }
        byte[] thirtyTwo = new byte[32];
        thirtyTwo[0] = (byte) 0xfb;
        thirtyTwo[1] = (byte) 0xff;
        add("authorize hash in base64url (accepted, then no OTP)", postJson(authorize, a.deepCopy().set("hashes",
                F.arrayNode().add(Base64.getUrlEncoder().withoutPadding().encodeToString(thirtyTwo))).toString()),
                400, "invalid_request");
        add("signHash hash base64 of 2000 characters", postJson(sign, s.deepCopy().set("hashes",
                F.arrayNode().add("A".repeat(2000))).toString()), 400, "invalid_request");
    }

    private static Map<String, String> pssParams() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("params of bad base64", "***");
        m.put("params that are not DER", Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8)));
        m.put("params of an empty SEQUENCE", Base64.getEncoder().encodeToString(new byte[] {0x30, 0x00}));
        m.put("params of a truncated SEQUENCE", Base64.getEncoder().encodeToString(new byte[] {0x30, 0x7f, 0x01}));
        m.put("params with a length over 2^31", Base64.getEncoder().encodeToString(
                new byte[] {0x30, (byte) 0x84, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}));
        AlgorithmParameters p = AlgorithmParameters.getInstance("RSASSA-PSS");
        p.init(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 20, 1));
        m.put("a salt of 20 bytes", Base64.getEncoder().encodeToString(p.getEncoded()));
        p = AlgorithmParameters.getInstance("RSASSA-PSS");
        p.init(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA1, 32, 1));
        m.put("MGF1 over SHA-1", Base64.getEncoder().encodeToString(p.getEncoded()));
        p = AlgorithmParameters.getInstance("RSASSA-PSS");
        p.init(new PSSParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1, 20, 1));
        m.put("SHA-1", Base64.getEncoder().encodeToString(p.getEncoded()));
        return m;
    }

    private static String abbreviate(String s) {
        String t = s.replace("\u0000", "\\0");
        return t.length() <= 24 ? t : t.substring(0, 24) + "...(" + t.length() + ")";
    }

    /** NUL bytes and byte sequences that are not UTF-8, inside JSON strings and around them. */
    private void encodings() {
        String info = url("csc/v2/credentials/info");
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        bodies.put("a raw NUL byte in a string", utf8("{\"credentialID\":\"de\u0000mo\"}"));
        bodies.put("a NUL byte after the object", concat(utf8("{\"credentialID\":\"demo\"}"), new byte[] {0}));
        bodies.put("a NUL byte before the object", concat(new byte[] {0}, utf8("{}")));
        bodies.put("the byte 0xFF in a string", concat(utf8("{\"credentialID\":\"de"), new byte[] {(byte) 0xff},
                utf8("mo\"}")));
        bodies.put("a truncated two-byte sequence", concat(utf8("{\"credentialID\":\"de"), new byte[] {(byte) 0xc3},
                utf8("\"}")));
        bodies.put("an overlong '/' (C0 AF)", concat(utf8("{\"credentialID\":\"de"), new byte[] {(byte) 0xc0,
                (byte) 0xaf}, utf8("mo\"}")));
        bodies.put("an overlong NUL (C0 80)", concat(utf8("{\"credentialID\":\"de"), new byte[] {(byte) 0xc0,
                (byte) 0x80}, utf8("mo\"}")));
        bodies.put("a UTF-8 encoded surrogate (ED A0 80)", concat(utf8("{\"credentialID\":\"de"),
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, utf8("mo\"}")));
        bodies.put("a code point above U+10FFFF (F4 90 80 80)", concat(utf8("{\"credentialID\":\"de"),
                new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, utf8("mo\"}")));
        bodies.put("a key that is not UTF-8", concat(utf8("{\"credential"), new byte[] {(byte) 0xfe},
                utf8("\":\"demo\"}")));
        bodies.put("UTF-16 with a BOM", concat(new byte[] {(byte) 0xfe, (byte) 0xff},
                "{\"credentialID\":\"demo\"}".getBytes(StandardCharsets.UTF_16BE)));
        bodies.put("UTF-16LE without a BOM", "{\"credentialID\":\"demo\"}".getBytes(StandardCharsets.UTF_16LE));
        bodies.put("UTF-32BE", utf32("{\"credentialID\":\"demo\"}"));
        bodies.put("an escaped lone low surrogate", utf8("{\"credentialID\":\"\\udc00demo\"}"));
        for (Map.Entry<String, byte[]> e : bodies.entrySet()) {
            add("encoding: " + e.getKey(), postJson(info, e.getValue()), 400, "invalid_request");
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] utf32(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.codePoints().forEach(c -> out.writeBytes(new byte[] {0, 0, (byte) (c >> 8), (byte) c}));
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private void contentTypes() {
        byte[] body = utf8("{\"credentialID\":\"demo\"}");
        String info = url("csc/v2/credentials/info");
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/json; charset=iso-8859-1", "application/json; charset=utf-16", "application/jsonx",
                "application/json-patch+json", "json", "*/*", "application/*", "text/json", "application/xml",
                "application/json; charset=utf-7")) {
            add("content type '" + type + "'", post(info, type, body, "Bearer " + token), 415, "invalid_request");
        }
        add("no content type with a body", post(info, null, body, "Bearer " + token), 415, "invalid_request");
        add("a form body on authorize", post(url("csc/v2/credentials/authorize"), "application/x-www-form-urlencoded",
                utf8("credentialID=demo&numSignatures=1"), "Bearer " + token), 415, "invalid_request");
    }

    private void authorization() {
        String list = url("csc/v2/credentials/list");
        String login = url("csc/v2/auth/login");
        Map<String, String> bearers = new LinkedHashMap<>();
        bearers.put("no Authorization", null);
        bearers.put("an empty Authorization", "");
        bearers.put("Bearer without a token", "Bearer");
        bearers.put("Bearer and spaces", "Bearer    ");
        bearers.put("an unknown token", "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        bearers.put("a token of 4000 characters", "Bearer " + "A".repeat(4000));
        bearers.put("a token with a space", "Bearer " + token + " x");
        bearers.put("Basic on a Bearer endpoint", basicDemo);
        bearers.put("Digest", "Digest username=\"demo\"");
        bearers.put("Token scheme", "Token " + token);
        bearers.put("Bearer with a comma list", "Bearer " + token + ", Bearer x");
        bearers.put("Bearer with Latin-1 characters", "Bearer \u00e9\u00e9\u00e9");
        for (Map.Entry<String, String> e : bearers.entrySet()) {
            String error = e.getKey().startsWith("no ") || e.getKey().contains("empty") || e.getKey().contains("without")
                    || e.getKey().contains("spaces") || e.getKey().startsWith("Basic") || e.getKey().startsWith("Digest")
                    || e.getKey().startsWith("Token") ? null : "invalid_token";
            add("authorization: " + e.getKey(), post(list, "application/json", utf8("{}"), e.getValue()), 401, error);
            add("authorization v1 signHash: " + e.getKey(), post(url("csc/v1/signatures/signHash"), "application/json",
                    utf8(baseBody("v1", "signatures/signHash").toString()), e.getValue()), 401, error);
        }
        Map<String, String> logins = new LinkedHashMap<>();
        logins.put("no Authorization", null);
        logins.put("Basic without credentials", "Basic");
        logins.put("Bearer on login", "Bearer " + token);
        logins.put("Basic of bad base64", "Basic !!!!");
        logins.put("Basic without a colon", basic(utf8("demo")));
        logins.put("Basic with an empty user", basic(utf8(":password")));
        logins.put("Basic with a user of 65 characters", basic(utf8("u".repeat(65) + ":password")));
        logins.put("Basic with a user of 5000 characters", basic(utf8("u".repeat(5000) + ":password")));
        logins.put("Basic with a NUL in the user", basic(utf8("de\u0000mo:password")));
        logins.put("Basic with a user that is not UTF-8", basic(concat(new byte[] {(byte) 0xff, (byte) 0xfe},
                utf8(":password"))));
        logins.put("Basic with a password of 2000 characters", basic(utf8("nobody:" + "p".repeat(2000))));
        logins.put("Basic with a newline in the user", basic(utf8("de\nmo:password")));
        for (Map.Entry<String, String> e : logins.entrySet()) {
            int status = e.getKey().equals("no Authorization") || e.getKey().equals("Basic without credentials")
                    || e.getKey().equals("Bearer on login") ? 401 : 400;
            add("login: " + e.getKey(), post(login, null, null, e.getValue()), status, "invalid_request");
        }
        add("login: an unknown user", post(login, null, null, basic(utf8("nobody:wrong-password"))), 400,
                "invalid_grant");
        add("revoke: a token in the body that is not the bearer's", postJson(url("csc/v2/auth/revoke"),
                "{\"token\":\"other\"}"), 400, "invalid_request");
        add("revoke: token_type_hint refresh_token", postJson(url("csc/v2/auth/revoke"),
                "{\"token_type_hint\":\"refresh_token\"}"), 400, "invalid_request");
        add("list: another user's userID", postJson(list, "{\"userID\":\"alice\"}"), 400, "invalid_request");
        add("list: a pageToken", postJson(list, "{\"pageToken\":\"x\"}"), 400, "invalid_request");
        add("list: certificates 'all'", postJson(list, "{\"certificates\":\"all\"}"), 400, "invalid_request");
    }

    private void methodsAndPaths() {
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")) {
            add(method + " on signHash", () -> send(h2, method, url("csc/v2/signatures/signHash"), "application/json",
                    utf8("{}"), "Bearer " + token), 405, "invalid_request");
        }
        add("DELETE on info", () -> send(h1, "DELETE", url("csc/v2/info"), null, null, null), 405, "invalid_request");
        Map<String, Integer> paths = new LinkedHashMap<>();
        paths.put("csc/v2/info/", 404);
        paths.put("csc/v3/info", 404);
        paths.put("CSC/V2/INFO", 404);
        paths.put("csc/v2/" + "a".repeat(5000), 404);
        paths.put("csc/v2/info%00", 400);
        paths.put("csc/v2/%2e%2e/v2/info", 400);
        paths.put("csc/v2/credentials/list%2f..", 400);
        paths.put("csc/v2/info%2F", 400);
        paths.put("csc/v2/%ff%fe", 400);
        paths.put("csc//v2/info", 400);
        // Dot segments, path parameters and escaped unreserved characters are normalized (RFC 3986)
        // before routing: these reach info itself.
        paths.put("csc/v2/credentials/../info", 200);
        paths.put("admin/../csc/v2/info", 200);
        paths.put("csc/v2/info;x=1", 200);
        paths.put("csc/v2/inf%6f", 200);
        // Sent as raw bytes: a client library would normalize or escape some of these paths.
        String head = "Host: " + URI.create(base).getAuthority() + "\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\n";
        paths.forEach((path, status) -> add("path /" + (path.length() > 40 ? path.substring(0, 40) + "..." : path),
                () -> raw.http1(("POST /" + path + " HTTP/1.1\r\n" + head + "Content-Length: 2\r\n\r\n{}")
                        .getBytes(StandardCharsets.ISO_8859_1)), status, null));
        add("path of 20000 characters", () -> raw.http1(("GET /csc/v2/" + "a".repeat(20_000) + " HTTP/1.1\r\n" + head
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1)), 414, "invalid_request");
        add("a 20 KB header", () -> raw.http1(("GET /csc/v2/info HTTP/1.1\r\n" + head + "X-Big: " + "a".repeat(20_000)
                + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)), 431, "invalid_request");
    }

    /** HTTP/1.1 request framing that proxies and servers disagree on (request smuggling). */
    private void http1Smuggling() {
        String host = "Host: " + URI.create(base).getAuthority() + "\r\n";
        String json = "Content-Type: application/json\r\n";
        Map<String, String> requests = new LinkedHashMap<>();
        requests.put("CL.TE: Content-Length and Transfer-Encoding chunked", "POST /csc/v2/info HTTP/1.1\r\n" + host
                + json + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG");
        requests.put("TE.CL: Transfer-Encoding chunked then Content-Length", "POST /csc/v2/info HTTP/1.1\r\n" + host
                + json + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST /csc/v2/info HTTP/1.1\r\n"
                + "Content-Length: 15\r\n\r\nx=1\r\n0\r\n\r\n");
        requests.put("two different Content-Lengths", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x");
        requests.put("a Content-Length list", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "Content-Length: 2, 3\r\n\r\n{}x");
        requests.put("a negative Content-Length", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "Content-Length: -2\r\n\r\n{}");
        requests.put("a Content-Length that is not a number", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "Content-Length: two\r\n\r\n{}");
        requests.put("a Content-Length with a plus sign", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "Content-Length: +2\r\n\r\n{}");
        requests.put("a Content-Length beyond 2^63", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "Content-Length: 99999999999999999999\r\n\r\n{}");
        requests.put("Transfer-Encoding xchunked", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "Transfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
        requests.put("Transfer-Encoding chunked, identity", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "Transfer-Encoding: chunked, identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
        requests.put("Transfer-Encoding with a space before the colon", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "Transfer-Encoding : chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
        requests.put("Transfer-Encoding folded onto a second line (obs-fold)", "POST /csc/v2/info HTTP/1.1\r\n" + host
                + json + "Transfer-Encoding:\r\n chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
        requests.put("an obs-fold header", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "X-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\n{}");
        requests.put("a chunk size that is not hex", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
        requests.put("a chunk size beyond 2^64", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "Transfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n{}\r\n0\r\n\r\n");
        requests.put("Transfer-Encoding on HTTP/1.0, then a smuggled request", "POST /csc/v2/info HTTP/1.0\r\n"
                + host + json + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\nPOST /csc/v2/nothing HTTP/1.1\r\n"
                + host + "Content-Length: 0\r\n\r\n");
        requests.put("no Host header", "POST /csc/v2/info HTTP/1.1\r\n" + json + "Content-Length: 2\r\n\r\n{}");
        requests.put("two Host headers", "POST /csc/v2/info HTTP/1.1\r\n" + host + "Host: evil.example\r\n" + json
                + "Content-Length: 2\r\n\r\n{}");
        requests.put("absolute-form naming another host", "POST https://evil.example/csc/v2/credentials/list HTTP/1.1\r\n"
                + host + json + "Content-Length: 2\r\n\r\n{}");
        requests.put("a space in the request target", "POST /csc/v2/info x HTTP/1.1\r\n" + host + json
                + "Content-Length: 2\r\n\r\n{}");
        requests.put("an unknown HTTP version", "POST /csc/v2/info HTTP/1.7\r\n" + host + json
                + "Content-Length: 2\r\n\r\n{}");
        requests.put("a NUL in a header value", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "X-Nul: a\u0000b\r\nContent-Length: 2\r\n\r\n{}");
        requests.put("a space in a header name", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "X Bad: 1\r\nContent-Length: 2\r\n\r\n{}");
        requests.put("a header without a colon", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "NoColon\r\nContent-Length: 2\r\n\r\n{}");
        requests.put("the HTTP/2 preface on HTTP/1.1", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        requests.put("an HTTP/0.9 request", "GET /csc/v2/info\r\n\r\n");
        requests.put("a Bearer token with a NUL", "POST /csc/v2/credentials/list HTTP/1.1\r\n" + host + json
                + "Authorization: Bearer a\u0000b\r\nContent-Length: 2\r\n\r\n{}");
        requests.put("a Content-Length and a smuggled admin request", "POST /csc/v2/info HTTP/1.1\r\n" + host + json
                + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin/v1/users HTTP/1.1\r\n"
                + host + "\r\n");
        requests.put("a lowercase method", "post /csc/v2/info HTTP/1.1\r\n" + host + json
                + "Content-Length: 2\r\n\r\n{}");
        for (Map.Entry<String, String> e : requests.entrySet()) {
            byte[] bytes = e.getValue().getBytes(StandardCharsets.ISO_8859_1);
            int status = e.getKey().equals("a lowercase method") ? 405
                    : e.getKey().startsWith("Transfer-Encoding on HTTP/1.0") ? 200
                    : e.getKey().startsWith("the HTTP/2 preface") ? 426 : 400;
            add("HTTP/1.1 " + e.getKey(), () -> raw.http1(bytes), status, null);
        }
    }

    /** HTTP/2 requests whose pseudo-headers break RFC 9113's rules: malformed, a stream error. */
    private void http2PseudoHeaders() {
        String authority = URI.create(base).getAuthority();
        byte[] body = utf8("{}");
        String[] method = h(":method", "POST");
        String[] scheme = h(":scheme", "https");
        String[] auth = h(":authority", authority);
        String[] info = h(":path", "/csc/v2/info");
        Map<String, List<String[]>> requests = new LinkedHashMap<>();
        requests.put("no :method", List.of(scheme, auth, info));
        requests.put("no :path", List.of(method, scheme, auth));
        requests.put("no :scheme", List.of(method, auth, info));
        requests.put("an empty :path", List.of(method, scheme, auth, h(":path", "")));
        requests.put("two :path", List.of(method, scheme, auth, info, h(":path", "/admin/v1/users")));
        requests.put("two :method", List.of(method, h(":method", "GET"), scheme, auth, info));
        requests.put("a pseudo-header after a regular one", List.of(method, scheme, h("content-type", "application/json"),
                auth, info));
        requests.put("an unknown pseudo-header", List.of(method, scheme, auth, info, h(":user", "demo")));
        requests.put("a response pseudo-header", List.of(method, scheme, auth, info, h(":status", "200")));
        requests.put("an uppercase header name", List.of(method, scheme, auth, info, h("Content-Type", "application/json")));
        requests.put("a Connection header", List.of(method, scheme, auth, info, h("connection", "keep-alive")));
        requests.put("a Transfer-Encoding header", List.of(method, scheme, auth, info, h("content-type", "application/json"),
                h("transfer-encoding", "chunked")));
        requests.put("TE other than trailers", List.of(method, scheme, auth, info, h("te", "gzip")));
        requests.put("a content-length that the DATA contradicts", List.of(method, scheme, auth, info,
                h("content-type", "application/json"), h("content-length", "100")));
        requests.put("a :path without a leading slash", List.of(method, scheme, auth, h(":path", "csc/v2/info")));
        requests.put("CONNECT with a :path", List.of(h(":method", "CONNECT"), scheme, auth, info));
        requests.put("a CR LF in a header value", List.of(method, scheme, auth, info, h("x-split", "a\r\nx-injected: b")));
        requests.put("a space in a header name", List.of(method, scheme, auth, info, h("x bad", "1")));
        requests.put("a NUL in a header value", List.of(method, scheme, auth, info, h("x-nul", "a\u0000b")));
        requests.put("a :path of *", List.of(method, scheme, auth, h(":path", "*")));
        requests.put("a :scheme of http over TLS", List.of(method, h(":scheme", "http"), auth,
                h(":path", "/csc/v2/credentials/list"), h("content-type", "application/json")));
        for (Map.Entry<String, List<String[]>> e : requests.entrySet()) {
            List<String[]> fields = e.getValue();
            boolean withBody = !e.getKey().contains("CONNECT");
            // Jetty lets these two through to the router, which answers them as any other request.
            int status = e.getKey().contains(":scheme of http") ? 401 : e.getKey().contains("CONNECT") ? 405 : RESET;
            add("HTTP/2 " + e.getKey(), () -> raw.http2(fields, withBody ? body : null), status, null);
        }
    }

    private static String[] h(String name, String value) {
        return new String[] {name, value};
    }
}
