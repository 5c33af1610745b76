package dev.sigil.backend.keystore.internal;

import static dev.sigil.backend.keystore.internal.Fixtures.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Every configuration mistake is one CONFIGURATION line naming the backend, the setting and the problem. */
class KeystoreSettingsTest {
    private static final Function<String, String> NO_ENV = name -> null;

    @TempDir
    Path dir;

    Path keystore;
    Map<String, String> props;

    @BeforeEach
    void writeKeystore() throws Exception {
        keystore = Fixtures.sharedPki().write(dir.resolve("keys.p12"), "PKCS12", PASSWORD);
        props = Fixtures.fileConfig(keystore);
    }

    @Test
    void validConfigurationWithDefaultsResolvesThePasswordFromTheFile() throws Exception {
        KeystoreSettings s = KeystoreSettings.from(Fixtures.config(props), NO_ENV);

        assertEquals("default", s.backendId());
        assertEquals("PKCS12", s.keystoreType());
        assertEquals(keystore.toAbsolutePath(), s.keystorePath());
        assertNull(s.keystoreProvider());
        assertNull(s.signatureProvider());
        assertArrayEquals(PASSWORD.toCharArray(), s.password());
        assertFalse(s.toString().contains(PASSWORD));
        s.clearPassword();
        assertArrayEquals(new char[PASSWORD.length()], s.password());
    }

    @Test
    void passwordFileLosesExactlyOneTrailingNewline() throws Exception {
        assertEquals("pw", passwordFromFile("pw\n"));
        assertEquals("pw", passwordFromFile("pw\r\n"));
        assertEquals("pw\n", passwordFromFile("pw\n\n"));
        assertEquals("pw", passwordFromFile("pw"));
        assertEquals(" p w ", passwordFromFile(" p w \n"));
    }

    @Test
    void passwordFromTheEnvironmentVariableOpensTheKeystore() throws Exception {
        props.remove("keystore.password.file");
        props.put("keystore.password.env", "SIGIL_KS_PASS");
        KeystoreSettings s = KeystoreSettings.from(Fixtures.config(props),
                name -> name.equals("SIGIL_KS_PASS") ? PASSWORD : null);

        assertEquals(4, new KeystoreBackend(s).keys().size());
    }

    @Test
    void missingBackendIdIsRejected() {
        props.remove("sigil.backend.id");
        assertConfigurationError("backend-keystore: sigil.backend.id is required (the id key references use)",
                () -> settings());
        props.put("sigil.backend.id", "  ");
        assertConfigurationError("backend-keystore: sigil.backend.id is required (the id key references use)",
                () -> settings());
    }

    @Test
    void backendIdWithASlashIsRejected() {
        props.put("sigil.backend.id", "a/b");
        assertConfigurationError("backend-keystore: sigil.backend.id 'a/b' must not contain '/' or spaces",
                () -> settings());
    }

    @Test
    void bothPasswordSourcesAreRejected() {
        props.put("keystore.password.env", "SIGIL_KS_PASS");
        assertConfigurationError(
                "backend-keystore 'default': set exactly one of keystore.password.env and keystore.password.file",
                () -> settings());
    }

    @Test
    void neitherPasswordSourceIsRejected() {
        props.remove("keystore.password.file");
        assertConfigurationError(
                "backend-keystore 'default': set exactly one of keystore.password.env and keystore.password.file",
                () -> settings());
        props.put("keystore.password.env", " ");
        props.put("keystore.password.file", "");
        assertConfigurationError(
                "backend-keystore 'default': set exactly one of keystore.password.env and keystore.password.file",
                () -> settings());
    }

    @Test
    void unsetEnvironmentVariableIsNamed() {
        props.remove("keystore.password.file");
        props.put("keystore.password.env", "SIGIL_KS_PASS");
        assertConfigurationError(
                "backend-keystore 'default': keystore.password.env names SIGIL_KS_PASS, which is not set",
                () -> settings());
    }

    @Test
    void emptyEnvironmentVariableIsRejected() {
        props.remove("keystore.password.file");
        props.put("keystore.password.env", "SIGIL_KS_PASS");
        assertConfigurationError(
                "backend-keystore 'default': keystore.password.env names SIGIL_KS_PASS, which is not set",
                () -> KeystoreSettings.from(Fixtures.config(props), name -> ""));
    }

    @Test
    void missingPasswordFileIsNamed() {
        Path missing = dir.resolve("nope.pass");
        props.put("keystore.password.file", missing.toString());
        SigilException e = assertConfigurationError("backend-keystore 'default': keystore.password.file " + missing
                + " cannot be read (NoSuchFileException)", () -> settings());
        assertInstanceOf(NoSuchFileException.class, e.getCause().getCause());
    }

    @Test
    void unreadablePasswordFileIsNamed() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("pass.d"));
        props.put("keystore.password.file", directory.toString());
        SigilException e = assertConfigurationError("backend-keystore 'default': keystore.password.file " + directory
                + " cannot be read (IOException)", () -> settings());
        assertEquals(ErrorCode.CONFIGURATION, ((SigilException) e.getCause()).code());
    }

    @Test
    void passwordFileThatIsNotUtf8IsRejected() throws Exception {
        Path latin1 = Files.write(dir.resolve("latin1.pass"), new byte[] {'p', (byte) 0xE9, '\n'});
        props.put("keystore.password.file", latin1.toString());
        assertConfigurationError("backend-keystore 'default': keystore.password.file " + latin1
                + " is not UTF-8 text", () -> settings());
    }

    @Test
    void emptyPasswordFileIsRejected() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pass"), "\n");
        props.put("keystore.password.file", empty.toString());
        assertConfigurationError("backend-keystore 'default': keystore.password.file " + empty + " is empty",
                () -> settings());
    }

    @Test
    void missingKeystoreFileIsNamed() {
        Path missing = dir.resolve("missing.p12");
        props.put("keystore.path", missing.toString());
        assertConfigurationError("backend-keystore 'default': keystore file " + missing
                + " does not exist (keystore.path)", () -> settings());
    }

    @Test
    void fileBasedKeystoreTypeNeedsAPath() {
        props.remove("keystore.path");
        assertConfigurationError("backend-keystore 'default': keystore.path is required for keystore type PKCS12",
                () -> settings());
        props.put("keystore.type", "jks");
        assertConfigurationError("backend-keystore 'default': keystore.path is required for keystore type jks",
                () -> settings());
    }

    @Test
    void wrongPasswordIsReportedAsSuch() throws Exception {
        Path wrong = Files.writeString(dir.resolve("wrong.pass"), "not the password\n");
        props.put("keystore.password.file", wrong.toString());
        assertConfigurationError("backend-keystore 'default': wrong keystore password for " + keystore
                + " (from keystore.password.file=" + wrong + ")", () -> open());
    }

    @Test
    void wrongPasswordOfAJksKeystoreIsReportedAsSuch() throws Exception {
        Path jks = Fixtures.sharedPki().write(dir.resolve("keys.jks"), "JKS", PASSWORD);
        props.put("keystore.path", jks.toString());
        props.put("keystore.type", "JKS");
        assertEquals(4, open().keys().size());

        props.remove("keystore.password.file");
        props.put("keystore.password.env", "SIGIL_KS_PASS");
        assertConfigurationError("backend-keystore 'default': wrong keystore password for " + jks
                + " (from keystore.password.env=SIGIL_KS_PASS)",
                () -> new KeystoreBackend(KeystoreSettings.from(Fixtures.config(props), name -> "wrong")));
    }

    @Test
    void fileThatIsNotAKeystoreCannotBeRead() throws Exception {
        Files.writeString(keystore, "this is not PKCS#12\nat all\n");
        SigilException e = assertThrows(SigilException.class, () -> open());
        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertTrue(e.getMessage().startsWith("backend-keystore 'default': cannot read " + keystore + " as PKCS12"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void unknownKeystoreTypeIsNamed() {
        props.put("keystore.type", "NoSuchType");
        props.remove("keystore.path");
        assertConfigurationError("backend-keystore 'default': keystore.type NoSuchType is not offered by any "
                + "installed provider", () -> open());
    }

    @Test
    void keystoreProviderThatIsNotInstalledIsNamed() {
        props.put("keystore.provider", "CloudHSM");
        assertConfigurationError("backend-keystore 'default': keystore.provider names CloudHSM, which is not an "
                + "installed JCA provider", () -> open());
    }

    @Test
    void keystoreProviderThatIsInstalledIsUsed() throws Exception {
        props.put("keystore.provider", "SunJSSE");
        assertEquals(4, open().keys().size());
    }

    @Test
    void signatureProviderThatIsNotInstalledIsNamed() {
        props.put("signature.provider", "LunaProvider");
        assertConfigurationError("backend-keystore 'default': signature.provider names LunaProvider, which is not "
                + "an installed JCA provider", () -> open());
    }

    @Test
    void providerJarThatDoesNotExistIsNamed() {
        Path missing = dir.resolve("cloudhsm-5.12.0.jar");
        props.put("provider.jar", missing.toString());
        props.put("provider.class", "com.amazonaws.cloudhsm.jce.provider.CloudHsmProvider");
        assertConfigurationError("backend-keystore 'default': provider.jar " + missing + " does not exist",
                () -> settings());
    }

    @Test
    void providerJarThatIsADirectoryIsRejected() {
        props.put("provider.jar", dir.toString());
        props.put("provider.class", "com.amazonaws.cloudhsm.jce.provider.CloudHsmProvider");
        assertConfigurationError("backend-keystore 'default': provider.jar " + dir + " is not a regular file",
                () -> settings());
    }

    @Test
    void providerJarNeedsAProviderClass() throws Exception {
        props.put("provider.jar", Files.writeString(dir.resolve("p.jar"), "x").toString());
        assertConfigurationError("backend-keystore 'default': provider.class is required with provider.jar (the "
                + "java.security.Provider subclass to load from it)", () -> settings());
    }

    @Test
    void providerClassWithoutAJarIsRejected() {
        props.put("provider.class", "com.amazonaws.cloudhsm.jce.provider.CloudHsmProvider");
        assertConfigurationError("backend-keystore 'default': provider.class "
                + "com.amazonaws.cloudhsm.jce.provider.CloudHsmProvider needs provider.jar, the jar to load it from",
                () -> settings());
    }

    @Test
    void providerConfigWithoutAJarIsRejected() {
        props.put("provider.config", "--name=hsm");
        assertConfigurationError("backend-keystore 'default': provider.config needs provider.jar and provider.class",
                () -> settings());
    }

    @Test
    void providerJarTogetherWithKeystoreProviderIsRejected() throws Exception {
        props.put("provider.jar", Files.writeString(dir.resolve("p.jar"), "x").toString());
        props.put("provider.class", "com.amazonaws.cloudhsm.jce.provider.CloudHsmProvider");
        props.put("keystore.provider", "SunJSSE");
        assertConfigurationError("backend-keystore 'default': set keystore.provider (an installed provider) or "
                + "provider.jar (a provider loaded from a jar), not both", () -> settings());
    }

    @Test
    void validProviderJarSettingsAreKeptAbsolute() throws Exception {
        Path jar = Files.writeString(dir.resolve("p.jar"), "x");
        props.put("provider.jar", jar.toString());
        props.put("provider.class", " com.example.Provider ");
        KeystoreSettings s = settings();
        assertEquals(jar.toAbsolutePath(), s.providerJar());
        assertEquals("com.example.Provider", s.providerClass());
        assertNull(s.providerConfig());
        assertTrue(s.toString().contains("provider com.example.Provider from " + jar), s.toString());
    }

    @Test
    void activationFailsWithTheOneLineProblemAsItsMessage() {
        Path missing = dir.resolve("missing.p12");
        props.put("keystore.path", missing.toString());
        KeystoreBackendComponent component = new KeystoreBackendComponent();
        assertConfigurationError("backend-keystore 'default': keystore file " + missing
                + " does not exist (keystore.path)", () -> component.activate(Fixtures.config(props)));
    }

    @Test
    void componentDelegatesToTheBackendOnceActivated() throws Exception {
        KeystoreBackendComponent component = new KeystoreBackendComponent();
        component.activate(Fixtures.config(props));
        try {
            assertEquals("default", component.id());
            assertEquals(4, component.keys().size());
            assertTrue(component.health().up());
        } finally {
            component.deactivate();
        }
        assertFalse(component.health().up());
    }

    private String passwordFromFile(String content) throws Exception {
        props.put("keystore.password.file", Fixtures.passwordFile(dir, content).toString());
        return new String(settings().password());
    }

    private KeystoreSettings settings() throws SigilException {
        return KeystoreSettings.from(Fixtures.config(props), NO_ENV);
    }

    private KeystoreBackend open() throws Exception {
        return Fixtures.open(props);
    }

    private static SigilException assertConfigurationError(String expected, Executable action) {
        SigilException e = assertThrows(SigilException.class, action);
        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertEquals(expected, e.getMessage());
        return e;
    }
}
