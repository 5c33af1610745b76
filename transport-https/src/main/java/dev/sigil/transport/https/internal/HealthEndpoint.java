package dev.sigil.transport.https.internal;

import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.signing.BackendStatus;
import dev.sigil.api.signing.SigningService;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code /health}: {@code UP} (200) when at least one signing backend is registered and all are
 * healthy, otherwise {@code DOWN} (503) with each backend's reason. For load balancers and
 * operators; carries no secrets.
 */
final class HealthEndpoint implements Endpoint {
    private final SigningService signing;

    HealthEndpoint(SigningService signing) {
        this.signing = signing;
    }

    @Override
    public Reply handle(Call call) {
        List<BackendStatus> backends = signing.backends();
        boolean up = !backends.isEmpty();
        ObjectNode out = Json.object();
        ArrayNode list = Json.MAPPER.createArrayNode();
        for (BackendStatus b : backends) {
            up &= b.health().up();
            ObjectNode n = list.addObject()
                    .put("id", b.id())
                    .put("status", b.health().up() ? "UP" : "DOWN")
                    .put("detail", b.health().detail());
            ArrayNode algos = n.putArray("algorithms");
            for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
                if (b.algorithms().contains(a)) {
                    algos.add(a.name());
                }
            }
        }
        out.put("status", up ? "UP" : "DOWN");
        if (backends.isEmpty()) {
            out.put("detail", "no signing backend is registered");
        }
        out.set("backends", list);
        return new Reply(up ? 200 : 503, out);
    }
}
