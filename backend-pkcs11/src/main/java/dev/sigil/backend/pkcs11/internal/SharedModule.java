package dev.sigil.backend.pkcs11.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Constants;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.StaticLogger;

/**
 * One loaded and initialised PKCS#11 library, shared by every backend instance that uses the same
 * library file, with a count of its users.
 *
 * <p>Why shared, process-wide state: PKCS#11 allows one {@code C_Initialize} per library per
 * process ({@code CKR_CRYPTOKI_ALREADY_INITIALIZED} otherwise) and {@code C_Finalize} ends every
 * session of every caller. So two backends on two tokens of one HSM must share one initialised
 * module, and only the last one to close may finalise it. The registry lives in this bundle's
 * class loader, the same one that loads the wrapper's JNI library.
 *
 * <pre>{@code
 * SharedModule module = SharedModule.acquire(Path.of("/usr/lib/softhsm/libsofthsm2.so"), "hsm");
 * try {
 *     Slot[] slots = module.module().getSlotList(true);
 * } finally {
 *     module.release();
 * }
 * }</pre>
 *
 * <p>Thread-safe: acquire, release and re-initialisation serialise on one lock.
 */
final class SharedModule {
    private static final Logger LOG = LoggerFactory.getLogger(SharedModule.class);
    private static final Object LOCK = new Object();
    /** By real path of the library; guarded by {@link #LOCK}. */
    private static final Map<Path, SharedModule> OPEN = new HashMap<>();

    static {
        // The wrapper prints to standard output unless it is given a logger; route it to SLF4J.
        StaticLogger.setLogger(new WrapperLog());
    }

    private final Path path;
    private final PKCS11Module module;
    /** Guarded by {@link #LOCK}. */
    private int users;
    /**
     * False if the library had already been initialised by someone else in this process (for
     * example a SunPKCS11 provider): then this class must not finalise it. Guarded by {@link #LOCK}.
     */
    private boolean ownsInitialization;

    private SharedModule(Path path, PKCS11Module module, boolean ownsInitialization) {
        this.path = path;
        this.module = module;
        this.ownsInitialization = ownsInitialization;
    }

    /**
     * Loads and initialises the library, or joins the instance that is already open.
     *
     * @param library   the PKCS#11 library file; it must exist
     * @param backendId the caller, for messages
     * @return the shared module; call {@link #release()} exactly once when done
     * @throws SigilException {@link ErrorCode#CONFIGURATION} if the library cannot be loaded or initialised
     */
    static SharedModule acquire(Path library, String backendId) throws SigilException {
        Path key;
        try {
            key = library.toRealPath();
        } catch (IOException e) {
            throw Pkcs11Settings.problem(backendId, "PKCS#11 library " + library + " cannot be read (module.path)");
        }
        synchronized (LOCK) {
            SharedModule shared = OPEN.get(key);
            if (shared == null) {
                shared = load(key, backendId);
                OPEN.put(key, shared);
            }
            shared.users++;
            return shared;
        }
    }

    private static SharedModule load(Path key, String backendId) throws SigilException {
        PKCS11Module module;
        try {
            module = PKCS11Module.getInstance(key.toString());
        } catch (IOException | UnsatisfiedLinkError e) {
            LOG.error("{} '{}': cannot load the PKCS#11 library {}: {}", Pkcs11Settings.COMPONENT, backendId, key,
                    e.toString());
            throw Pkcs11Settings.problem(backendId, "PKCS#11 library " + key + " cannot be loaded (module.path)");
        }
        boolean owns = true;
        try {
            module.initialize();
        } catch (PKCS11Exception e) {
            if (e.getErrorCode() == PKCS11Constants.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
                LOG.warn("{} '{}': {} was already initialised by another component of this process; "
                        + "sharing it and leaving C_Finalize to that component", Pkcs11Settings.COMPONENT,
                        backendId, key);
                owns = false;
            } else {
                LOG.error("{} '{}': C_Initialize of {} failed: {}", Pkcs11Settings.COMPONENT, backendId, key,
                        CkrTable.describe(e.getErrorCode()));
                throw Pkcs11Settings.problem(backendId, "PKCS#11 library " + key + " cannot be initialised");
            }
        }
        LOG.info("{}: initialised PKCS#11 library {}", Pkcs11Settings.COMPONENT, key);
        return new SharedModule(key, module, owns);
    }

    /** The wrapper's module object; valid until the last user releases it. */
    PKCS11Module module() {
        return module;
    }

    /** The library's real path. */
    Path path() {
        return path;
    }

    /** How many backends use this library now. */
    int users() {
        synchronized (LOCK) {
            return users;
        }
    }

    /**
     * {@code C_Finalize} and {@code C_Initialize} again, so that the library reads its slots and
     * tokens afresh (SoftHSM2 2.6 sees a token created after {@code C_Initialize} only this way).
     * Done only when the caller is the only user, because it ends every session of the library.
     *
     * @return true if the library was re-initialised
     */
    boolean reinitializeIfSoleUser(String backendId) {
        synchronized (LOCK) {
            if (users != 1 || !ownsInitialization) {
                return false;
            }
            try {
                module.finalize(null);
            } catch (PKCS11Exception e) {
                LOG.debug("{} '{}': C_Finalize of {} before re-initialising: {}", Pkcs11Settings.COMPONENT,
                        backendId, path, CkrTable.describe(e.getErrorCode()));
            }
            try {
                module.initialize();
            } catch (PKCS11Exception e) {
                if (e.getErrorCode() != PKCS11Constants.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
                    LOG.warn("{} '{}': C_Initialize of {} failed while re-initialising: {}",
                            Pkcs11Settings.COMPONENT, backendId, path, CkrTable.describe(e.getErrorCode()));
                    return false;
                }
            }
            LOG.info("{} '{}': re-initialised PKCS#11 library {} to read its tokens afresh",
                    Pkcs11Settings.COMPONENT, backendId, path);
            return true;
        }
    }

    /** Ends this user's share; the last user's release calls {@code C_Finalize}. Call once per acquire. */
    void release() {
        synchronized (LOCK) {
            if (users <= 0) {
                throw new IllegalStateException("released more often than acquired: " + path);
            }
            users--;
            if (users > 0) {
                return;
            }
            OPEN.remove(path);
            if (ownsInitialization) {
                try {
                    module.finalize(null);
                    LOG.info("{}: finalised PKCS#11 library {}", Pkcs11Settings.COMPONENT, path);
                } catch (PKCS11Exception e) {
                    LOG.warn("{}: C_Finalize of {} failed: {}", Pkcs11Settings.COMPONENT, path,
                            CkrTable.describe(e.getErrorCode()));
                }
            }
        }
    }

    /**
     * The wrapper's log lines under this class's logger name plus ".wrapper". Its INFO lines (one per
     * C_OpenSession, C_Initialize, ...) become DEBUG: this bundle logs the events operators need itself.
     */
    private static final class WrapperLog implements org.xipki.pkcs11.wrapper.Logger {
        private static final Logger WRAPPER = LoggerFactory.getLogger(SharedModule.class.getName() + ".wrapper");

        @Override
        public void info(String format, Object... args) {
            WRAPPER.debug(format, args);
        }

        @Override
        public void warn(String format, Object... args) {
            WRAPPER.warn(format, args);
        }

        @Override
        public void error(String format, Object... args) {
            WRAPPER.error(format, args);
        }

        @Override
        public void debug(String format, Object... args) {
            WRAPPER.debug(format, args);
        }

        @Override
        public void trace(String format, Object... args) {
            WRAPPER.trace(format, args);
        }

        @Override
        public boolean isDebugEnabled() {
            return WRAPPER.isDebugEnabled();
        }

        @Override
        public boolean isInfoEnabled() {
            return WRAPPER.isDebugEnabled();
        }

        @Override
        public boolean isWarnEnabled() {
            return WRAPPER.isWarnEnabled();
        }

        @Override
        public boolean isTraceEnabled() {
            return WRAPPER.isTraceEnabled();
        }
    }
}
