package dev.sigil.backend.aws.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.backend.testkit.LocalKms;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One-line configuration messages, without KMS. */
class AwsKmsSettingsTest {
    @TempDir
    Path dir;

    private static Map<String, Object> base() {
        return Fixtures.config("kms", URI.create("http://127.0.0.1:1"), "alias/sigil/");
    }

    private static String problem(Map<String, Object> props) {
        SigilException e = assertThrows(SigilException.class, () -> AwsKmsSettings.from(Fixtures.config(props),
                Fixtures::env));
        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(e.getMessage().contains(LocalKms.SECRET_ACCESS_KEY), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aGoodConfigurationReadsTheSecretsFromTheEnvironment() throws Exception {
        AwsKmsSettings s = AwsKmsSettings.from(Fixtures.config(base()), Fixtures::env);
        assertEquals(LocalKms.ACCESS_KEY_ID, s.accessKeyId());
        assertEquals(LocalKms.SECRET_ACCESS_KEY, new String(s.secretAccessKey()));
        assertFalse(s.toString().contains(LocalKms.SECRET_ACCESS_KEY));
        s.clearSecrets();
        assertEquals("\0".repeat(LocalKms.SECRET_ACCESS_KEY.length()), new String(s.secretAccessKey()));
    }

    @Test
    void byDefaultABatchOf16RunsAtOnceUnder64CallsOfTheInstance() throws Exception {
        AwsKmsSettings s = AwsKmsSettings.from(Fixtures.config(base()), Fixtures::env);
        assertEquals(64, s.maxConcurrentCalls());
        assertEquals(16, s.maxParallel());
        assertEquals(3, s.maxRetries());
    }

    @Test
    void eachMistakeIsOneLineNamingTheSetting() throws Exception {
        Map<String, Object> p = base();
        p.remove("region");
        assertEquals("backend-aws 'kms': region is required (e.g. eu-central-1)", problem(p));
        p = base();
        p.put("credentials.mode", "iam");
        assertTrue(problem(p).startsWith("backend-aws 'kms': credentials.mode 'iam' is not one of default, static"));
        p = base();
        p.remove("secret.access.key.env");
        assertEquals("backend-aws 'kms': set exactly one of secret.access.key.env and secret.access.key.file", problem(p));
        p = base();
        p.put("secret.access.key.env", "UNSET_VARIABLE");
        assertTrue(problem(p).contains("secret.access.key.env names UNSET_VARIABLE, which is not set"));
        p = base();
        p.put("endpoint.override", "ftp://x");
        assertTrue(problem(p).contains("endpoint.override"));
        p = base();
        p.put("alias.prefix", "sigil/");
        assertTrue(problem(p).contains("alias.prefix 'sigil/' must start with alias/"));
        p = base();
        p.put("keys", new String[] {"not a key"});
        assertTrue(problem(p).contains("keys entry 'not a key'"));
        p = base();
        p.put("attempt.timeout.ms", "9000");
        assertTrue(problem(p).contains("attempt.timeout.ms 9000 is outside 1..call.timeout.ms (5000)"));
        p = base();
        p.put("max.parallel.signatures", "0");
        assertTrue(problem(p).contains("max.parallel.signatures 0 is outside 1..max.concurrent.calls (64)"));
        p = base();
        p.put("max.concurrent.calls", "8");
        p.put("max.parallel.signatures", "16");
        assertEquals("backend-aws 'kms': max.parallel.signatures 16 is outside 1..max.concurrent.calls (8)", problem(p));
        p = base();
        p.put("max.concurrent.calls", "0");
        assertEquals("backend-aws 'kms': max.concurrent.calls 0 is outside 1..1024", problem(p));
        p = base();
        p.put("call.timeout.ms", "0");
        assertEquals("backend-aws 'kms': call.timeout.ms 0 is outside 1..60000", problem(p));
        p = base();
        p.put("credentials.mode", "profile");
        assertTrue(problem(p).contains("only read with credentials.mode static"));
    }

    @Test
    void webIdentityNeedsARoleAndAReadableTokenFile() throws Exception {
        Map<String, Object> p = Fixtures.config("kms", URI.create("https://kms.eu-west-2.amazonaws.com"), "alias/sigil/");
        p.remove("access.key.id.env");
        p.remove("secret.access.key.env");
        p.put("credentials.mode", "web-identity");
        p.put("web.identity.role.arn", "arn:aws:iam::111122223333:role/sigil");
        p.put("web.identity.token.file", dir.resolve("missing").toString());
        assertTrue(problem(p).contains("is not a readable file"));
        Path token = Files.writeString(dir.resolve("token"), "eyJ...");
        p.put("web.identity.token.file", token.toString());
        AwsKmsSettings s = AwsKmsSettings.from(Fixtures.config(p), Fixtures::env);
        assertEquals("sigil", s.sessionName());
    }

    @Test
    void keysMayBeIdsArnsOrAliasesAlsoCommaSeparated() throws Exception {
        Map<String, Object> p = base();
        p.put("keys", new String[] {"1234abcd-12ab-34cd-56ef-1234567890ab, alias/sigil/a",
                "arn:aws:kms:eu-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"});
        assertEquals(3, AwsKmsSettings.from(Fixtures.config(p), Fixtures::env).keys().size());
        assertEquals(List.of(), AwsKmsSettings.from(Fixtures.config(base()), Fixtures::env).keys());
    }
}
