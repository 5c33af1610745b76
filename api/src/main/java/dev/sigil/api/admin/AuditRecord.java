package dev.sigil.api.admin;

/**
 * One audit record.
 *
 * @param seq          its position in the chain
 * @param at           epoch milliseconds
 * @param event        what happened
 * @param outcome      SUCCESS, REFUSED or ERROR
 * @param userId       the user, or null
 * @param credentialId the credential, or null
 * @param requestId    the HTTP request id, or null
 * @param detail       a short sentence
 */
public record AuditRecord(long seq, long at, String event, String outcome, String userId, String credentialId,
                          String requestId, String detail) {
}
