package org.rawsockets.socket.mina.internal.osgi;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.QuotaUse;
import org.rawsockets.socket.SocketAdmin;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.TlsInfo;

/** The operator view over the sockets of all bundles (singleton). */
@Component(service = SocketAdmin.class)
public final class SocketAdminComponent implements SocketAdmin {

    private final SocketAdmin admin;

    @Activate
    public SocketAdminComponent(@Reference SocketEngineComponent engine) {
        this.admin = engine.engine().admin();
    }

    @Override
    public List<SocketInfo> sockets() {
        return admin.sockets();
    }

    @Override
    public Optional<SocketInfo> socket(long id) {
        return admin.socket(id);
    }

    @Override
    public Optional<CompletionStage<Void>> close(long id) {
        return admin.close(id);
    }

    @Override
    public List<EndpointInfo> endpoints() {
        return admin.endpoints();
    }

    @Override
    public Optional<TlsInfo> tls(long id) {
        return admin.tls(id);
    }

    @Override
    public List<QuotaUse> quotaUse() {
        return admin.quotaUse();
    }
}
