package dev.sigil.transport.https.internal;

import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
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
 * {@code /health}, unauthenticated, for load balancers and operators: each backend {@code UP},
 * {@code DEGRADED} (it signs, but a key service throttles it or some calls fail) or {@code DOWN}
 * with the algorithms it offers. Overall: {@code UP} (200) when there are backends and all are up;
 * {@code DEGRADED} with 200 when none is down but some are degraded (every node of a cluster shares
 * the key service, so taking a node out of a balancer would not help), with 503 when some but not
 * all are down; {@code DOWN} (503) when none signs. A backend's reason (often an HSM vendor's
 * message) never leaves the server: it goes to the log, once each time a backend's state or reason
 * changes, and once when it is up again — not on every poll. Thread-safe.
 */
final class HealthEndpoint implements Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(HealthEndpoint.class);

    private final SigningService signing;
    /** The last state and reason logged for each backend that was not up. */
    private final Map<String, String> reasons = new ConcurrentHashMap<>();

    HealthEndpoint(SigningService signing) {
        this.signing = signing;
    }

    @Override
    public Reply handle(Call call) {
        List<BackendStatus> backends = signing.backends();
        int up = 0;
        int down = 0;
        ObjectNode out = Json.object();
        ArrayNode list = Json.MAPPER.createArrayNode();
        for (BackendStatus b : backends) {
            log(b);
            BackendHealth.State state = b.health().state();
            up += state == BackendHealth.State.UP ? 1 : 0;
            down += state == BackendHealth.State.DOWN ? 1 : 0;
            ObjectNode n = list.addObject()
                    .put("id", b.id())
                    .put("status", state.name());
            ArrayNode algos = n.putArray("algorithms");
            for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
                if (b.algorithms().contains(a)) {
                    algos.add(a.name());
                }
            }
        }
        String status = backends.isEmpty() || down == backends.size() ? "DOWN"
                : up == backends.size() ? "UP" : "DEGRADED";
        out.put("status", status);
        if (backends.isEmpty()) {
            out.put("detail", "no signing backend is registered");
        }
        out.set("backends", list);
        return new Reply(!backends.isEmpty() && down == 0 ? 200 : 503, out);
    }

    private void log(BackendStatus b) {
        BackendHealth h = b.health();
        if (h.state() == BackendHealth.State.UP) {
            if (reasons.remove(b.id()) != null) {
                LOG.info("Backend '{}' is UP again", b.id());
            }
            return;
        }
        String reason = h.state() + ": " + h.detail();
        if (!reason.equals(reasons.put(b.id(), reason))) {
            LOG.warn("Backend '{}' is {}", b.id(), reason);
        }
    }
}
