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
    /** The CSC API versions implemented. */
    static final String SPECS_V2 = "2.0.0.2";
    static final String SPECS_V1 = "1.0.4.0";

    private final SigningService signing;
    private final HttpsSettings.ServiceDescription service;
    private final List<String> methods;
    private final String specs;

    /**
     * @param specs   the CSC version of this prefix ({@link #SPECS_V1} or {@link #SPECS_V2})
     * @param methods the CSC method names served under the prefix
     */
    InfoEndpoint(SigningService signing, HttpsSettings.ServiceDescription service, String specs, List<String> methods) {
        this.signing = signing;
        this.service = service;
        this.specs = specs;
        this.methods = List.copyOf(methods);
    }

    @Override
    public Reply handle(Call call) throws ApiError {
        ObjectNode body = call.body();
        JsonNode lang = body.get("lang");
        if (lang != null && !lang.isTextual()) {
            throw ApiError.invalidRequest("Invalid (non-string) parameter lang");
        }
        ObjectNode out = Json.object()
                .put("specs", specs)
                .put("name", service.name())
                .put("logo", service.logo())
                .put("region", service.region())
                .put("lang", "en-US")
                .put("description", service.description());
        // auth/login takes HTTP Basic; no OAuth 2.0 flow is offered.
        out.putArray("authType").add("basic");
        ArrayNode m = out.putArray("methods");
        methods.forEach(m::add);
        if (specs.equals(SPECS_V2)) {
            ArrayNode algos = out.putObject("signAlgorithms").putArray("algos");
            SignatureAlgorithm.oids(signing.algorithms()).forEach(algos::add);
        }
        return Reply.ok(out);
    }
}
