package dev.sigil.core.internal;

import dev.sigil.api.backend.SigningBackend;
import dev.sigil.api.signing.SigningService;

import java.util.Map;

/** Lets tests of other core packages use the real signing service with a backend of theirs. */
public final class SigningServiceAccess {
    private SigningServiceAccess() {
    }

    public static SigningService withBackend(SigningBackend backend) {
        SigningServiceImpl s = new SigningServiceImpl();
        s.addBackend(backend, Map.of(SigningBackend.PROPERTY_ID, backend.id()));
        return s;
    }
}
