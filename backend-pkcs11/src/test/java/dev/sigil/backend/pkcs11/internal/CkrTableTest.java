package dev.sigil.backend.pkcs11.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.*;

import dev.sigil.api.ErrorCode;
import dev.sigil.backend.pkcs11.internal.CkrTable.Action;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The one CKR_* → ErrorCode table: the rows the backend's resilience depends on. */
class CkrTableTest {

    @Test
    void refusedPinsAreNeverRetried() {
        for (long ckr : List.of(CKR_PIN_INCORRECT, CKR_PIN_LOCKED, CKR_PIN_EXPIRED, CKR_PIN_INVALID,
                CKR_PIN_LEN_RANGE)) {
            assertEquals(new CkrTable.Row(ErrorCode.CONFIGURATION, Action.STOP_PIN_REFUSED), CkrTable.row(ckr),
                    CkrTable.name(ckr));
        }
    }

    @Test
    void lostSessionsAndMissingTokensReconnectAndAreUnavailableMeanwhile() {
        for (long ckr : List.of(CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_DEVICE_REMOVED,
                CKR_TOKEN_NOT_PRESENT, CKR_SLOT_ID_INVALID, CKR_DEVICE_ERROR, CKR_GENERAL_ERROR,
                CKR_USER_PIN_NOT_INITIALIZED)) {
            assertEquals(new CkrTable.Row(ErrorCode.BACKEND_UNAVAILABLE, Action.RECONNECT), CkrTable.row(ckr),
                    CkrTable.name(ckr));
        }
    }

    @Test
    void lostLoginLogsInAgain() {
        assertEquals(Action.LOG_IN_AGAIN, CkrTable.row(CKR_USER_NOT_LOGGED_IN).action());
    }

    @Test
    void invalidHandlesAreLookedUpAgain() {
        assertEquals(new CkrTable.Row(ErrorCode.KEY_NOT_FOUND, Action.LOOK_UP_KEY_AGAIN),
                CkrTable.row(CKR_OBJECT_HANDLE_INVALID));
        assertEquals(new CkrTable.Row(ErrorCode.KEY_NOT_FOUND, Action.LOOK_UP_KEY_AGAIN),
                CkrTable.row(CKR_KEY_HANDLE_INVALID));
    }

    @Test
    void keyWhoseAttributesForbidSigningIsDisabled() {
        assertEquals(new CkrTable.Row(ErrorCode.KEY_DISABLED, Action.NONE), CkrTable.row(CKR_KEY_FUNCTION_NOT_PERMITTED));
    }

    @Test
    void unlistedAndVendorCodesAreInternalAndTheSessionIsNotReused() {
        assertEquals(CkrTable.UNLISTED, CkrTable.row(CKR_RANDOM_NO_RNG));
        assertEquals(CkrTable.UNLISTED, CkrTable.row(0x80000123L));
        assertEquals(new CkrTable.Row(ErrorCode.INTERNAL, Action.DISCARD_SESSION), CkrTable.UNLISTED);
    }

    @Test
    void noRowMapsToAnErrorCodeThatBlamesTheClientsCredentials() {
        for (Map.Entry<Long, CkrTable.Row> e : CkrTable.rows().entrySet()) {
            assertTrue(e.getValue().code() != ErrorCode.AUTHENTICATION_FAILED
                    && e.getValue().code() != ErrorCode.FACTOR_LOCKED,
                    "the HSM's PIN is the server's, not the user's: " + CkrTable.name(e.getKey()));
        }
    }

    @Test
    void logTextNamesTheCodeAndItsValue() {
        assertEquals("CKR_PIN_INCORRECT (0x000000A0)", CkrTable.describe(CKR_PIN_INCORRECT));
        assertTrue(CkrTable.describe(0x80000123L).endsWith("(0x80000123)"), CkrTable.describe(0x80000123L));
    }
}
