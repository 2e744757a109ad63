package org.rawsockets.socket.mina.internal.policy;

/** Read access to the policy for operators (shell commands, status pages); same bundle only. */
public interface PolicyInspector {

    /** Decides an access and explains the decision, without recording anything. */
    Decision explain(Owner owner, Access access);

    /** The settings in force. */
    PolicySettings settings();

    /** What a bundle declares. */
    Declarations declarations(Owner owner);

    /** Accesses refused since start (open refusals and dropped/refused datagrams). */
    long refusals();
}
