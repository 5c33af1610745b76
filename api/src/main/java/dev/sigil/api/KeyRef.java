package dev.sigil.api;

import java.util.Objects;

/**
 * Names one key: the id of the backend instance that holds it and the key's id inside that backend
 * (a keystore alias, a PKCS#11 {@code CKA_ID}/label, a cloud key's name and version).
 *
 * @param backendId the backend instance id (its {@code sigil.backend.id} service property); not blank
 * @param keyId     the key's id within the backend; not blank
 */
public record KeyRef(String backendId, String keyId) {
    public KeyRef {
        if (backendId == null || backendId.isBlank()) {
            throw new IllegalArgumentException("backendId must not be blank");
        }
        if (keyId == null || keyId.isBlank()) {
            throw new IllegalArgumentException("keyId must not be blank");
        }
    }

    @Override
    public String toString() {
        return backendId + "/" + keyId;
    }

    /**
     * Checks a backend instance id as configuration gives it ({@code sigil.backend.id}): required,
     * and without '/' or whitespace, since the text form {@code backendId/keyId} splits at the first
     * '/'. Every backend bundle validates its id with this, so that all refuse the same ids alike.
     *
     * @param component the configuring component, the prefix of the message (e.g. {@code backend-pkcs11})
     * @param id        the configured value; may be null
     * @return the id, trimmed
     * @throws SigilException {@link ErrorCode#CONFIGURATION} with one line naming the setting
     */
    public static String checkBackendId(String component, String id) throws SigilException {
        String trimmed = id == null ? "" : id.trim();
        if (trimmed.isEmpty()) {
            throw new SigilException(ErrorCode.CONFIGURATION,
                    component + ": sigil.backend.id is required (the id key references use)");
        }
        if (trimmed.contains("/") || !trimmed.equals(trimmed.replaceAll("\\s", ""))) {
            throw new SigilException(ErrorCode.CONFIGURATION,
                    component + ": sigil.backend.id '" + trimmed + "' must not contain '/' or spaces");
        }
        return trimmed;
    }

    /** Parses the {@code backendId/keyId} form of {@link #toString()}; the key id may contain '/'. */
    public static KeyRef parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("key reference must look like backend/key: " + text);
        }
        return new KeyRef(text.substring(0, slash), text.substring(slash + 1));
    }
}
