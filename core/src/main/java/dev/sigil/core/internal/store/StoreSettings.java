package dev.sigil.core.internal.store;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.config.SecretRef;

import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/**
 * The validated store settings.
 *
 * @param url                 the JDBC URL
 * @param kind                which database the URL names
 * @param user                the database user
 * @param password            where the password comes from; null for none (embedded H2)
 * @param poolSize            largest number of pooled connections
 * @param connectionTimeoutMs how long to wait for a connection
 * @param auditKey            where the audit key comes from
 * @param checkpointFile      where checkpoints of the audit log go; null: none
 * @param checkpointSeconds   seconds between checkpoints
 */
record StoreSettings(String url, Kind kind, String user, SecretRef password, int poolSize, int connectionTimeoutMs,
                     SecretRef auditKey, Path checkpointFile, int checkpointSeconds) {
    /** The databases the store runs on; the same SQL for both. */
    enum Kind {
        H2, POSTGRESQL
    }

    /**
     * @throws SigilException {@link ErrorCode#CONFIGURATION} with one line naming the setting
     */
    static StoreSettings from(StoreConfig c, Function<String, String> env) throws SigilException {
        String url = c.jdbc_url() == null ? "" : c.jdbc_url().trim();
        Kind kind;
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:h2:")) {
            kind = Kind.H2;
        } else if (lower.startsWith("jdbc:postgresql:")) {
            kind = Kind.POSTGRESQL;
        } else {
            throw problem("jdbc.url must start with jdbc:h2: or jdbc:postgresql:"
                    + (url.isEmpty() ? "" : ", not " + url.substring(0, Math.min(url.length(), 20)) + "..."));
        }
        if (kind == Kind.H2 && (lower.startsWith("jdbc:h2:tcp:") || lower.startsWith("jdbc:h2:ssl:"))) {
            throw problem("jdbc.url: only an embedded H2 database (jdbc:h2:file: or jdbc:h2:mem:) is supported");
        }
        SecretRef password = null;
        boolean hasEnv = c.jdbc_password_env() != null && !c.jdbc_password_env().isBlank();
        boolean hasFile = c.jdbc_password_file() != null && !c.jdbc_password_file().isBlank();
        if (hasEnv || hasFile) {
            try {
                password = SecretRef.of("jdbc.password", c.jdbc_password_env(), c.jdbc_password_file());
                java.util.Arrays.fill(password.resolve(env), '\0'); // readable now, not kept
            } catch (SigilException e) {
                throw problem(e.getMessage());
            }
        } else if (kind == Kind.POSTGRESQL) {
            throw problem("jdbc.password.env or jdbc.password.file is required for PostgreSQL");
        }
        if (c.pool_size() < 2 || c.pool_size() > 500) {
            throw problem("pool.size must be between 2 and 500, not " + c.pool_size());
        }
        if (c.connection_timeout_ms() < 250) {
            throw problem("connection.timeout.ms must be at least 250");
        }
        SecretRef auditKey;
        try {
            auditKey = SecretRef.of("audit.key", c.audit_key_env(), c.audit_key_file());
        } catch (SigilException e) {
            throw problem(e.getMessage() + " (the audit key keys the audit log; the first start of the embedded "
                    + "default makes secrets/audit.key: openssl rand -base64 32)");
        }
        if (c.audit_checkpoint_seconds() < 1 || c.audit_checkpoint_seconds() > 3600) {
            throw problem("audit.checkpoint.seconds must be between 1 and 3600, not " + c.audit_checkpoint_seconds());
        }
        String checkpoints = c.audit_checkpoint_file() == null ? "" : c.audit_checkpoint_file().trim();
        return new StoreSettings(url, kind, c.jdbc_user(), password, c.pool_size(), c.connection_timeout_ms(),
                auditKey, checkpoints.isEmpty() ? null : Path.of(checkpoints), c.audit_checkpoint_seconds());
    }

    private static SigilException problem(String message) {
        return new SigilException(ErrorCode.CONFIGURATION, "store: " + message);
    }
}
