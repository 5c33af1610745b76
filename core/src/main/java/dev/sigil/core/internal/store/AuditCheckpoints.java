package dev.sigil.core.internal.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Signed checkpoints of the audit log's head, appended to a file outside the database, one line
 * each:
 *
 * <pre>sigil-audit-checkpoint-v1 &lt;seq&gt; &lt;record hash&gt; &lt;epoch ms&gt; &lt;HMAC-SHA256&gt;</pre>
 *
 * <p>A writer with database access can delete the newest records and move the head back, or
 * rewrite records; a checkpoint naming a record that is gone, or that now has another hash, shows
 * it. The file is only ever appended to (opened with {@code APPEND}, synced after each line), made
 * owner-only; keep it on other storage than the database, or ship it (each line is also logged).
 *
 * <p>Thread-safe: appends are serialized. Several server nodes each keep their own file.
 */
public final class AuditCheckpoints {
    static final String MAGIC = "sigil-audit-checkpoint-v1";
    private static final Pattern LINE = Pattern.compile(MAGIC + " ([1-9][0-9]{0,18}|0) ([0-9a-f]{64}) ([0-9]{1,19}) "
            + "([0-9a-f]{64})");

    /** One checkpoint: the head's sequence number and hash at a time. */
    public record Checkpoint(long seq, String recordHash, long at) {
        String text() {
            return MAGIC + " " + seq + " " + recordHash + " " + at;
        }

        /** The checkpoint's line: its text and the HMAC of the text under the audit key. */
        String signedWith(AuditKey key) {
            return text() + " " + key.checkpoint(text());
        }
    }

    /**
     * A line of the file as read back.
     *
     * @param line       its number, from 1
     * @param checkpoint the checkpoint, if the line is well formed and its signature right
     * @param problem    else why not
     */
    public record Entry(int line, Checkpoint checkpoint, String problem) {
    }

    private final Path file;
    private final AuditKey key;

    public AuditCheckpoints(Path file, AuditKey key) {
        this.file = file;
        this.key = key;
    }

    /** Where the checkpoints go. */
    public Path file() {
        return file;
    }

    /** Appends one checkpoint and syncs it to the disk; returns the line written. */
    public synchronized String append(Checkpoint c) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir);
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException exists) {
            // appended to below
        } catch (UnsupportedOperationException notPosix) {
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
        }
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND, StandardOpenOption.SYNC)) {
            String line = c.signedWith(key);
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            return line;
        }
    }

    /** Every line of the file, checked; empty if the file does not exist. */
    public List<Entry> read() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        for (int i = 0; i < lines.size(); i++) {
            out.add(parse(i + 1, lines.get(i)));
        }
        return out;
    }

    private Entry parse(int n, String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return new Entry(n, null, "line " + n + " of " + file + " is not a checkpoint");
        }
        Checkpoint c;
        try {
            c = new Checkpoint(Long.parseLong(m.group(1)), m.group(2), Long.parseLong(m.group(3)));
        } catch (NumberFormatException e) {
            return new Entry(n, null, "line " + n + " of " + file + " is not a checkpoint");
        }
        byte[] expected = key.checkpoint(c.text()).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, m.group(4).getBytes(StandardCharsets.US_ASCII))) {
            return new Entry(n, null, "the checkpoint on line " + n + " of " + file
                    + " does not carry the audit key's signature (forged, or another key)");
        }
        return new Entry(n, c, null);
    }

    /** The last well-formed, signed checkpoint, if any. */
    public Optional<Checkpoint> last() throws IOException {
        List<Entry> all = read();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).checkpoint() != null) {
                return Optional.of(all.get(i).checkpoint());
            }
        }
        return Optional.empty();
    }
}
