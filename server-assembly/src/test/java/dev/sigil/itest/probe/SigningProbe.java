package dev.sigil.itest.probe;

import dev.sigil.api.EcCurve;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.signing.SigningService;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Properties;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Test-only bundle (never in the distribution): signs through the core {@link SigningService}
 * inside the running framework, and writes what it got to the file named by the system property
 * {@value #OUT}, for the integration test to verify with the certificates on disk.
 */
public final class SigningProbe implements BundleActivator {
    public static final String OUT = "sigil.itest.probe.out";
    public static final String MESSAGE = "Sigil integration test message";

    private ServiceTracker<SigningService, SigningService> tracker;
    private Thread worker;

    @Override
    public void start(BundleContext context) {
        tracker = new ServiceTracker<>(context, SigningService.class, null);
        tracker.open();
        worker = new Thread(() -> run(Path.of(context.getProperty(OUT))), "signing-probe");
        worker.start();
    }

    @Override
    public void stop(BundleContext context) throws InterruptedException {
        worker.interrupt();
        worker.join(5000);
        tracker.close();
    }

    private void run(Path out) {
        Properties p = new Properties();
        try {
            SigningService signing = tracker.waitForService(30_000);
            long deadline = System.currentTimeMillis() + 30_000;
            while (signing.backends().stream().noneMatch(b -> b.id().equals("default"))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("backend 'default' never appeared");
                }
                Thread.sleep(50);
            }
            byte[] message = MESSAGE.getBytes(StandardCharsets.UTF_8);
            KeyRef demo = new KeyRef("default", "demo");
            KeyInfo generated = signing.generateKey("default", KeySpec.ec(EcCurve.P256), "probe-ec");
            p.setProperty("ec.keyId", generated.ref().keyId());
            for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
                KeyRef key = a.keyType() == KeyType.RSA ? demo : generated.ref();
                byte[] digest = MessageDigest.getInstance(a.hash().jcaName()).digest(message);
                byte[] sig = signing.signDigest(key, a, digest);
                p.setProperty("sig." + a.name(), Base64.getEncoder().encodeToString(sig));
            }
            try {
                signing.signDigest(demo, SignatureAlgorithm.RSA_PKCS1_SHA256, new byte[20]);
                p.setProperty("shortDigest", "accepted");
            } catch (SigilException e) {
                p.setProperty("shortDigest", e.code().name());
            }
            p.setProperty("done", "true");
        } catch (Exception e) {
            p.setProperty("failure", e.toString());
        }
        try {
            Path tmp = Files.createTempFile(out.getParent(), "probe", ".tmp");
            try (OutputStream o = Files.newOutputStream(tmp)) {
                p.store(o, null);
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            e.printStackTrace();
        }
    }
}
