package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How a failed command is said ({@code gateway: command failed: STATEMENT: WHAT}). */
class GatewayScriptTest {

    /** Gogo's own failure when the command's service object is gone as it is called (CommandProxy → Reflective.invoke). */
    @Test
    void aCommandWhoseServiceWentAwayIsSaidInWords() {
        NullPointerException gogo = new NullPointerException("Cannot invoke \"Object.getClass()\" because \"target\" is null");
        gogo.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("org.apache.felix.gogo.runtime.Reflective", "invoke", "Reflective.java", 71),
                new StackTraceElement("org.apache.felix.gogo.runtime.CommandProxy", "execute", "CommandProxy.java", 84) });
        String said = GatewayScript.Session.describe(gogo);
        assertTrue(said.startsWith("the command's service went away while it was called (its bundle stopped"), said);
        assertTrue(said.contains("run it again once the bundle is active"), said);
    }

    @Test
    void otherFailuresKeepTheirMessage() {
        NullPointerException inACommand = new NullPointerException("host is null");
        inACommand.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("org.rawsockets.smtp.internal.shell.SmtpCommands", "send", "SmtpCommands.java", 120) });
        assertEquals("host is null", GatewayScript.Session.describe(inACommand));
        assertEquals("java.lang.IllegalStateException", GatewayScript.Session.describe(new IllegalStateException()));
        assertEquals("no mail server named 'x'", GatewayScript.Session.describe(new IllegalArgumentException("no mail server named 'x'")));
    }
}
