package dev.sigil.core.internal.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

import dev.sigil.api.config.SecretRef;

/** Settings of an empty database of either kind, and the environment that holds its password. */
record TestStores(StoreSettings settings, Function<String, String> env) {

    /** The audit key of test stores (base64 of 32 bytes; never use a fixed key for real). */
    static final String AUDIT_KEY = "c2lnaWwtdGVzdC1hdWRpdC1rZXktMzItYnl0ZXMhISE=";

    static TestStores empty(StoreSettings.Kind kind, Path dir) throws Exception {
        SecretRef auditKey = SecretRef.of("audit.key", "AUDITKEY", null);
        Path checkpoints = dir.resolve("audit/checkpoints");
        if (kind == StoreSettings.Kind.H2) {
            return new TestStores(new StoreSettings("jdbc:h2:file:" + dir.resolve("db/sigil") + ";MODE=PostgreSQL",
                    StoreSettings.Kind.H2, "sigil", null, 4, 5000, auditKey, checkpoints, 10),
                    Map.of("AUDITKEY", AUDIT_KEY)::get);
        }
        String url = PostgresServer.get().newDatabase();
        return new TestStores(new StoreSettings(url, StoreSettings.Kind.POSTGRESQL, PostgresServer.USER,
                SecretRef.of("jdbc.password", "PGPASS", null), 4, 5000, auditKey, checkpoints, 10),
                Map.of("PGPASS", PostgresServer.PASSWORD, "AUDITKEY", AUDIT_KEY)::get);
    }

    Store open() throws Exception {
        return Store.open(settings, env);
    }
}
