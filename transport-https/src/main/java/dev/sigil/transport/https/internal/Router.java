package dev.sigil.transport.https.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.session.RequestContext;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Maps exact paths to JSON endpoints and enforces what every endpoint needs: the method, a JSON
 * content type for bodies and a well-formed JSON object (the body's size and pace are
 * {@link BodyReader}'s, in front). Every answer, success
 * or error, is JSON with {@code Cache-Control: no-store}.
 *
 * <p>Blocking: endpoints may wait on a backend, so this handler keeps Jetty's default blocking
 * invocation type. Never logs request bodies (they carry SADs and one-time codes).
 */
final class Router extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    /** A route: the methods it accepts and its endpoint. */
    record Route(List<String> methods, Endpoint endpoint) {
    }

    private final Map<String, Route> routes = new LinkedHashMap<>();

    /** Adds a route; call before the server starts. */
    Router route(String path, List<String> methods, Endpoint endpoint) {
        routes.put(path, new Route(List.copyOf(methods), endpoint));
        return this;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        Route route = routes.get(path);
        Endpoint.Reply reply;
        try {
            if (route == null) {
                throw new ApiError(404, "invalid_request", "No such endpoint: " + truncate(path));
            }
            if (request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_2
                    && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
                // RFC 9113 8.2.2: a connection-specific field makes an HTTP/2 request malformed.
                throw ApiError.invalidRequest("Malformed HTTP/2 request: Transfer-Encoding is not allowed");
            }
            String method = request.getMethod();
            if (!route.methods().contains(method)) {
                response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", route.methods()));
                throw new ApiError(405, "invalid_request", "Method " + truncate(method) + " is not allowed on "
                        + path + "; use " + String.join(" or ", route.methods()));
            }
            ObjectNode body = "POST".equals(method) ? readBody(request) : Json.object();
            reply = route.endpoint().handle(new Endpoint.Call(body,
                    request.getHeaders().get(HttpHeader.AUTHORIZATION),
                    new RequestContext(RequestIdHandler.id(request), Request.getRemoteAddr(request))));
        } catch (ApiError e) {
            sendError(request, response, callback, e);
            return true;
        } catch (SigilException e) {
            if (e.code() == ErrorCode.BUSY) {
                // Load shed on purpose (the access log has the 503): under a flood, a line per refusal
                // would cost more than the refusal.
                LOG.debug("Request {} shed: {}", RequestIdHandler.id(request), e.getMessage());
            } else if (e.code().retryable()) {
                LOG.warn("Request {} failed: {} {}", RequestIdHandler.id(request), e.code(), e.getMessage());
            } else if (ErrorMapping.row(e.code()).status() >= 500) {
                LOG.warn("Request {} failed: {} {}", RequestIdHandler.id(request), e.code(), e.getMessage(), e);
            }
            sendError(request, response, callback, ErrorMapping.toApiError(e));
            return true;
        } catch (RuntimeException e) {
            LOG.error("Request {} failed", RequestIdHandler.id(request), e);
            sendError(request, response, callback, new ApiError(500, "server_error", ErrorMapping.describe(500)));
            return true;
        }
        send(response, callback, reply.status(), reply.body());
        return true;
    }

    /**
     * The body as one JSON object; an empty body is an empty object. {@link BodyReader}, in front of
     * the concurrency limit, has already read it whole and checked its size and pace, so no slot of
     * the limit waits on a slow client here.
     */
    private ObjectNode readBody(Request request) throws ApiError {
        byte[] body = BodyReader.body(request);
        if (body.length == 0) {
            return Json.object();
        }
        HttpField contentType = request.getHeaders().getField(HttpHeader.CONTENT_TYPE);
        String mime = contentType == null ? null : MimeTypes.getContentTypeWithoutCharset(contentType.getValue());
        if (mime == null || !mime.trim().equalsIgnoreCase("application/json")) {
            throw new ApiError(415, "invalid_request", "Content-Type must be application/json");
        }
        String charset = MimeTypes.getCharsetFromContentType(contentType.getValue());
        if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
            throw new ApiError(415, "invalid_request", "JSON must be sent as UTF-8");
        }
        return Json.parseObject(body);
    }

    /** Writes an error answer in the one JSON shape. */
    static void sendError(Request request, Response response, Callback callback, ApiError e) {
        ObjectNode body = Json.object()
                .put("error", e.error())
                .put("error_description", e.getMessage())
                .put("request_id", RequestIdHandler.id(request));
        if (e.wwwAuthenticate() != null) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, e.wwwAuthenticate());
        }
        if (e.retryAfterSeconds() > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(e.retryAfterSeconds()));
        }
        send(response, callback, e.status(), body);
    }

    static void send(Response response, Callback callback, int status, ObjectNode body) {
        response.setStatus(status);
        if (body == null) {
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            callback.succeeded();
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(Json.bytes(body)), callback);
    }

    private static String truncate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }
}
