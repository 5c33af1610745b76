package dev.sigil.transport.https.internal;

import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.signing.SigningService;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code /csc/v2/info}: what this service is and can do, as the CSC API v2 defines it. Everything is
 * read from the running system: the algorithms are those of the registered backends, the methods
 * those the router serves.
 */
final class InfoEndpoint implements Endpoint {
    /** The CSC API version implemented. */
    static final String SPECS = "2.0.0.2";

    private final SigningService signing;
    private final HttpsSettings.ServiceDescription service;
    private final List<String> methods;

    /**
     * @param methods the CSC method names served under {@code /csc/v2/}
     */
    InfoEndpoint(SigningService signing, HttpsSettings.ServiceDescription service, List<String> methods) {
        this.signing = signing;
        this.service = service;
        this.methods = List.copyOf(methods);
    }

    @Override
    public Reply handle(ObjectNode body) throws ApiError {
        JsonNode lang = body.get("lang");
        if (lang != null && !lang.isTextual()) {
            throw ApiError.invalidRequest("Invalid (non-string) parameter lang");
        }
        ObjectNode out = Json.object()
                .put("specs", SPECS)
                .put("name", service.name())
                .put("logo", service.logo())
                .put("region", service.region())
                .put("lang", "en-US")
                .put("description", service.description());
        // No login method is served yet, so no authentication type is claimed.
        out.putArray("authType");
        ArrayNode m = out.putArray("methods");
        methods.forEach(m::add);
        ArrayNode algos = out.putObject("signAlgorithms").putArray("algos");
        SignatureAlgorithm.oids(signing.algorithms()).forEach(algos::add);
        return Reply.ok(out);
    }
}
