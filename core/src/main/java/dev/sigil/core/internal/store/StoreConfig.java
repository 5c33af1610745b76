package dev.sigil.core.internal.store;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the store (PID {@code dev.sigil.store}). */
@ObjectClassDefinition(name = "Sigil store", description = "The database: embedded H2 or PostgreSQL")
@interface StoreConfig {
    @AttributeDefinition(description = "JDBC URL: jdbc:h2:file:/path/sigil (embedded) or "
            + "jdbc:postgresql://host:5432/sigil")
    String jdbc_url();

    @AttributeDefinition(description = "Database user")
    String jdbc_user() default "sigil";

    @AttributeDefinition(description = "Environment variable holding the database password")
    String jdbc_password_env() default "";

    @AttributeDefinition(description = "File holding the database password")
    String jdbc_password_file() default "";

    @AttributeDefinition(description = "Largest number of pooled connections")
    int pool_size() default 10;

    @AttributeDefinition(description = "How long to wait for a pooled connection, in milliseconds")
    int connection_timeout_ms() default 5000;

    @AttributeDefinition(description = "File holding the audit key (base64 of 32 bytes), which keys the audit "
            + "log's chain and checkpoints; it must not be in the database")
    String audit_key_file() default "";

    @AttributeDefinition(description = "Environment variable holding the audit key")
    String audit_key_env() default "";

    @AttributeDefinition(description = "File the signed checkpoints of the audit log's head are appended to "
            + "(outside the database); empty: none")
    String audit_checkpoint_file() default "";

    @AttributeDefinition(description = "Seconds between checkpoints, when the log grew")
    int audit_checkpoint_seconds() default 10;
}
