package dev.sigil.core.internal.session;

import dev.sigil.api.SigilException;
import dev.sigil.api.session.AuditTrail;
import dev.sigil.api.session.RequestContext;
import dev.sigil.core.internal.store.AuditEvent;
import dev.sigil.core.internal.store.StoreComponent;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The transports' refusals, in the store's hash-chained audit log. */
@Component(service = AuditTrail.class)
public final class StoreAuditTrail implements AuditTrail {
    private final StoreComponent store;
    
    @Activate
    public StoreAuditTrail(@Reference StoreComponent store) {
        this.store = store;
    }

    @Override
    public void refused(String event, String userId, String credentialId, RequestContext context, String reason)
            throws SigilException {
        store.store().audit().appendNow(store.store(), new AuditEvent(event, AuditEvent.Outcome.REFUSED, userId,
                credentialId, context, reason));
    }
}
