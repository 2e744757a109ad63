package org.rawsockets.ssh.internal;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;
import org.rawsockets.ssh.SshSettings;

/** Loads OpenSSH private key files (plain or encrypted with a passphrase) with SSHD's parsers. */
final class KeyFiles {

    private KeyFiles() {
    }

    static List<KeyPair> load(SshSettings settings) throws SshException {
        List<KeyPair> keys = new ArrayList<>();
        Supplier<String> passphrase = settings.passphrase().orElse(null);
        for (Path file : settings.keyFiles()) {
            boolean[] asked = {false};
            FilePasswordProvider provider = (session, resource, index) -> {
                asked[0] = true;
                return passphrase == null ? null : passphrase.get();
            };
            try (InputStream in = Files.newInputStream(file)) {
                Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()), in, provider);
                int before = keys.size();
                if (pairs != null) {
                    pairs.forEach(keys::add);
                }
                if (keys.size() == before) {
                    throw new SshException(Reason.KEY_FILE, "key file " + file + " holds no private key SSHD can read"
                            + " (expected an OpenSSH or PEM private key)", null);
                }
            } catch (SshException e) {
                throw e;
            } catch (NoSuchFileException e) {
                throw new SshException(Reason.KEY_FILE, "key file " + file + " does not exist", e);
            } catch (Exception e) {
                SshException own = Failures.find(e, SshException.class);
                if (own != null) {
                    throw own;
                }
                String why;
                if (asked[0] && passphrase == null) {
                    why = "it is encrypted and no passphrase is configured";
                } else if (asked[0]) {
                    why = "wrong passphrase, or the file is damaged (" + oneLine(e) + ")";
                } else {
                    why = oneLine(e);
                }
                throw new SshException(Reason.KEY_FILE, "cannot read key file " + file + ": " + why, e);
            }
        }
        return keys;
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }
}
