package org.rawsockets.socket.mina.internal.osgi;

import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.rawsockets.socket.OriginSocketService;
import org.rawsockets.socket.OriginSocketServices;
import org.rawsockets.socket.mina.internal.OriginServices;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * {@link OriginSocketServices} with bundle scope: the using bundle acts for web origins (allowed only
 * to the policy's {@code originBundles}). Releasing the service closes every origin's sockets.
 */
@Component(service = OriginSocketServices.class, scope = ServiceScope.BUNDLE)
public final class OriginSocketServicesComponent implements OriginSocketServices {

    private final OriginServices services;

    @Activate
    public OriginSocketServicesComponent(@Reference SocketEngineComponent engine, ComponentContext context) {
        Bundle b = context.getUsingBundle();
        this.services = new OriginServices(engine.engine(), b == null ? Owner.of(-1, "unknown") : Owner.of(b));
    }

    @Deactivate
    void deactivate() {
        services.close();
    }

    @Override
    public OriginSocketService forOrigin(String origin, String client) {
        return services.forOrigin(origin, client);
    }
}
