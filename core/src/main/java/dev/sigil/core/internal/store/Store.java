package dev.sigil.core.internal.store;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.function.Function;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The database: a HikariCP pool over an embedded H2 or a PostgreSQL database, migrated by Flyway
 * to the schema of {@code db/migration} when opened. Thread-safe.
 *
 * <p>The JDBC data sources are made directly (no {@code DriverManager}, which does not see drivers
 * inside OSGi). All work runs in {@link #inTransaction}; SQL failures become
 * {@link ErrorCode#INTERNAL} with the detail in the log.
 *
 * <pre>{@code
 * try (Store store = Store.open(settings, System::getenv)) {
 *     int users = store.inTransaction(c -> ...);
 * }
 * }</pre>
 */
public final class Store implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Store.class);

    /** A unit of work in one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException, SigilException;
    }

    private final HikariDataSource pool;
    private final StoreSettings.Kind kind;
    private final AuditLog audit;

    private Store(HikariDataSource pool, StoreSettings.Kind kind, AuditLog audit) {
        this.pool = pool;
        this.kind = kind;
        this.audit = audit;
    }

    /**
     * Connects, migrates the schema and returns the open store.
     *
     * @throws SigilException {@link ErrorCode#CONFIGURATION} if the database cannot be reached or
     *                        migrated, with one line saying why
     */
    static Store open(StoreSettings settings, Function<String, String> env) throws SigilException {
        AuditKey key;
        byte[] master;
        try {
            master = settings.auditKey().resolveKey(env, AuditKey.BYTES);
        } catch (SigilException e) {
            throw new SigilException(ErrorCode.CONFIGURATION, "store: " + e.getMessage());
        }
        try {
            key = AuditKey.of(master);
        } finally {
            Arrays.fill(master, (byte) 0);
        }
        AuditLog audit = new AuditLog(java.time.Clock.systemUTC(), key, settings.checkpointFile() == null ? null
                : new AuditCheckpoints(settings.checkpointFile(), key));
        HikariConfig config = new HikariConfig();
        config.setPoolName("sigil-store");
        config.setDataSource(dataSource(settings, env));
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(Math.min(2, settings.poolSize()));
        config.setConnectionTimeout(settings.connectionTimeoutMs());
        config.setAutoCommit(true);
        config.setInitializationFailTimeout(settings.connectionTimeoutMs());
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new SigilException(ErrorCode.CONFIGURATION, "store: cannot connect to " + redact(settings.url())
                    + " (" + rootMessage(e) + ")", e);
        }
        try {
            migrate(pool);
        } catch (FlywayException e) {
            pool.close();
            throw new SigilException(ErrorCode.CONFIGURATION, "store: the schema of " + redact(settings.url())
                    + " cannot be migrated (" + rootMessage(e) + ")", e);
        }
        Store store = new Store(pool, settings.kind(), audit);
        try {
            audit.keyLegacyRecords(store);
        } catch (SigilException e) {
            pool.close();
            throw new SigilException(ErrorCode.CONFIGURATION, "store: the audit log of " + redact(settings.url())
                    + " cannot be keyed (" + e.getMessage() + ")", e);
        }
        return store;
    }

    private static DataSource dataSource(StoreSettings s, Function<String, String> env) throws SigilException {
        char[] password = s.password() == null ? new char[0] : s.password().resolve(env);
        try {
            if (s.kind() == StoreSettings.Kind.H2) {
                org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
                // The store closes the database when it stops (after the audit log's last checkpoint);
                // H2's own shutdown hook would close it first, under the components still using it.
                ds.setURL(s.url().toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT") ? s.url()
                        : s.url() + ";DB_CLOSE_ON_EXIT=FALSE");
                ds.setUser(s.user());
                ds.setPasswordChars(password);
                return ds;
            }
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setURL(s.url());
            ds.setUser(s.user());
            ds.setPassword(new String(password));
            return ds;
        } catch (NoClassDefFoundError e) {
            throw new SigilException(ErrorCode.CONFIGURATION, "store: the JDBC driver for " + s.kind()
                    + " is not installed", e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static void migrate(DataSource ds) {
        // Flyway scans db/migration and loads its database plugins through this bundle's class
        // loader (Flyway is embedded here), not through the thread's context class loader.
        MigrateResult result = Flyway.configure(Store.class.getClassLoader())
                .dataSource(ds)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                .load()
                .migrate();
        if (result.migrationsExecuted > 0) {
            LOG.info("Store schema migrated to version {} ({} migration(s))", result.targetSchemaVersion,
                    result.migrationsExecuted);
        }
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
     *
     * @throws SigilException what {@code work} throws, or {@link ErrorCode#INTERNAL} for a database
     *                        failure (logged)
     */
    public <T> T inTransaction(Work<T> work) throws SigilException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | SigilException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        } catch (SQLException e) {
            LOG.error("Database failure", e);
            throw new SigilException(ErrorCode.INTERNAL, "The database failed", e);
        }
    }

    /** The audit log in this database, keyed, with its checkpoints. */
    public AuditLog audit() {
        return audit;
    }

    /** Which database this is. */
    StoreSettings.Kind kind() {
        return kind;
    }

    /** The pool, for tests and for tools that read the database directly. */
    DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        pool.close();
    }

    /** The URL without user information or parameters, which may carry credentials. */
    static String redact(String url) {
        String u = url.replaceAll("//[^/@]*@", "//");
        int q = u.indexOf('?');
        int semi = u.startsWith("jdbc:h2:") ? u.indexOf(';') : -1;
        int cut = q >= 0 ? q : semi;
        return cut >= 0 ? u.substring(0, cut) : u;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null) {
            return t.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
