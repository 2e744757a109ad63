package org.rawsockets.ssh.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.sshd.client.auth.UserAuth;
import org.apache.sshd.client.auth.UserAuthFactory;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * Wraps SSHD's client authentication methods to record which ones the server refused and which
 * methods it says are left, for a precise error ("server refused publickey for user X; methods
 * left: password").
 */
final class AuthRecording {

    private AuthRecording() {
    }

    static List<UserAuthFactory> wrap(List<UserAuthFactory> factories) {
        List<UserAuthFactory> out = new ArrayList<>();
        for (UserAuthFactory f : factories) {
            out.add(new Factory(f));
        }
        return out;
    }

    private record Factory(UserAuthFactory delegate) implements UserAuthFactory {
        @Override
        public String getName() {
            return delegate.getName();
        }

        @Override
        public UserAuth createUserAuth(ClientSession session) throws java.io.IOException {
            return new Recording(delegate.createUserAuth(session));
        }
    }

    private record Recording(UserAuth delegate) implements UserAuth {
        @Override
        public ClientSession getClientSession() {
            return delegate.getClientSession();
        }

        @Override
        public ClientSession getSession() {
            return delegate.getSession();
        }

        @Override
        public String getName() {
            return delegate.getName();
        }

        @Override
        public void init(ClientSession session, String service) throws Exception {
            delegate.init(session, service);
        }

        @Override
        public boolean process(Buffer buffer) throws Exception {
            return delegate.process(buffer);
        }

        @Override
        public void signalAuthMethodSuccess(ClientSession session, String service, Buffer buffer) throws Exception {
            delegate.signalAuthMethodSuccess(session, service, buffer);
        }

        @Override
        public void signalAuthMethodFailure(ClientSession session, String service, boolean partial, List<String> serverMethods,
                Buffer buffer) throws Exception {
            Attempt a = SshEngine.attempt(session);
            if (a != null && !partial) {
                a.refused(getName(), serverMethods);
            }
            delegate.signalAuthMethodFailure(session, service, partial, serverMethods, buffer);
        }

        @Override
        public boolean isCancellable() {
            return delegate.isCancellable();
        }

        @Override
        public void destroy() {
            delegate.destroy();
        }
    }
}
