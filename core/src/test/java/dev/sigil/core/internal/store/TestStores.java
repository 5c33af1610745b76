package dev.sigil.core.internal.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

import dev.sigil.api.config.SecretRef;

/** Settings of an empty database of either kind, and the environment that holds its password. */
record TestStores(StoreSettings settings, Function<String, String> env) {

    static TestStores empty(StoreSettings.Kind kind, Path dir) throws Exception {
        if (kind == StoreSettings.Kind.H2) {
            return new TestStores(new StoreSettings("jdbc:h2:file:" + dir.resolve("db/sigil") + ";MODE=PostgreSQL",
                    StoreSettings.Kind.H2, "sigil", null, 4, 5000), k -> null);
        }
        String url = PostgresServer.get().newDatabase();
        return new TestStores(new StoreSettings(url, StoreSettings.Kind.POSTGRESQL, PostgresServer.USER,
                SecretRef.of("jdbc.password", "PGPASS", null), 4, 5000),
                Map.of("PGPASS", PostgresServer.PASSWORD)::get);
    }

    Store open() throws Exception {
        return Store.open(settings, env);
    }
}
