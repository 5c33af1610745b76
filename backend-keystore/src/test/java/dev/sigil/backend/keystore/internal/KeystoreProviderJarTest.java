package dev.sigil.backend.keystore.internal;

import static dev.sigil.backend.keystore.internal.Fixtures.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.EcCurve;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.backend.testkit.JdkVerifier;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.Security;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JCA provider loaded from a jar path ({@code provider.jar}, {@code provider.class}), as AWS
 * CloudHSM's JCE would be: here BouncyCastle's own bcprov jar from the local Maven repository,
 * loaded a second time in a class loader of its own, opening a BCFKS keystore and signing.
 */
class KeystoreProviderJarTest {
    static final String BC_CLASS = "org.bouncycastle.jce.provider.BouncyCastleProvider";

    @TempDir
    Path dir;

    Path bcprovJar;
    Path keystore;
    Map<String, String> props;

    @BeforeEach
    void bcfksKeystore() throws Exception {
        bcprovJar = Path.of(BouncyCastleProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isRegularFile(bcprovJar) && bcprovJar.toString().endsWith(".jar"),
                "the test class path has bcprov as a jar: " + bcprovJar);
        keystore = Fixtures.sharedPki().write(dir.resolve("keys.bcfks"), "BCFKS", Fixtures.BC, PASSWORD);
        props = Fixtures.fileConfig(keystore);
        props.put("keystore.type", "BCFKS");
        props.put("provider.jar", bcprovJar.toString());
        props.put("provider.class", BC_CLASS);
    }

    @Test
    void bouncyCastleLoadedFromItsJarOpensABcfksKeystoreAndSignsWithoutBeingRegistered() throws Exception {
        List<Provider> installedBefore = List.of(Security.getProviders());

        KeystoreBackend backend = Fixtures.open(props);
        try {
            Provider loaded = backend.keyStoreProvider();
            assertEquals(BC_CLASS, loaded.getClass().getName());
            assertNotSame(BouncyCastleProvider.class, loaded.getClass(), "not the class path's BouncyCastle");
            ProviderJar.JarFirstClassLoader loader = assertInstanceOf(ProviderJar.JarFirstClassLoader.class,
                    loaded.getClass().getClassLoader(), "the provider's classes come from the jar's own loader");
            assertArrayEquals(new URL[] {bcprovJar.toUri().toURL()}, loader.getURLs());
            assertSame(loaded, backend.signingProvider(), "the loaded provider signs too");

            assertEquals(4, backend.keys().size());
            for (KeyInfo key : backend.keys()) {
                for (SignatureAlgorithm algorithm : key.algorithms()) {
                    assertSigns(backend, key, algorithm);
                }
            }
            KeyInfo generated = backend.generateKey(KeySpec.ec(EcCurve.P256), "from the jar");
            assertSigns(backend, generated, SignatureAlgorithm.ECDSA_SHA256);

            List<Provider> installedAfter = List.of(Security.getProviders());
            assertEquals(installedBefore, installedAfter, "no provider was installed or removed");
            for (Provider p : installedAfter) {
                assertNotSame(loader, p.getClass().getClassLoader(), p.getName() + " is not the loaded one");
            }
        } finally {
            backend.close();
        }
    }

    @Test
    void providerConfigGoesToTheProvidersStringConstructor() throws Exception {
        Path jar = jarOf(ConfiguredTestProvider.class);
        props.put("provider.jar", jar.toString());
        props.put("provider.class", ConfiguredTestProvider.class.getName());
        props.put("provider.config", "slot=1");

        try (ProviderJar loaded = ProviderJar.load(settings(), getClass().getClassLoader())) {
            assertEquals("slot=1", loaded.provider().getInfo());
            assertNotSame(ConfiguredTestProvider.class, loaded.provider().getClass());
            assertSame(loaded.classLoader(), loaded.provider().getClass().getClassLoader());
        }
    }

    @Test
    void classThatIsNotInTheJarIsNamed() {
        props.put("provider.class", "com.amazonaws.cloudhsm.jce.provider.CloudHsmProvider");
        assertConfigurationError("backend-keystore 'default': provider.class "
                + "com.amazonaws.cloudhsm.jce.provider.CloudHsmProvider is not in provider.jar " + bcprovJar, () -> open());
    }

    @Test
    void classThatIsNotAProviderIsNamed() {
        props.put("provider.class", "org.bouncycastle.util.Arrays");
        assertConfigurationError("backend-keystore 'default': provider.class org.bouncycastle.util.Arrays is not a "
                + "java.security.Provider subclass", () -> open());
    }

    @Test
    void providerThatTakesNoConfigurationRefusesProviderConfig() {
        props.put("provider.config", "--name=hsm");
        assertConfigurationError("backend-keystore 'default': provider.class " + BC_CLASS + " takes no "
                + "provider.config (it has no public (String) constructor and does not support Provider.configure)",
                () -> open());
    }

    @Test
    void fileThatIsNotAJarIsNamed() throws Exception {
        Path notAJar = Files.writeString(dir.resolve("cloudhsm.jar"), "not a jar", StandardCharsets.UTF_8);
        props.put("provider.jar", notAJar.toString());
        SigilException e = assertThrows(SigilException.class, () -> open());
        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertTrue(e.getMessage().startsWith("backend-keystore 'default': provider.jar " + notAJar
                + " is not a readable jar file ("), e.getMessage());
    }

    @Test
    void keystoreTypeTheLoadedProviderLacksIsNamed() {
        props.put("keystore.type", "JKS");
        assertConfigurationError("backend-keystore 'default': keystore.type JKS is not offered by provider BC "
                + "from provider.jar " + bcprovJar, () -> open());
    }

    private static void assertSigns(KeystoreBackend backend, KeyInfo key, SignatureAlgorithm algorithm)
            throws Exception {
        byte[] message = ("signed through the jar's provider with " + algorithm).getBytes(StandardCharsets.UTF_8);
        byte[] signature = backend.sign(key.ref(), algorithm, JdkVerifier.digest(algorithm, message));
        assertTrue(JdkVerifier.verify(algorithm, key.publicKey(), message, signature), key.ref() + " " + algorithm);
    }

    /** A jar holding just this class file. */
    private Path jarOf(Class<?> type) throws Exception {
        String entry = type.getName().replace('.', '/') + ".class";
        Path jar = dir.resolve(type.getSimpleName() + ".jar");
        try (InputStream in = type.getClassLoader().getResourceAsStream(entry);
             OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    private KeystoreSettings settings() throws SigilException {
        return KeystoreSettings.from(Fixtures.config(props), name -> null);
    }

    private KeystoreBackend open() throws Exception {
        return Fixtures.open(props);
    }

    private static void assertConfigurationError(String expected, Executable action) {
        SigilException e = assertThrows(SigilException.class, action);
        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertEquals(expected, e.getMessage());
    }
}
