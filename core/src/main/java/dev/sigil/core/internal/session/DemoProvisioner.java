package dev.sigil.core.internal.session;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.SigningBackend;
import dev.sigil.api.credential.Credential;
import dev.sigil.api.session.RequestContext;
import dev.sigil.core.internal.store.AuditEvent;
import dev.sigil.core.internal.store.AuditLog;
import dev.sigil.core.internal.store.CredentialRepository;
import dev.sigil.core.internal.store.CredentialRepository.StoredCredential;
import dev.sigil.core.internal.store.Store;
import dev.sigil.core.internal.store.StoreComponent;
import dev.sigil.core.internal.store.UserRepository;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default's demo account (PID {@value #PID}): on the first start, a user with a random
 * password, an enrolled TOTP seed, and one credential per demo key of the backend, each with a
 * random PIN. The secrets are written once to an owner-only file for the person trying Sigil (the
 * launcher prints them with a QR code); the store keeps only their hashes and the encrypted seed.
 * Does nothing when the user exists. For development installations only.
 */
@Component(configurationPid = DemoProvisioner.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
@Designate(ocd = DemoProvisioner.Config.class)
public final class DemoProvisioner {
    /** The configuration PID. */
    public static final String PID = "dev.sigil.demo";
    private static final Logger LOG = LoggerFactory.getLogger(DemoProvisioner.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    @ObjectClassDefinition(name = "Sigil demo account", description = "Provisions a demo user on first start")
    @interface Config {
        @AttributeDefinition(description = "The demo user's id")
        String user() default "demo";

        @AttributeDefinition(description = "Key ids in the backend, comma-separated; one credential each, named "
                + "after the key")
        String keys() default "demo,demo-ec";

        @AttributeDefinition(description = "Where to write the demo's secrets (owner-only)")
        String output_file();

        @AttributeDefinition(description = "Issuer name in the otpauth URI")
        String issuer() default "Sigil";

        @AttributeDefinition(description = "Target of the backend reference")
        String backend_target() default "(sigil.backend.id=default)";
    }

    @Activate
    public DemoProvisioner(@Reference StoreComponent store,
                           @Reference(target = "(" + Authenticator.PROPERTY_FACTOR + "=PASSWORD)") Authenticator password,
                           @Reference(target = "(" + Authenticator.PROPERTY_FACTOR + "=PIN)") Authenticator pin,
                           @Reference(target = "(" + Authenticator.PROPERTY_FACTOR + "=TOTP)") Authenticator totp,
                           @Reference(name = "backend", target = "(sigil.backend.id=default)") SigningBackend backend,
                           Config config) throws SigilException {
        provision(store.store(), password, pin, totp, backend, config.user(),
                Arrays.stream(config.keys().split(",")).map(String::trim).filter(k -> !k.isEmpty()).toList(),
                Path.of(config.output_file()), config.issuer(), Clock.systemUTC());
    }

    /** Creates the demo account unless the user exists; returns whether it did. */
    static boolean provision(Store store, Authenticator password, Authenticator pin, Authenticator totp,
                             SigningBackend backend, String userId, List<String> keyIds, Path output, String issuer,
                             Clock clock) throws SigilException {
        UserRepository users = new UserRepository();
        CredentialRepository credentials = new CredentialRepository();
        if (store.inTransaction(c -> users.find(c, userId)).isPresent()) {
            return false;
        }
        List<KeyInfo> keys = new ArrayList<>();
        for (String id : keyIds) {
            keys.add(backend.key(new KeyRef(backend.id(), id)));
        }
        char[] pwd = randomChars("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 16);
        char[] seed = OtpAuth.newSeed();
        List<char[]> pins = new ArrayList<>();
        try {
            var pwdRecord = password.enroll(pwd);
            var totpRecord = totp.enroll(seed);
            List<StoredCredential> creds = new ArrayList<>();
            long now = clock.millis();
            for (KeyInfo k : keys) {
                char[] p = randomChars("0123456789", 6);
                pins.add(p);
                creds.add(new StoredCredential(new Credential(k.ref().keyId(), userId, k.ref(), k.chain(),
                        k.algorithms(), 10, 2, true), pin.enroll(p), "Demo key " + k.ref().keyId(), now));
            }
            StringBuilder file = new StringBuilder()
                    .append("# Sigil demo account, made on the first start. Development only: keep this file private.\n")
                    .append("user=").append(userId).append('\n')
                    .append("password=").append(pwd).append('\n')
                    .append("totp.seed=").append(seed).append('\n')
                    .append("totp.uri=").append(OtpAuth.uri(issuer, userId, seed, totpRecord)).append('\n');
            for (int i = 0; i < creds.size(); i++) {
                file.append("credential.").append(i + 1).append('=').append(creds.get(i).credential().id()).append('\n')
                        .append("credential.").append(i + 1).append(".pin=").append(pins.get(i)).append('\n');
            }
            // Written before the account exists (so its secrets cannot be lost), published after the
            // account is committed (so that whoever reads the file can log in).
            Path draft = writeOwnerOnly(output, file.toString());
            AuditLog audit = store.audit();
            store.inTransaction(c -> {
                users.insert(c, new UserRepository.User(userId, "Demo user", true, now));
                users.putFactor(c, userId, pwdRecord, now);
                users.putFactor(c, userId, totpRecord, now);
                for (StoredCredential sc : creds) {
                    credentials.insert(c, sc);
                }
                audit.append(c, new AuditEvent("admin.provision", AuditEvent.Outcome.SUCCESS, userId, null, RequestContext.LOCAL,
                        "demo user with " + creds.size() + " credential(s)"));
                return null;
            });
            publish(draft, output);
            LOG.info("Demo user '{}' with {} credential(s) created; its secrets are in {}", userId, creds.size(), output);
            return true;
        } finally {
            Arrays.fill(pwd, '\0');
            Arrays.fill(seed, '\0');
            pins.forEach(p -> Arrays.fill(p, '\0'));
        }
    }

    private static char[] randomChars(String alphabet, int n) {
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            out[i] = alphabet.charAt(RANDOM.nextInt(alphabet.length()));
        }
        return out;
    }

    /** Writes an owner-only draft next to {@code file}; returns it. */
    private static Path writeOwnerOnly(Path file, String content) throws SigilException {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".demo", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the profile's ACLs apply
            }
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            return tmp;
        } catch (IOException e) {
            throw new SigilException(ErrorCode.CONFIGURATION, "demo: cannot write " + file + " (" + e.getMessage() + ")", e);
        }
    }

    private static void publish(Path draft, Path file) throws SigilException {
        try {
            Files.move(draft, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new SigilException(ErrorCode.CONFIGURATION, "demo: the account exists but " + file
                    + " could not be written; its secrets are in " + draft, e);
        }
    }
}
