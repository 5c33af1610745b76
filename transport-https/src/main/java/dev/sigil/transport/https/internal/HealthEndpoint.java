package dev.sigil.transport.https.internal;

import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.signing.BackendStatus;
import dev.sigil.api.signing.SigningService;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code /health}, unauthenticated, for load balancers and operators: each backend {@code UP} or
 * {@code DOWN} with the algorithms it offers, and overall {@code UP} (200) when there are backends
 * and all are up, {@code DEGRADED} (503) when some are, {@code DOWN} (503) when none is. A backend's
 * reason (often an HSM vendor's message) never leaves the server: it goes to the log, once each
 * time a backend goes down or its reason changes, and once when it is up again — not on every poll.
 * Thread-safe.
 */
final class HealthEndpoint implements Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(HealthEndpoint.class);

    private final SigningService signing;
    /** The last reason logged for each backend that was down. */
    private final Map<String, String> downReasons = new ConcurrentHashMap<>();

    HealthEndpoint(SigningService signing) {
        this.signing = signing;
    }

    @Override
    public Reply handle(Call call) {
        List<BackendStatus> backends = signing.backends();
        int up = 0;
        ObjectNode out = Json.object();
        ArrayNode list = Json.MAPPER.createArrayNode();
        for (BackendStatus b : backends) {
            log(b);
            up += b.health().up() ? 1 : 0;
            ObjectNode n = list.addObject()
                    .put("id", b.id())
                    .put("status", b.health().up() ? "UP" : "DOWN");
            ArrayNode algos = n.putArray("algorithms");
            for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
                if (b.algorithms().contains(a)) {
                    algos.add(a.name());
                }
            }
        }
        String status = backends.isEmpty() || up == 0 ? "DOWN" : up == backends.size() ? "UP" : "DEGRADED";
        out.put("status", status);
        if (backends.isEmpty()) {
            out.put("detail", "no signing backend is registered");
        }
        out.set("backends", list);
        return new Reply("UP".equals(status) ? 200 : 503, out);
    }

    private void log(BackendStatus b) {
        if (b.health().up()) {
            if (downReasons.remove(b.id()) != null) {
                LOG.info("Backend '{}' is UP again", b.id());
            }
            return;
        }
        String reason = b.health().detail();
        if (!reason.equals(downReasons.put(b.id(), reason))) {
            LOG.warn("Backend '{}' is DOWN: {}", b.id(), reason);
        }
    }
}
