package dev.sigil.backend.pkcs11.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every configuration mistake is one CONFIGURATION line naming the backend, the setting and the
 * problem. Pure: a stand-in file plays the library, nothing is loaded.
 */
class Pkcs11SettingsTest {
    private static final Function<String, String> NO_ENV = name -> null;

    @TempDir
    Path dir;

    Path library;
    Path pinFile;
    Map<String, Object> props;

    @BeforeEach
    void config() throws Exception {
        library = Files.writeString(dir.resolve("libvendor-pkcs11.so"), "not really a library");
        pinFile = Files.writeString(dir.resolve("hsm.pin"), "2468\n", StandardCharsets.UTF_8);
        props = new HashMap<>();
        props.put("sigil.backend.id", "hsm");
        props.put("module.path", library.toString());
        props.put("token.label", "sigil-a");
        props.put("user.pin.file", pinFile.toString());
    }

    @Test
    void validConfigurationGetsTheDefaults() throws Exception {
        props.remove("module.path");
        Pkcs11Settings s = Pkcs11Settings.from(SoftHsm.config(props), NO_ENV);

        assertEquals("hsm", s.backendId());
        assertEquals(Path.of("/usr/lib/softhsm/libsofthsm2.so"), s.modulePath());
        assertEquals("sigil-a", s.tokenLabel());
        assertNull(s.slotId());
        assertEquals(4, s.poolSize());
        assertEquals(2000, s.borrowTimeoutMs());
        assertNull(s.vendorProfile());
        assertArrayEquals("2468".toCharArray(), s.pin());
        assertEquals("user.pin.file=" + pinFile, s.pinSource());
        assertFalse(s.toString().contains("2468"));
        s.clearPin();
        assertArrayEquals(new char[4], s.pin());
    }

    @Test
    void everySettingIsRead() throws Exception {
        props.remove("token.label");
        props.remove("user.pin.file");
        props.put("slot.id", "0x1A");
        props.put("user.pin.env", "HSM_PIN");
        props.put("pool.size", "16");
        props.put("borrow.timeout.ms", "500");
        props.put("vendor.profile", " Luna ");

        Pkcs11Settings s = Pkcs11Settings.from(SoftHsm.config(props), name -> name.equals("HSM_PIN") ? "1111" : null);

        assertEquals(library, s.modulePath());
        assertEquals(26L, s.slotId());
        assertNull(s.tokenLabel());
        assertEquals("the token in slot 26", s.target().name());
        assertEquals(16, s.poolSize());
        assertEquals(500, s.borrowTimeoutMs());
        assertEquals(VendorProfile.LUNA, s.vendorProfile());
        assertArrayEquals("1111".toCharArray(), s.pin());
    }

    @Test
    void missingOrMalformedBackendIdIsRejected() {
        props.remove("sigil.backend.id");
        assertProblem("backend-pkcs11: sigil.backend.id is required (the id key references use)");
        props.put("sigil.backend.id", "a b");
        assertProblem("backend-pkcs11: sigil.backend.id 'a b' must not contain '/' or spaces");
    }

    @Test
    void libraryThatDoesNotExistIsNamed() {
        Path missing = dir.resolve("libnothing.so");
        props.put("module.path", missing.toString());
        assertProblem("backend-pkcs11 'hsm': PKCS#11 library " + missing + " does not exist (module.path)");
        props.put("module.path", dir.toString());
        assertProblem("backend-pkcs11 'hsm': PKCS#11 library " + dir + " is not a regular file (module.path)");
    }

    @Test
    void exactlyOneOfSlotAndLabel() {
        String message = "backend-pkcs11 'hsm': set exactly one of slot.id and token.label (token.label is "
                + "preferred: slot ids change when tokens are re-created)";
        props.put("slot.id", "1");
        assertProblem(message);
        props.remove("slot.id");
        props.remove("token.label");
        assertProblem(message);
    }

    @Test
    void slotIdMustBeANumber() {
        props.remove("token.label");
        props.put("slot.id", "first");
        assertProblem("backend-pkcs11 'hsm': slot.id 'first' is not a slot number (decimal or 0x hex)");
        props.put("slot.id", "-3");
        assertProblem("backend-pkcs11 'hsm': slot.id '-3' is not a slot number (decimal or 0x hex)");
    }

    @Test
    void labelLongerThanATokenLabelIsRejected() {
        props.put("token.label", "x".repeat(33));
        assertProblem("backend-pkcs11 'hsm': token.label '" + "x".repeat(33)
                + "' is longer than the 32 bytes a PKCS#11 token label holds");
    }

    @Test
    void poolSizeAndTimeoutHaveBounds() {
        props.put("pool.size", "0");
        assertProblem("backend-pkcs11 'hsm': pool.size 0 is outside 1..256");
        props.put("pool.size", "257");
        assertProblem("backend-pkcs11 'hsm': pool.size 257 is outside 1..256");
        props.put("pool.size", "256");
        props.put("borrow.timeout.ms", "0");
        assertProblem("backend-pkcs11 'hsm': borrow.timeout.ms 0 is outside 1..60000");
    }

    @Test
    void unknownVendorProfileListsTheKnownOnes() {
        props.put("vendor.profile", "thales");
        assertProblem("backend-pkcs11 'hsm': vendor.profile 'thales' is not one of softhsm, luna, nshield, "
                + "utimaco, cloudhsm");
    }

    @Test
    void exactlyOnePinSource() {
        props.put("user.pin.env", "HSM_PIN");
        assertProblem("backend-pkcs11 'hsm': set exactly one of user.pin.env and user.pin.file");
        props.remove("user.pin.env");
        props.remove("user.pin.file");
        assertProblem("backend-pkcs11 'hsm': set exactly one of user.pin.env and user.pin.file");
    }

    @Test
    void unsetPinVariableIsNamedWithoutAValue() {
        props.remove("user.pin.file");
        props.put("user.pin.env", "HSM_PIN");
        assertProblem("backend-pkcs11 'hsm': user.pin.env names HSM_PIN, which is not set");
    }

    @Test
    void cloudHsmProfileNeedsTheCryptoUserInThePin() throws Exception {
        props.put("vendor.profile", "cloudhsm");
        assertProblem("backend-pkcs11 'hsm': vendor.profile cloudhsm needs the user PIN in the form "
                + "<CU user>:<password> (user.pin.file=" + pinFile + ")");
        Files.writeString(pinFile, "sigil_cu:Secret-2468\n");
        assertArrayEquals("sigil_cu:Secret-2468".toCharArray(),
                Pkcs11Settings.from(SoftHsm.config(props), NO_ENV).pin());
    }

    @Test
    void activationFailsWithTheOneLineProblemAsItsMessage() {
        props.put("pool.size", "0");
        Pkcs11BackendComponent component = new Pkcs11BackendComponent();
        SigilException e = assertThrows(SigilException.class, () -> component.activate(SoftHsm.config(props)));
        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertEquals("backend-pkcs11 'hsm': pool.size 0 is outside 1..256", e.getMessage());
    }

    @Test
    void libraryThatCannotBeLoadedIsAConfigurationProblem() throws Exception {
        Path real = library.toRealPath();
        SigilException e = assertThrows(SigilException.class, () -> SoftHsm.open(props));
        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertEquals("backend-pkcs11 'hsm': PKCS#11 library " + real
                + " cannot be loaded (module.path)", e.getMessage());
    }

    private void assertProblem(String expected) {
        Executable settings = () -> Pkcs11Settings.from(SoftHsm.config(props), NO_ENV);
        SigilException e = assertThrows(SigilException.class, settings);
        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertEquals(expected, e.getMessage());
    }
}
