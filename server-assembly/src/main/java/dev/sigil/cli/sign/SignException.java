package dev.sigil.cli.sign;

/**
 * A failure {@code sigil-sign} reports to its user: the message is one line, ready to follow
 * "sigil-sign: ", and never contains a secret. Exit code 1.
 */
class SignException extends Exception {
    private static final long serialVersionUID = 1L;

    SignException(String message) {
        super(message);
    }

    SignException(String message, Throwable cause) {
        super(message, cause);
    }
}
