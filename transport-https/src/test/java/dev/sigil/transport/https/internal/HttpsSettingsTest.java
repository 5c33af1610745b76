package dev.sigil.transport.https.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpsSettingsTest {
    @TempDir
    Path dir;
    Map<String, Object> values;

    @BeforeEach
    void valid() throws Exception {
        Path ks = Files.writeString(dir.resolve("server.p12"), "x");
        values = new HashMap<>(Map.of("tls.keystore.path", ks.toString(), "tls.keystore.password.env", "PW"));
    }

    private String failure() {
        SigilException e = assertThrows(SigilException.class,
                () -> HttpsSettings.from(Configs.of(HttpsConfig.class, values), Map.of("PW", "x")::get));
        assertEquals(ErrorCode.CONFIGURATION, e.code());
        return e.getMessage();
    }

    @Test
    void defaultsAreSafe() throws Exception {
        HttpsSettings s = HttpsSettings.from(Configs.of(HttpsConfig.class, values), Map.of("PW", "x")::get);
        assertEquals("127.0.0.1", s.host());
        assertEquals(8443, s.port());
        assertEquals(1_048_576, s.maxBodyBytes());
        assertEquals("PW", s.keystorePassword().env());
        assertEquals(new HttpsSettings.ClientLimitSettings(10_000, 1024, 16, 32), s.limits());
        assertEquals(null, s.admin(), "no token file, no admin API");
    }

    @Test
    void theAdminApiListensOnALoopbackAddressOnly() throws Exception {
        values.put("admin.token.file", dir.resolve("admin.token").toString());
        HttpsSettings s = HttpsSettings.from(Configs.of(HttpsConfig.class, values), Map.of("PW", "x")::get);
        assertEquals("127.0.0.1", s.admin().host());
        assertEquals(0, s.admin().port());
        for (String ok : java.util.List.of("::1", "localhost", "127.0.0.5")) {
            values.put("admin.host", ok);
            assertEquals(ok, HttpsSettings.from(Configs.of(HttpsConfig.class, values), Map.of("PW", "x")::get)
                    .admin().host());
        }
        for (String bad : java.util.List.of("0.0.0.0", "192.0.2.7", "admin.example.com", "")) {
            values.put("admin.host", bad);
            assertEquals("transport-https: admin.host must be a loopback address such as 127.0.0.1, not " + bad,
                    failure());
        }
    }

    @Test
    void slowClientLimitsAreChecked() {
        values.put("body.timeout.ms", 100);
        assertEquals("transport-https: body.timeout.ms must be between 1000 and 300000, not 100", failure());
        values.put("body.timeout.ms", 5000);
        values.put("min.request.data.rate", -1);
        assertEquals("transport-https: min.request.data.rate must not be negative", failure());
        values.put("min.request.data.rate", 0);
        values.put("max.requests.per.client", 0);
        assertEquals("transport-https: max.requests.per.client must be at least 1", failure());
    }

    @Test
    void aMissingKeystoreIsNamed() {
        values.put("tls.keystore.path", dir.resolve("absent.p12").toString());
        assertEquals("transport-https: tls.keystore.path " + dir.resolve("absent.p12")
                + " does not exist or is not readable", failure());
    }

    @Test
    void thePasswordMustComeFromExactlyOneSource() {
        values.remove("tls.keystore.password.env");
        assertEquals("transport-https: set exactly one of tls.keystore.password.env and tls.keystore.password.file",
                failure());
    }

    @Test
    void portAndLimitsAreChecked() {
        values.put("port", 70000);
        assertEquals("transport-https: port must be between 0 and 65535, not 70000", failure());
        values.put("port", 8443);
        values.put("max.body.bytes", 10);
        assertEquals("transport-https: max.body.bytes must be between 1024 and 67108864, not 10", failure());
    }

    @Test
    void theRegionMustBeACountryCode() {
        values.put("service.region", "Germany");
        assertEquals("transport-https: service.region must be an ISO 3166-1 alpha-2 code such as DE, not Germany",
                failure());
    }
}
