package dev.sigil.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ServerRuntimeTest {
    @Test
    void theReasonIsTheMessageOfTheFirstSigilExceptionInTheChain() {
        String failure = "java.lang.reflect.InvocationTargetException\n"
                + "\tat java.base/jdk.internal.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)\n"
                + "Caused by: dev.sigil.api.SigilException: transport-https: cannot listen on 127.0.0.1:1 (in use)\n"
                + "\tat dev.sigil.transport.https.internal.SigilHttpServer.start(SigilHttpServer.java:1)\n"
                + "Caused by: java.io.IOException: Failed to bind to /127.0.0.1:1\n"
                + "Caused by: java.net.BindException: Address already in use\n";
        assertEquals("transport-https: cannot listen on 127.0.0.1:1 (in use)", ServerRuntime.reason(failure));
    }

    @Test
    void aSigilExceptionThrownDirectlyIsTakenAsIs() {
        assertEquals("backend-keystore 'x': keystore.password.env names A, which is not set",
                ServerRuntime.reason("dev.sigil.api.SigilException: backend-keystore 'x': keystore.password.env "
                        + "names A, which is not set\n\tat x.y(Z.java:1)\n"));
    }

    @Test
    void otherwiseTheInnermostCauseWithoutItsClassName() {
        assertEquals("boom: details", ServerRuntime.reason("java.lang.IllegalStateException: outer\n\tat a.b(C.java:1)\n"
                + "Caused by: java.lang.RuntimeException: boom: details\n\tat a.b(C.java:2)\n"));
        assertEquals("a component failed to start", ServerRuntime.reason(null));
    }
}
