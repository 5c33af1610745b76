package dev.sigil.transport.https.internal;

import java.security.SecureRandom;
import java.util.HexFormat;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Gives every request a random id, returned in {@code X-Request-Id} and in every error body, and
 * used in log lines so that an operator can find a client's failed request.
 */
final class RequestIdHandler extends Handler.Wrapper {
    static final String HEADER = "X-Request-Id";
    private static final String ATTRIBUTE = "dev.sigil.requestId";
    private static final SecureRandom RANDOM = new SecureRandom();

    RequestIdHandler(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        header(request, response);
        return super.handle(request, response, callback);
    }

    /** The request's id, assigned on first use (also for requests Jetty rejects before routing). */
    static String id(Request request) {
        Object id = request.getAttribute(ATTRIBUTE);
        if (id instanceof String) {
            return (String) id;
        }
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        String fresh = HexFormat.of().formatHex(b);
        request.setAttribute(ATTRIBUTE, fresh);
        return fresh;
    }

    /** Adds the header once the id is known. */
    static void header(Request request, Response response) {
        response.getHeaders().put(HEADER, id(request));
    }
}
