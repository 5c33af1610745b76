package dev.sigil.core.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StoreSettingsTest {
    private final Map<String, Object> values = new HashMap<>();

    private StoreConfig config() {
        return (StoreConfig) Proxy.newProxyInstance(StoreConfig.class.getClassLoader(),
                new Class<?>[] {StoreConfig.class}, (p, m, a) -> {
                    String key = m.getName().replace('_', '.');
                    if (values.containsKey(key)) {
                        return values.get(key);
                    }
                    return m.getDefaultValue();
                });
    }

    StoreSettingsTest() {
        values.put("audit.key.file", "/run/secrets/audit.key");
    }

    private String failure() {
        SigilException e = assertThrows(SigilException.class,
                () -> StoreSettings.from(config(), Map.of("DBPASS", "x")::get));
        assertEquals(ErrorCode.CONFIGURATION, e.code());
        return e.getMessage();
    }

    @Test
    void anEmbeddedH2NeedsNoPassword() throws Exception {
        values.put("jdbc.url", "jdbc:h2:file:/tmp/x/sigil;MODE=PostgreSQL");
        StoreSettings s = StoreSettings.from(config(), k -> null);
        assertEquals(StoreSettings.Kind.H2, s.kind());
        assertEquals(null, s.password());
    }

    @Test
    void postgresqlNeedsAPasswordReference() throws Exception {
        values.put("jdbc.url", "jdbc:postgresql://db:5432/sigil");
        assertEquals("store: jdbc.password.env or jdbc.password.file is required for PostgreSQL", failure());
        values.put("jdbc.password.env", "DBPASS");
        assertEquals(StoreSettings.Kind.POSTGRESQL, StoreSettings.from(config(), Map.of("DBPASS", "x")::get).kind());
        values.put("jdbc.password.env", "NOT_SET");
        assertEquals("store: jdbc.password.env names NOT_SET, which is not set", failure());
    }

    @Test
    void otherDatabasesAndRemoteH2AreRefused() {
        values.put("jdbc.url", "jdbc:mysql://db/sigil");
        assertEquals("store: jdbc.url must start with jdbc:h2: or jdbc:postgresql:, not jdbc:mysql://db/sigi...",
                failure());
        values.put("jdbc.url", "jdbc:h2:tcp://db/sigil");
        assertEquals("store: jdbc.url: only an embedded H2 database (jdbc:h2:file: or jdbc:h2:mem:) is supported",
                failure());
    }

    @Test
    void theAuditKeyIsRequiredFromOneSource() {
        values.put("jdbc.url", "jdbc:h2:file:/tmp/x/sigil;MODE=PostgreSQL");
        values.remove("audit.key.file");
        assertEquals("store: set exactly one of audit.key.env and audit.key.file (the audit key keys the audit log; "
                + "the first start of the embedded default makes secrets/audit.key: openssl rand -base64 32)", failure());
        values.put("audit.key.file", "/run/secrets/audit.key");
        values.put("audit.checkpoint.seconds", 0);
        assertEquals("store: audit.checkpoint.seconds must be between 1 and 3600, not 0", failure());
    }

    @Test
    void theUrlIsRedactedInMessages() {
        assertEquals("jdbc:postgresql://db:5432/sigil", Store.redact("jdbc:postgresql://u:pw@db:5432/sigil?password=pw"));
        assertEquals("jdbc:h2:file:/d/sigil", Store.redact("jdbc:h2:file:/d/sigil;PASSWORD=x"));
    }
}
