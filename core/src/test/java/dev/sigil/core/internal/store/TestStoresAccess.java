package dev.sigil.core.internal.store;

import java.nio.file.Path;

/** Lets tests of other core packages open a store on an empty database. */
public final class TestStoresAccess {
    private TestStoresAccess() {
    }

    public static Store open(StoreKind kind, Path dir) throws Exception {
        return TestStores.empty(kind == StoreKind.H2 ? StoreSettings.Kind.H2 : StoreSettings.Kind.POSTGRESQL, dir).open();
    }
}
