package dev.sigil.transport.https.internal;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the errors that Jetty produces itself (malformed HTTP, oversized headers, the concurrency
 * limit, an exception that escaped a handler) in the same JSON shape as the routes' errors. Never
 * returns Jetty's message or a stack trace; the exception goes to the log with the request id.
 */
final class JsonErrorHandler implements Request.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(JsonErrorHandler.class);

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        Object attr = request.getAttribute(ErrorHandler.ERROR_STATUS);
        if (attr instanceof Integer) {
            status = (Integer) attr;
        }
        if (status < 400) {
            status = 500;
        }
        if (status == 505 || status == 501) {
            // An HTTP version or a transfer coding we do not speak is the client's malformed request,
            // not a failure of the server: only the server's own failures are 5xx.
            status = 400;
        }
        Object cause = request.getAttribute(ErrorHandler.ERROR_EXCEPTION);
        if (status == 503) {
            // The concurrency limit shedding load (QoSHandler's timeout), not a failure: the access log
            // has the 503, and a stack trace per refused request would flood the log under load.
            LOG.debug("Request {} refused: {}", RequestIdHandler.id(request), cause);
        } else if (cause instanceof Throwable && status >= 500) {
            LOG.error("Request {} failed", RequestIdHandler.id(request), (Throwable) cause);
        }
        RequestIdHandler.header(request, response);
        ApiError error = new ApiError(status, ErrorMapping.errorName(status), ErrorMapping.describe(status),
                status == 503 ? 1 : 0);
        response.getHeaders().remove(HttpHeader.CONTENT_TYPE);
        Router.sendError(request, response, callback, error);
        return true;
    }
}
