package dev.sigil.core.internal.store;

/** The databases the tests run on (public, for parameterized tests in other packages). */
public enum StoreKind {
    H2, POSTGRESQL
}
