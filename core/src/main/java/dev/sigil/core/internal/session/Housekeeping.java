package dev.sigil.core.internal.session;

import dev.sigil.api.SigilException;
import dev.sigil.core.internal.store.AttemptRepository;
import dev.sigil.core.internal.store.SessionRepository;
import dev.sigil.core.internal.store.Store;
import dev.sigil.core.internal.store.StoreComponent;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what can no longer be used, so that the session tables do not grow forever: expired
 * access tokens, expired SADs with their hashes (the audit log keeps what they authorized and
 * signed), and attempt counters that hold nothing (see {@link AttemptRepository#purgeIdle}). Runs
 * every {@code purge.interval.seconds} (PID {@code dev.sigil.policy}) on every node; the deletes
 * are idempotent, so nodes need not agree on who does it.
 */
@Component(service = {}, immediate = true, configurationPid = "dev.sigil.policy",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class Housekeeping {
    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
    /** How long an idle attempt counter is kept (longer than any lockout or quiet period). */
    static final Duration IDLE_COUNTERS = Duration.ofDays(2);

    private final Store store;
    private final Clock clock;
    private final SessionRepository sessions = new SessionRepository();
    private final AttemptRepository attempts = new AttemptRepository();
    private final ScheduledExecutorService timer;

    @Activate
    public Housekeeping(@Reference StoreComponent store, PolicyConfig config) throws SigilException {
        this(store.store(), Clock.systemUTC());
        Policy.from(config); // the same validation as the components that use it
        int every = Math.max(10, config.purge_interval_seconds());
        timer.scheduleWithFixedDelay(this::purgeQuietly, every, every, TimeUnit.SECONDS);
    }

    Housekeeping(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sigil-housekeeping");
            t.setDaemon(true);
            return t;
        });
    }

    /** Removes what expired before now; returns how many rows went. */
    int purge() throws SigilException {
        long now = clock.millis();
        return store.inTransaction(c -> sessions.purgeExpired(c, now)
                + attempts.purgeIdle(c, now, now - IDLE_COUNTERS.toMillis()));
    }

    private void purgeQuietly() {
        try {
            int n = purge();
            if (n > 0) {
                LOG.debug("Purged {} expired token(s), SAD(s) and idle attempt counter(s)", n);
            }
        } catch (SigilException | RuntimeException e) {
            LOG.warn("Purging expired sessions failed ({}); the next round tries again", e.toString());
        }
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }
}
