package dev.sigil.core.internal.store;

import dev.sigil.api.SigilException;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the store (PID {@value #PID}) and offers it to core's other components as a {@link Store}
 * service (the type is private to this bundle, so no other bundle can use it). A database that
 * cannot be reached or migrated, or a missing audit key, fails activation with one line.
 *
 * <p>While active, it writes a checkpoint of the audit log's head every
 * {@code audit.checkpoint.seconds} when the log grew, once at start and once at stop.
 */
@Component(configurationPid = StoreComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = StoreComponent.class, immediate = true)
@Designate(ocd = StoreConfig.class)
public final class StoreComponent {
    /** The configuration PID. */
    public static final String PID = "dev.sigil.store";

    private static final Logger LOG = LoggerFactory.getLogger(StoreComponent.class);

    private final Store store;
    private final ScheduledExecutorService checkpoints;

    @Activate
    public StoreComponent(StoreConfig config) throws SigilException {
        StoreSettings settings = StoreSettings.from(config, System::getenv);
        store = Store.open(settings, System::getenv);
        checkpoints = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sigil-audit-checkpoints");
            t.setDaemon(true);
            return t;
        });
        checkpoints.scheduleWithFixedDelay(this::checkpoint, 0, settings.checkpointSeconds(), TimeUnit.SECONDS);
    }

    private void checkpoint() {
        try {
            store.audit().checkpoint(store);
        } catch (SigilException | IOException | RuntimeException e) {
            LOG.error("Cannot write a checkpoint of the audit log ({}); truncation of the newest records would go "
                    + "unnoticed until the next one", e.toString());
        }
    }

    /** The open store. */
    public Store store() {
        return store;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        checkpoints.shutdown();
        if (checkpoints.awaitTermination(10, TimeUnit.SECONDS)) {
            checkpoint();
        }
        store.close();
    }
}
