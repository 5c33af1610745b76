package dev.sigil.core.internal.store;

import dev.sigil.api.SigilException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Opens the store (PID {@value #PID}) and offers it to core's other components as a {@link Store}
 * service (the type is private to this bundle, so no other bundle can use it). A database that
 * cannot be reached or migrated fails activation with one line.
 */
@Component(configurationPid = StoreComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = StoreComponent.class, immediate = true)
@Designate(ocd = StoreConfig.class)
public final class StoreComponent {
    /** The configuration PID. */
    public static final String PID = "dev.sigil.store";

    private final Store store;

    @Activate
    public StoreComponent(StoreConfig config) throws SigilException {
        store = Store.open(StoreSettings.from(config, System::getenv), System::getenv);
    }

    /** The open store. */
    public Store store() {
        return store;
    }

    @Deactivate
    void deactivate() {
        store.close();
    }
}
