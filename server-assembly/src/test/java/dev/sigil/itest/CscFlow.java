package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Properties;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The demo account, end to end over real TLS, as a CSC client does it: login, list, info,
 * authorize with the PIN and a TOTP code computed from the seed (RFC 6238), signHash for RSA
 * PKCS#1 v1.5, RSA-PSS and ECDSA; every signature verified against the certificate the server
 * returned, which chains to the development CA. (The v1 field names are exercised by pyHanko.)
 *
 * <p>It uses the TOTP codes of the current step and the next; a flow that ran before in the same
 * step must have used the previous step's code (each code is accepted once, in order).
 */
final class CscFlow {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final String base;
    private final Properties demo = new Properties();
    private final X509Certificate ca;
    private String token;

    CscFlow(HttpClient client, String base, Path data) throws Exception {
        this.client = client;
        this.base = base;
        Path account = data.resolve("demo-account.properties");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(account) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        try (Reader r = Files.newBufferedReader(account)) {
            demo.load(r);
        }
        try (var in = Files.newInputStream(data.resolve("ca/dev-ca.pem"))) {
            ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private JsonNode post(String path, ObjectNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    void run() throws Exception {
        String basic = Base64.getEncoder().encodeToString((demo.getProperty("user") + ":" + demo.getProperty("password"))
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create(base + "csc/v2/auth/login"))
                .header("Authorization", "Basic " + basic).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, login.statusCode(), login.body());
        token = JSON.readTree(login.body()).path("access_token").asText();

        JsonNode list = post("csc/v2/credentials/list", JSON.createObjectNode());
        assertEquals("[\"demo\",\"demo-ec\"]", list.path("credentialIDs").toString());

        long step = System.currentTimeMillis() / 1000 / 30;
        byte[] doc1 = "first document".getBytes(StandardCharsets.UTF_8);
        byte[] doc2 = "second document".getBytes(StandardCharsets.UTF_8);

        // RSA: one authorization for two hashes, signed with PKCS#1 v1.5 and with PSS.
        X509Certificate rsa = certificate("demo", "csc/v2/");
        byte[] h1 = MessageDigest.getInstance("SHA-256").digest(doc1);
        byte[] h2 = MessageDigest.getInstance("SHA-256").digest(doc2);
        String sad = authorizeV2("demo", List.of(h1, h2), totp(step));
        byte[] pkcs1 = signV2("demo", sad, h1, "1.2.840.113549.1.1.11", null);
        verify("SHA256withRSA", null, rsa, doc1, pkcs1);
        java.security.AlgorithmParameters pss = java.security.AlgorithmParameters.getInstance("RSASSA-PSS");
        PSSParameterSpec spec = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
        pss.init(spec);
        byte[] pssSig = signV2("demo", sad, h2, "1.2.840.113549.1.1.10", Base64.getEncoder().encodeToString(pss.getEncoded()));
        verify("RSASSA-PSS", spec, rsa, doc2, pssSig);

        // ECDSA on the EC credential; the signature is DER, as it goes into CMS.
        X509Certificate ec = certificate("demo-ec", "csc/v2/");
        byte[] h3 = MessageDigest.getInstance("SHA-256").digest(doc1);
        String ecSad = authorizeV2("demo-ec", List.of(h3), totp(step + 1));
        verify("SHA256withECDSA", null, ec, doc1, signV2("demo-ec", ecSad, h3, "1.2.840.10045.4.3.2", null));
    }

    private X509Certificate certificate(String credential, String prefix) throws Exception {
        JsonNode info = post(prefix + "credentials/info", JSON.createObjectNode().put("credentialID", credential)
                .put("certificates", "chain"));
        assertEquals("2", info.path("SCAL").asText());
        JsonNode certs = info.path("cert").path("certificates");
        assertEquals(2, certs.size(), "signer and CA");
        CertificateFactory f = CertificateFactory.getInstance("X.509");
        X509Certificate signer = (X509Certificate) f.generateCertificate(
                new ByteArrayInputStream(Base64.getDecoder().decode(certs.get(0).asText())));
        signer.verify(ca.getPublicKey());
        return signer;
    }

    private String authorizeV2(String credential, List<byte[]> hashes, String otp) throws Exception {
        String pin = credential.equals("demo") ? demo.getProperty("credential.1.pin") : demo.getProperty("credential.2.pin");
        ObjectNode body = JSON.createObjectNode().put("credentialID", credential).put("numSignatures", hashes.size())
                .put("hashAlgorithmOID", "2.16.840.1.101.3.4.2.1");
        hashes.forEach(h -> body.withArray("hashes").add(Base64.getEncoder().encodeToString(h)));
        body.putArray("authData").addObject().put("id", "PIN").put("value", pin);
        body.withArray("authData").addObject().put("id", "OTP").put("value", otp);
        JsonNode a = post("csc/v2/credentials/authorize", body);
        assertTrue(a.path("expiresIn").asInt() > 0);
        return a.path("SAD").asText();
    }

    private byte[] signV2(String credential, String sad, byte[] hash, String signAlgo, String params) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("credentialID", credential).put("SAD", sad)
                .put("hashAlgorithmOID", "2.16.840.1.101.3.4.2.1").put("signAlgo", signAlgo);
        if (params != null) {
            body.put("signAlgoParams", params);
        }
        body.putArray("hashes").add(Base64.getEncoder().encodeToString(hash));
        return Base64.getDecoder().decode(post("csc/v2/signatures/signHash", body).path("signatures").get(0).asText());
    }

    private static void verify(String algorithm, PSSParameterSpec spec, X509Certificate cert, byte[] doc, byte[] sig)
            throws Exception {
        Signature v = Signature.getInstance(algorithm);
        if (spec != null) {
            v.setParameter(spec);
        }
        v.initVerify(cert.getPublicKey());
        v.update(doc);
        assertTrue(v.verify(sig), algorithm + " signature does not verify against " + cert.getSubjectX500Principal());
    }

    private String totp(long step) throws Exception {
        return TestTotp.code(demo.getProperty("totp.seed"), step);
    }
}
