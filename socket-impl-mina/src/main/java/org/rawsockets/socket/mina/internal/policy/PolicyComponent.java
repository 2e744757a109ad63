package org.rawsockets.socket.mina.internal.policy;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.mina.internal.config.ConfigCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the {@link PolicyEngine} as {@link SocketPolicy} (for the socket engine) and
 * {@link PolicyInspector} (for the shell). Configuration is optional: with none, the default policy
 * applies (declared loopback access only). Configuration changes apply at once without
 * re-registering the service.
 */
@Designate(ocd = PolicyConfig.class)
@Component(configurationPid = PolicySettings.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = { SocketPolicy.class, PolicyInspector.class })
public final class PolicyComponent implements SocketPolicy, PolicyInspector {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyComponent.class);

    private final PolicyEngine engine;

    @Activate
    public PolicyComponent(Map<String, Object> properties) {
        this.engine = new PolicyEngine(read(properties));
    }

    @Modified
    public void modified(Map<String, Object> properties) {
        engine.update(read(properties));
    }

    /**
     * Reads the configuration: each invalid entry is one ERROR line naming the PID, the field, the
     * problem and the rule (and what is used instead: an invalid grant allows nothing); each unknown
     * key one WARN line naming the nearest known key.
     */
    private static PolicySettings read(Map<String, Object> properties) {
        PolicySettings s = PolicySettings.from(properties);
        String where = ConfigCheck.describe(PolicySettings.PID, properties);
        for (String e : s.errors()) {
            LOG.error("configuration rejected: {} {}", where, e);
        }
        for (String w : ConfigCheck.unknownKeys(properties, PolicySettings.KEYS,
                List.of(PolicySettings.GRANT_PREFIX, PolicySettings.QUOTA_PREFIX))) {
            LOG.warn("configuration {}: {}", where, w);
        }
        LOG.info("socket policy: {} grant(s){}, default quotas {}", s.grants().size(),
                s.defaultGrants() ? " (incl. default loopback grants)" : "", s.defaultQuotas());
        return s;
    }

    @Override
    public void check(Owner owner, Access access) throws NotAllowedException {
        engine.check(owner, access);
    }

    @Override
    public boolean allows(Owner owner, Access access) {
        return engine.allows(owner, access);
    }

    @Override
    public boolean allowsDatagramFrom(Owner owner, java.net.InetSocketAddress source, String endpointName) {
        return engine.allowsDatagramFrom(owner, source, endpointName);
    }

    @Override
    public Quotas quotas(Owner owner) {
        return engine.quotas(owner);
    }

    @Override
    public Decision explain(Owner owner, Access access) {
        return engine.explain(owner, access);
    }

    @Override
    public PolicySettings settings() {
        return engine.settings();
    }

    @Override
    public Declarations declarations(Owner owner) {
        return engine.declarations(owner);
    }

    @Override
    public long refusals() {
        return engine.refusals();
    }
}
