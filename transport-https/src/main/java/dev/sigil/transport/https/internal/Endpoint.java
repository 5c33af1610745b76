package dev.sigil.transport.https.internal;

import dev.sigil.api.SigilException;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One JSON endpoint. Called on a server thread that may block (a backend may be slow); the router
 * has already checked method, content type and size and parsed the body.
 */
@FunctionalInterface
interface Endpoint {
    /**
     * @param body the request's JSON object; an empty object for GET or an empty body
     * @return the answer, sent with status 200
     * @throws ApiError      for an answer other than 200 that the endpoint chooses
     * @throws SigilException mapped by {@link ErrorMapping}
     */
    Reply handle(ObjectNode body) throws ApiError, SigilException;

    /**
     * An endpoint's answer.
     *
     * @param status HTTP status
     * @param body   JSON body
     */
    record Reply(int status, ObjectNode body) {
        static Reply ok(ObjectNode body) {
            return new Reply(200, body);
        }
    }
}
