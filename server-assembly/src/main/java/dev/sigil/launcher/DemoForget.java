package dev.sigil.launcher;

import java.io.Console;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sigil-admin demo forget}: removes {@code demo-account.properties}, the one place where the
 * demo account's password, PINs and TOTP seed are kept in cleartext (the database keeps only their
 * verifiers and the encrypted seed). Works on the data directory alone; the server need not run.
 *
 * <p>"Safely": the file is opened without following links and must be a regular file; its bytes are
 * overwritten with zeros and forced to disk before it is deleted (on a journaling or copy-on-write
 * file system, or an SSD, older copies of the blocks may survive: the overwrite is best effort, the
 * deletion is not). A note without secrets, {@code demo-account.forgotten}, takes its place, so that
 * the launcher knows not to wait for the file at the next start.
 */
final class DemoForget {
    static final String FILE = "demo-account.properties";
    static final String NOTE = "demo-account.forgotten";

    private DemoForget() {
    }

    @Command(name = "demo", description = "The demo account of the embedded default: forget.")
    static final class Demo {
        @ParentCommand
        AdminCommand admin;

        @Command(name = "forget", description = "Removes " + FILE + " from the data directory (its password, PINs"
                + " and TOTP seed in cleartext), after you have noted them. Works without the server.")
        int forget(@Option(names = "--yes", description = "Do not ask for confirmation") boolean yes) throws Exception {
            Path file = admin.data.resolve(FILE);
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new AdminCommand.Failure("no demo account file " + file + " (already forgotten, or --data is not"
                        + " the server's data directory)");
            }
            if (!attributes.isRegularFile()) {
                throw new AdminCommand.Failure(file + " is not a regular file (a link or a directory): left as it is");
            }
            Map<String, String> names = names(file);
            String user = names.getOrDefault("user", "?");
            List<String> credentials = new ArrayList<>();
            for (int i = 1; names.containsKey("credential." + i); i++) {
                credentials.add(names.get("credential." + i));
            }
            if (!yes && !confirmed(file)) {
                throw new AdminCommand.Failure("nothing removed: confirm on the terminal, or run with --yes");
            }
            overwriteAndDelete(file, attributes.size());
            Path note = admin.data.resolve(NOTE);
            writeNote(note, "# The demo account's secrets were removed from " + FILE + " at " + Instant.now()
                    + " (sigil-admin demo forget).\nuser=" + user + "\ncredentials=" + String.join(",", credentials) + "\n");

            String creds = String.join(", ", credentials);
            admin.out.println("Removed " + file + " (overwritten with zeros, then deleted).");
            admin.out.println("Sigil keeps only verifiers of the password and PINs and the encrypted TOTP seed: it cannot"
                    + " show them again. From now on, remember:");
            admin.out.println("  - the password of user " + user);
            admin.out.println("  - the PIN of each credential: " + creds);
            admin.out.println("  - your authenticator app, which holds the one-time-code seed");
            admin.out.println("Lost one? sigil-admin user password " + user + " (a new password), sigil-admin totp enroll "
                    + user + " (a new seed); a lost PIN needs a new credential (sigil-admin credential create).");
            return 0;
        }

        private boolean confirmed(Path file) {
            Console console = System.console();
            if (console == null) {
                return false;
            }
            admin.out.println(file + " holds the demo account's password, PINs and TOTP seed in cleartext.");
            admin.out.println("Once removed, nobody can show them again. Have you noted them (or scanned the QR code)?");
            String answer = console.readLine("Type 'forget' to remove the file: ");
            return answer != null && answer.strip().equals("forget");
        }
    }

    /**
     * The names in the file ({@code user}, {@code credential.N}), read from its bytes without making a
     * string of any other line: the secrets stay in a byte array that is zeroed.
     */
    static Map<String, String> names(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            Map<String, String> names = new HashMap<>();
            int start = 0;
            for (int i = 0; i <= bytes.length; i++) {
                if (i == bytes.length || bytes[i] == '\n') {
                    int eq = indexOf(bytes, (byte) '=', start, i);
                    if (eq > start) {
                        String key = new String(bytes, start, eq - start, StandardCharsets.UTF_8).strip();
                        if (key.equals("user") || key.matches("credential\\.[0-9]+")) {
                            names.put(key, new String(bytes, eq + 1, i - eq - 1, StandardCharsets.UTF_8).strip());
                        }
                    }
                    start = i + 1;
                }
            }
            return names;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static int indexOf(byte[] bytes, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Zeros over every byte, forced to disk, then the file deleted; links are never followed. */
    static void overwriteAndDelete(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer zeros = ByteBuffer.allocate(4096);
            for (long written = 0; written < size; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - written));
                written += ch.write(zeros, written);
            }
            ch.force(true);
        }
        Files.delete(file);
    }

    private static void writeNote(Path note, String text) throws IOException {
        Path tmp = Files.createTempFile(note.getParent(), ".forgotten", ".tmp"); // 0600 on POSIX
        try {
            DevelopmentPki.ownerOnly(tmp);
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, note, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
