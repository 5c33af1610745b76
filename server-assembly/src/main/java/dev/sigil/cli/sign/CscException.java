package dev.sigil.cli.sign;

/**
 * The server refused a request: its CSC {@code error} and {@code error_description}, prefixed by
 * the endpoint, e.g. {@code credentials/authorize: invalid_grant: Invalid OTP}.
 */
final class CscException extends SignException {
    private static final long serialVersionUID = 1L;

    /** The HTTP status of the answer. */
    final int status;
    /** The CSC error name ({@code invalid_grant}, ...), or {@code null} if the body had none. */
    final String error;

    CscException(String endpoint, int status, String error, String description) {
        super(message(endpoint, status, error, description));
        this.status = status;
        this.error = error;
    }

    private static String message(String endpoint, int status, String error, String description) {
        if (error == null || error.isBlank()) {
            return endpoint + ": HTTP " + status;
        }
        return endpoint + ": " + oneLine(error) + (description == null || description.isBlank() ? "" : ": " + oneLine(description));
    }

    /** Server text on one line, so that an error stays one line on stderr. */
    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n\\t]+", " ").strip();
    }
}
