package dev.sigil.transport.https.internal;

import dev.sigil.api.SigilException;
import dev.sigil.api.session.RequestContext;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One JSON endpoint. Called on a server thread that may block (a backend may be slow); the router
 * has already checked method, content type and size and parsed the body.
 */
@FunctionalInterface
interface Endpoint {
    /**
     * @param call the request: its JSON object (empty for GET or an empty body), its
     *             {@code Authorization} header and where it comes from
     * @return the answer
     * @throws ApiError       for an answer other than 200 that the endpoint chooses
     * @throws SigilException mapped by {@link ErrorMapping}
     */
    Reply handle(Call call) throws ApiError, SigilException;

    /**
     * One request as an endpoint sees it.
     *
     * @param body          the JSON object
     * @param authorization the {@code Authorization} header, or null
     * @param context       request id and client address, for the audit log
     */
    record Call(ObjectNode body, String authorization, RequestContext context) {
        /** A call with only a body (tests, GET). */
        static Call of(ObjectNode body) {
            return new Call(body, null, new RequestContext(null, null));
        }

        /**
         * The bearer token of the {@code Authorization} header.
         *
         * @throws ApiError 401 {@code invalid_token} if there is none
         */
        String bearerToken() throws ApiError {
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    && authorization.length() > 7) {
                return authorization.substring(7).trim();
            }
            throw new ApiError(401, "invalid_token", "Missing access token (Authorization: Bearer)", 0,
                    "Bearer realm=\"Sigil\"");
        }
    }

    /**
     * An endpoint's answer.
     *
     * @param status HTTP status
     * @param body   JSON body; null for none (204)
     */
    record Reply(int status, ObjectNode body) {
        static Reply ok(ObjectNode body) {
            return new Reply(200, body);
        }
    }
}
