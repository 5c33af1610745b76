package dev.sigil.api.admin;

/**
 * One audit record.
 *
 * @param seq           its position in the chain
 * @param at            epoch milliseconds
 * @param event         what happened
 * @param outcome       SUCCESS, REFUSED or ERROR
 * @param userId        the user, or null
 * @param credentialId  the credential, or null
 * @param requestId     the HTTP request id, or null
 * @param clientAddress the client's address ({@code local} for the administrator's tools), or null
 *                      for records written before addresses were kept
 * @param detail        a short sentence
 * @param recordHash    the record's link in the chain (hex), which checkpoints and exports name
 * @since 1.1 (clientAddress, recordHash)
 */
public record AuditRecord(long seq, long at, String event, String outcome, String userId, String credentialId,
                          String requestId, String clientAddress, String detail, String recordHash) {
    /** A record without address and hash, as version 1.0 of this package made them. */
    public AuditRecord(long seq, long at, String event, String outcome, String userId, String credentialId,
                       String requestId, String detail) {
        this(seq, at, event, outcome, userId, credentialId, requestId, null, detail, null);
    }
}
