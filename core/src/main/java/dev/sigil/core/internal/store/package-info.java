/** The relational store: connection pool, schema migrations, repositories, audit log. Private. */
package dev.sigil.core.internal.store;
