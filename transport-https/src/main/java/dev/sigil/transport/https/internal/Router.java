package dev.sigil.transport.https.internal;

import dev.sigil.api.SigilException;
import dev.sigil.api.session.RequestContext;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Maps exact paths to JSON endpoints and enforces what every endpoint needs: the method, a JSON
 * content type for bodies, the body size limit and a well-formed JSON object. Every answer, success
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

    /** How much of an oversized body is read and discarded before answering 413 (as Tomcat swallows). */
    static final long MAX_DRAIN_BYTES = 16L * 1024 * 1024;

    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final int maxBodyBytes;

    Router(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

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
            if (ErrorMapping.row(e.code()).status() >= 500) {
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
     * Reads the body as one JSON object. An empty body is an empty object. An oversized body is
     * drained up to {@link #MAX_DRAIN_BYTES} before the 413 answer, so that a client that keeps
     * sending after an early answer (the JDK's HTTP/2 client does) reads the answer instead of a
     * connection reset.
     */
    private ObjectNode readBody(Request request) throws ApiError {
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (request.getLength() > maxBodyBytes) {
                drain(in);
                throw tooLarge();
            }
            body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                drain(in);
                throw tooLarge();
            }
        } catch (IOException e) {
            throw ApiError.invalidRequest("The request body could not be read");
        }
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

    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while (total < MAX_DRAIN_BYTES && (n = in.read(buffer)) >= 0) {
            total += n;
        }
    }

    private ApiError tooLarge() {
        return new ApiError(413, "invalid_request", "Request body exceeds " + maxBodyBytes + " bytes");
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
