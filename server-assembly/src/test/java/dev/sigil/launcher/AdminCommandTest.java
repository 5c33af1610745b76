package dev.sigil.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ConnectException;

import org.junit.jupiter.api.Test;

class AdminCommandTest {
    @Test
    void aReasonWithoutAMessageNamesTheExceptionInstead() {
        // What java.net.http throws for a refused connection.
        assertEquals("ConnectException", AdminCommand.why(new ConnectException()));
        assertEquals("Connection reset", AdminCommand.why(new IOException("Connection reset")));
    }
}
