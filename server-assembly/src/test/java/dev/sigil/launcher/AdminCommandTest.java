package dev.sigil.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

class AdminCommandTest {
    private static final String DEMO = """
            # Sigil demo account, made on the first start. Development only: keep this file private.
            user=demo
            password=Kq7pXw2mN9vRt4Ls
            totp.seed=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
            totp.uri=otpauth://totp/Sigil:demo?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Sigil
            credential.1=demo
            credential.1.pin=959067
            credential.2=demo-ec
            credential.2.pin=193987
            """;

    @TempDir
    Path data;

    private record Run(int code, String out, String err) {
    }

    private Run admin(String... args) {
        AdminCommand admin = new AdminCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        admin.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        // As AdminCommand.main reports a failure: one line.
        CommandLine cmd = new CommandLine(admin).setErr(new java.io.PrintWriter(errStream, true))
                .setExecutionExceptionHandler((e, c, parsed) -> {
                    errStream.println("sigil-admin: " + e.getMessage());
                    return 1;
                });
        String[] all = new String[args.length + 2];
        all[0] = "--data";
        all[1] = data.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int code = cmd.execute(all);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void demoForgetRemovesTheCleartextSecretsAndSaysWhatToRemember() throws Exception {
        Path file = Files.writeString(data.resolve("demo-account.properties"), DEMO);

        Run r = admin("demo", "forget", "--yes");

        assertEquals(0, r.code(), r.out() + r.err());
        assertFalse(Files.exists(file), "the file is gone");
        assertTrue(r.out().contains("Removed " + file), r.out());
        assertTrue(r.out().contains("user demo") && r.out().contains("demo, demo-ec"), r.out());
        assertTrue(r.out().contains("remember"), r.out());
        for (String secret : new String[] {"Kq7pXw2mN9vRt4Ls", "JBSWY3DPEHPK3PXP", "959067", "193987"}) {
            assertFalse(r.out().contains(secret) || r.err().contains(secret), "no secret is shown: " + r.out());
        }
        Path marker = data.resolve("demo-account.forgotten");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(marker)));
        String note = Files.readString(marker);
        assertFalse(note.contains("959067") || note.contains("Kq7pXw2mN9vRt4Ls"), note);
        try (var left = Files.list(data)) {
            assertEquals(java.util.List.of(marker), left.toList(), "no copy or temporary file is left behind");
        }
    }

    @Test
    void demoForgetAsksForConfirmationAndDoesNothingWithoutIt() throws Exception {
        Path file = Files.writeString(data.resolve("demo-account.properties"), DEMO);

        Run r = admin("demo", "forget");

        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("--yes"), r.err());
        assertEquals(DEMO, Files.readString(file));
    }

    @Test
    void demoForgetWithoutADemoFileFails() {
        Run r = admin("demo", "forget", "--yes");

        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("sigil-admin: no demo account file " + data.resolve("demo-account.properties")),
                r.err());
    }

    @Test
    void demoForgetRefusesASymbolicLinkAndLeavesItsTargetAlone() throws Exception {
        Path target = Files.writeString(data.resolve("elsewhere.txt"), "not the demo file\n");
        Files.createSymbolicLink(data.resolve("demo-account.properties"), target);

        Run r = admin("demo", "forget", "--yes");

        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("not a regular file"), r.err());
        assertEquals("not the demo file\n", Files.readString(target));
        assertTrue(Files.isSymbolicLink(data.resolve("demo-account.properties")));
    }

    @Test
    void aReasonWithoutAMessageNamesTheExceptionInstead() {
        // What java.net.http throws for a refused connection.
        assertEquals("ConnectException", AdminCommand.why(new ConnectException()));
        assertEquals("Connection reset", AdminCommand.why(new IOException("Connection reset")));
    }
}
