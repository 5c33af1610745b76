package dev.sigil.backend.pkcs11.internal;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.*;

import dev.sigil.api.ErrorCode;

import java.util.HashMap;
import java.util.Map;

import org.xipki.pkcs11.wrapper.PKCS11Constants;

/**
 * The one table that maps PKCS#11 return values ({@code CKR_*}) to Sigil's {@link ErrorCode} and to
 * what the backend does about them. Nowhere else in this bundle is a {@code CKR_*} value turned into
 * an error code.
 *
 * <p>The vendor's code and name go to the log (see {@link #describe(long)}); the
 * {@link dev.sigil.api.SigilException} that a client sees carries only the mapped code and a
 * sentence of its own.
 *
 * <p>Codes not in the table are {@link ErrorCode#INTERNAL} and the session they came from is
 * closed rather than reused, since its state is unknown.
 */
final class CkrTable {

    /** What the backend does when a call returns a code. */
    enum Action {
        /** Nothing beyond failing this call; the session is fine and goes back to the pool. */
        NONE,
        /** The session's state is unknown: close it instead of returning it to the pool. */
        DISCARD_SESSION,
        /** The token forgot the login (for example after a logout elsewhere): log in again, once, and retry. */
        LOG_IN_AGAIN,
        /** The cached key handle is stale: look the key up again by its CKA_ID, once, and retry. */
        LOOK_UP_KEY_AGAIN,
        /**
         * The sessions or the token are gone: drop every session, report the backend down and
         * rebuild in the background (find the token by label, log in, rediscover keys).
         */
        RECONNECT,
        /**
         * The token refused the PIN. Never retried, because every further attempt counts towards
         * locking the HSM user or partition: the backend stays failed until it is reconfigured.
         */
        STOP_PIN_REFUSED
    }

    /** One row: the error code clients see and the action. */
    record Row(ErrorCode code, Action action) {
    }

    /** The row of every code that is not listed. */
    static final Row UNLISTED = new Row(ErrorCode.INTERNAL, Action.DISCARD_SESSION);

    private static final Map<Long, Row> ROWS = new HashMap<>();

    static {
        // Login state lost: log in again and retry once.
        row(CKR_USER_NOT_LOGGED_IN, ErrorCode.BACKEND_UNAVAILABLE, Action.LOG_IN_AGAIN);

        // Sessions or token gone: rebuild everything in the background.
        row(CKR_SESSION_HANDLE_INVALID, ErrorCode.BACKEND_UNAVAILABLE, Action.RECONNECT);
        row(CKR_SESSION_CLOSED, ErrorCode.BACKEND_UNAVAILABLE, Action.RECONNECT);
        row(CKR_DEVICE_REMOVED, ErrorCode.BACKEND_UNAVAILABLE, Action.RECONNECT);
        row(CKR_TOKEN_NOT_PRESENT, ErrorCode.BACKEND_UNAVAILABLE, Action.RECONNECT);
        row(CKR_TOKEN_NOT_RECOGNIZED, ErrorCode.BACKEND_UNAVAILABLE, Action.RECONNECT);
        row(CKR_SLOT_ID_INVALID, ErrorCode.BACKEND_UNAVAILABLE, Action.RECONNECT);
        row(CKR_DEVICE_ERROR, ErrorCode.BACKEND_UNAVAILABLE, Action.RECONNECT);
        row(CKR_CRYPTOKI_NOT_INITIALIZED, ErrorCode.BACKEND_UNAVAILABLE, Action.RECONNECT);
        // "Some horrible, unrecoverable error" (PKCS#11 base spec); SoftHSM2 answers it for a token
        // that was deleted under a running process.
        row(CKR_GENERAL_ERROR, ErrorCode.BACKEND_UNAVAILABLE, Action.RECONNECT);
        // A token being (re-)initialised has no user PIN yet: no PIN was tried, so nothing can lock;
        // wait for it like for a missing token.
        row(CKR_USER_PIN_NOT_INITIALIZED, ErrorCode.BACKEND_UNAVAILABLE, Action.RECONNECT);

        // The PIN was refused: never retried.
        row(CKR_PIN_INCORRECT, ErrorCode.CONFIGURATION, Action.STOP_PIN_REFUSED);
        row(CKR_PIN_LOCKED, ErrorCode.CONFIGURATION, Action.STOP_PIN_REFUSED);
        row(CKR_PIN_EXPIRED, ErrorCode.CONFIGURATION, Action.STOP_PIN_REFUSED);
        row(CKR_PIN_INVALID, ErrorCode.CONFIGURATION, Action.STOP_PIN_REFUSED);
        row(CKR_PIN_LEN_RANGE, ErrorCode.CONFIGURATION, Action.STOP_PIN_REFUSED);
        row(CKR_USER_TYPE_INVALID, ErrorCode.CONFIGURATION, Action.STOP_PIN_REFUSED);

        // A stale key handle: look the key up again.
        row(CKR_OBJECT_HANDLE_INVALID, ErrorCode.KEY_NOT_FOUND, Action.LOOK_UP_KEY_AGAIN);
        row(CKR_KEY_HANDLE_INVALID, ErrorCode.KEY_NOT_FOUND, Action.LOOK_UP_KEY_AGAIN);

        // The token cannot do this with this key.
        row(CKR_MECHANISM_INVALID, ErrorCode.UNSUPPORTED_ALGORITHM, Action.NONE);
        row(CKR_MECHANISM_PARAM_INVALID, ErrorCode.UNSUPPORTED_ALGORITHM, Action.NONE);
        row(CKR_KEY_TYPE_INCONSISTENT, ErrorCode.UNSUPPORTED_ALGORITHM, Action.NONE);
        row(CKR_KEY_SIZE_RANGE, ErrorCode.UNSUPPORTED_ALGORITHM, Action.NONE);
        // The key's attributes forbid signing (CKA_SIGN false): it exists but is disabled.
        row(CKR_KEY_FUNCTION_NOT_PERMITTED, ErrorCode.KEY_DISABLED, Action.NONE);
        row(CKR_DATA_LEN_RANGE, ErrorCode.INVALID_DIGEST, Action.NONE);
        row(CKR_DATA_INVALID, ErrorCode.INVALID_DIGEST, Action.NONE);
        row(CKR_FUNCTION_NOT_SUPPORTED, ErrorCode.UNSUPPORTED_OPERATION, Action.NONE);
        row(CKR_TOKEN_WRITE_PROTECTED, ErrorCode.UNSUPPORTED_OPERATION, Action.NONE);
        row(CKR_TEMPLATE_INCONSISTENT, ErrorCode.UNSUPPORTED_OPERATION, Action.NONE);
        row(CKR_ATTRIBUTE_VALUE_INVALID, ErrorCode.UNSUPPORTED_OPERATION, Action.NONE);

        // Scarce resources on the device: try again later, the session itself is fine.
        row(CKR_SESSION_COUNT, ErrorCode.BUSY, Action.NONE);
        row(CKR_DEVICE_MEMORY, ErrorCode.BACKEND_UNAVAILABLE, Action.NONE);
        row(CKR_HOST_MEMORY, ErrorCode.BACKEND_UNAVAILABLE, Action.NONE);

        // A sign operation left in an unknown state.
        row(CKR_OPERATION_ACTIVE, ErrorCode.INTERNAL, Action.DISCARD_SESSION);
        row(CKR_FUNCTION_FAILED, ErrorCode.INTERNAL, Action.DISCARD_SESSION);
    }

    private static void row(long ckr, ErrorCode code, Action action) {
        if (ROWS.put(ckr, new Row(code, action)) != null) {
            throw new IllegalStateException("CKR table lists " + name(ckr) + " twice");
        }
    }

    /** The row for {@code ckr}; {@link #UNLISTED} for a code the table does not list. */
    static Row row(long ckr) {
        return ROWS.getOrDefault(ckr, UNLISTED);
    }

    /** The codes the table lists, for tests. */
    static Map<Long, Row> rows() {
        return Map.copyOf(ROWS);
    }

    /** The PKCS#11 name of a code ({@code CKR_PIN_INCORRECT}), or its hex form for a vendor code. */
    static String name(long ckr) {
        String name = PKCS11Constants.ckrCodeToName(ckr);
        return name == null || name.isEmpty() ? String.format("0x%08X", ckr) : name;
    }

    /** The code and name for the log: {@code CKR_PIN_INCORRECT (0x000000A0)}. Never for clients. */
    static String describe(long ckr) {
        return name(ckr) + String.format(" (0x%08X)", ckr);
    }

    private CkrTable() {
    }
}
