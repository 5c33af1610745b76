package dev.sigil.backend.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sigil.api.EcCurve;
import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeyState;

import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;

class SignChecksTest {
    private static KeyInfo ecKey(KeyState state) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return new KeyInfo(new KeyRef("b", "k"), KeyType.EC, 256, EcCurve.P256, g.generateKeyPair().getPublic(),
                List.of(), EnumSet.of(SignatureAlgorithm.ECDSA_SHA256), state);
    }

    private static ErrorCode code(KeyInfo key, SignatureAlgorithm a, byte[] digest) {
        return assertThrows(SigilException.class, () -> SignChecks.check(key, a, digest)).code();
    }

    @Test
    void eachRefusalHasItsCode() throws Exception {
        KeyInfo key = ecKey(KeyState.ENABLED);
        SignChecks.check(key, SignatureAlgorithm.ECDSA_SHA256, new byte[32]);
        assertEquals(ErrorCode.INVALID_DIGEST, code(key, SignatureAlgorithm.ECDSA_SHA256, new byte[20]));
        assertEquals(ErrorCode.UNSUPPORTED_ALGORITHM, code(key, SignatureAlgorithm.RSA_PKCS1_SHA256, new byte[32]));
        assertEquals(ErrorCode.UNSUPPORTED_ALGORITHM, code(key, SignatureAlgorithm.ECDSA_SHA384, new byte[48]));
    }

    @Test
    void aKeyThatIsNotEnabledIsKeyDisabledWhateverElseIsWrong() throws Exception {
        for (KeyState s : new KeyState[] {KeyState.DISABLED, KeyState.PENDING_DELETION, KeyState.UNAVAILABLE}) {
            KeyInfo key = ecKey(s);
            assertEquals(ErrorCode.KEY_DISABLED, code(key, SignatureAlgorithm.ECDSA_SHA256, new byte[32]));
            assertEquals(ErrorCode.KEY_DISABLED, code(key, SignatureAlgorithm.ECDSA_SHA256, new byte[3]));
        }
        SigilException e = assertThrows(SigilException.class, () -> SignChecks.check(ecKey(KeyState.PENDING_DELETION),
                SignatureAlgorithm.ECDSA_SHA256, new byte[32]));
        assertEquals("key b/k is scheduled for deletion", e.getMessage());
    }

    @Test
    void oneBadDigestOfABatchRefusesTheBatch() throws Exception {
        SigilException e = assertThrows(SigilException.class, () -> SignChecks.check(ecKey(KeyState.ENABLED),
                SignatureAlgorithm.ECDSA_SHA256, List.of(new byte[32], new byte[31], new byte[32])));
        assertEquals(ErrorCode.INVALID_DIGEST, e.code());
    }
}
