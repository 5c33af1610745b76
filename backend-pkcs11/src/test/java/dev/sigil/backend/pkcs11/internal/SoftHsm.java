package dev.sigil.backend.pkcs11.internal;

import static org.junit.jupiter.api.Assertions.fail;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SIGN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PRIVATE_KEY;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;

import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.backend.testkit.ComponentConfigs;

/**
 * The real SoftHSM2 the tests run against: its configuration in {@code target/softhsm} (named by
 * {@code SOFTHSM2_CONF}, which the surefire configuration sets for the test JVM, because SoftHSM
 * reads it from the process environment at {@code C_Initialize}), tokens made with
 * {@code softhsm2-util}, keys made with OpenSC's {@code pkcs11-tool}, backends and their
 * configurations, and signature verification with BouncyCastle.
 *
 * <p>A missing SoftHSM2 or OpenSC fails the tests with the command that installs them; nothing is
 * skipped.
 */
final class SoftHsm {
    static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    static final String USER_PIN = "2468-user";
    static final String SO_PIN = "1357-officer";
    /** The tests' own BouncyCastle instance, for verifying signatures. */
    static final Provider BC = new BouncyCastleProvider();
    private static final String INSTALL = "apt-get install softhsm2 opensc";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static boolean ready;

    /**
     * Checks that SoftHSM2 and OpenSC are installed and writes the SoftHSM configuration with an
     * empty token directory. Call before any backend is opened (before the first C_Initialize).
     */
    static synchronized void ready() throws IOException {
        if (ready) {
            return;
        }
        if (!Files.isRegularFile(LIBRARY)) {
            fail("SoftHSM2 is not installed (" + LIBRARY + " is missing): " + INSTALL);
        }
        for (String tool : List.of("softhsm2-util", "pkcs11-tool")) {
            if (!onPath(tool)) {
                fail(tool + " is not on the PATH: " + INSTALL);
            }
        }
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null || conf.isBlank()) {
            fail("SOFTHSM2_CONF is not set: run the tests through Maven, whose surefire configuration sets it");
        }
        Path confFile = Path.of(conf);
        Path tokens = confFile.getParent().resolve("tokens");
        if (Files.exists(tokens)) {
            try (Stream<Path> walk = Files.walk(tokens)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(tokens);
        Files.writeString(confFile, "directories.tokendir = " + tokens + "\n"
                + "objectstore.backend = file\n"
                + "log.level = ERROR\n", StandardCharsets.UTF_8);
        ready = true;
    }

    /** A token label no other test uses (SoftHSM tokens of one run share one directory). */
    static String uniqueLabel(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet() + "-" + ProcessHandle.current().pid();
    }

    /**
     * Creates a token with the test PINs.
     *
     * @return the slot id SoftHSM gave it
     */
    static long initToken(String label) throws Exception {
        String out = run("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", USER_PIN,
                "--so-pin", SO_PIN);
        Matcher m = Pattern.compile("reassigned to slot (\\d+)").matcher(out);
        if (!m.find()) {
            fail("softhsm2-util did not say which slot token " + label + " got:\n" + out);
        }
        return Long.parseLong(m.group(1));
    }

    static void deleteToken(String label) throws Exception {
        run("softhsm2-util", "--delete-token", "--token", label);
    }

    /** Generates a signing key pair with pkcs11-tool, e.g. {@code rsa:2048} or {@code EC:secp384r1}. */
    static void pkcs11ToolKeyPair(String tokenLabel, String keyType, String idHex, String keyLabel) throws Exception {
        run("pkcs11-tool", "--module", LIBRARY.toString(), "--token-label", tokenLabel, "--login", "--pin", USER_PIN,
                "--keypairgen", "--key-type", keyType, "--id", idHex, "--label", keyLabel, "--usage-sign");
    }

    /** The DER SubjectPublicKeyInfo that pkcs11-tool reads for the public key with this id. */
    static byte[] pkcs11ToolPublicKey(String tokenLabel, String idHex, Path dir) throws Exception {
        Path out = dir.resolve("pub-" + idHex + ".der");
        run("pkcs11-tool", "--module", LIBRARY.toString(), "--token-label", tokenLabel, "--read-object",
                "--type", "pubkey", "--id", idHex, "--output-file", out.toString());
        return Files.readAllBytes(out);
    }

    static void pkcs11ToolDeletePrivateKey(String tokenLabel, String idHex) throws Exception {
        run("pkcs11-tool", "--module", LIBRARY.toString(), "--token-label", tokenLabel, "--login", "--pin", USER_PIN,
                "--delete-object", "--type", "privkey", "--id", idHex);
    }

    /**
     * Sets {@code CKA_SIGN} of the private key with this CKA_ID, as an operator disabling or enabling
     * a key would, on a read-write session of the test's own (logged in through the backend's login,
     * which PKCS#11 shares among all sessions of the process).
     */
    static void setCkaSign(Pkcs11Backend backend, String tokenLabel, String idHex, boolean sign) throws Exception {
        Session session = null;
        for (Slot slot : backend.sharedModule().module().getSlotList(true)) {
            if (slot.getToken().getTokenInfo().getLabel().strip().equals(tokenLabel)) {
                session = slot.getToken().openSession(true);
                break;
            }
        }
        if (session == null) {
            fail("no slot holds token " + tokenLabel);
        }
        try {
            long[] handles = session.findObjectsSingle(
                    new AttributeVector().class_(CKO_PRIVATE_KEY).id(TokenKeys.ckaId(idHex)), 2);
            if (handles.length != 1) {
                fail(handles.length + " private keys with CKA_ID " + idHex + " on " + tokenLabel);
            }
            session.setAttributeValues(handles[0], new AttributeVector().sign(sign));
            if (!Boolean.valueOf(sign).equals(session.getAttrValues(handles[0], CKA_SIGN).sign())) {
                fail("SoftHSM did not set CKA_SIGN to " + sign);
            }
        } finally {
            session.closeSession();
        }
    }

    /** Runs a tool with this run's SOFTHSM2_CONF; fails the test with its output if it exits non-zero. */
    static String run(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", System.getenv("SOFTHSM2_CONF"));
        Process p = pb.start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 120 s");
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    /** A file holding {@code pin} and a newline, as an operator would write it. */
    static Path pinFile(String pin) throws IOException {
        Path dir = Path.of(System.getenv("SOFTHSM2_CONF")).getParent().resolve("pins");
        Files.createDirectories(dir);
        Path file = dir.resolve("pin-" + COUNTER.incrementAndGet() + ".txt");
        Files.writeString(file, pin + "\n", StandardCharsets.UTF_8);
        return file;
    }

    /** The configuration of a backend on the token with this label, with the right PIN in a file. */
    static Map<String, Object> config(String backendId, String tokenLabel) throws IOException {
        Map<String, Object> props = new HashMap<>();
        props.put("sigil.backend.id", backendId);
        props.put("module.path", LIBRARY.toString());
        props.put("token.label", tokenLabel);
        props.put("user.pin.file", pinFile(USER_PIN).toString());
        return props;
    }

    static Pkcs11Backend open(Map<String, Object> props) throws Exception {
        Pkcs11Settings settings = Pkcs11Settings.from(config(props), name -> null);
        try {
            return new Pkcs11Backend(settings);
        } finally {
            settings.clearPin();
        }
    }

    /**
     * The configuration annotation as Declarative Services builds it: a property's value converted
     * to the element's type, else the element's default, else null.
     */
    static Pkcs11BackendConfig config(Map<String, Object> props) {
        return ComponentConfigs.of(Pkcs11BackendConfig.class, props);
    }

    /** The digest of {@code message} with the algorithm's hash. */
    static byte[] digest(SignatureAlgorithm algorithm, byte[] message) throws GeneralSecurityException {
        return MessageDigest.getInstance(algorithm.hash().jcaName()).digest(message);
    }

    /** Verifies a signature over {@code message} with BouncyCastle, as a relying party would. */
    static boolean verify(SignatureAlgorithm algorithm, PublicKey key, byte[] message, byte[] signature)
            throws GeneralSecurityException {
        String hash = algorithm.hash().jcaName().replace("-", "");
        Signature verifier;
        switch (algorithm.scheme()) {
            case PSS -> {
                verifier = Signature.getInstance(hash + "withRSAandMGF1", BC);
                String name = algorithm.hash().jcaName();
                verifier.setParameter(new PSSParameterSpec(name, "MGF1", new MGF1ParameterSpec(name),
                        algorithm.digestLength(), 1));
            }
            case PKCS1_V1_5 -> verifier = Signature.getInstance(hash + "withRSA", BC);
            default -> verifier = Signature.getInstance(hash + "withECDSA", BC);
        }
        verifier.initVerify(key);
        verifier.update(message);
        return verifier.verify(signature);
    }

    /** Waits until {@code condition} holds, for at most {@code timeoutMs}; false if it never did. */
    static boolean await(long timeoutMs, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }


    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private SoftHsm() {
    }
}
