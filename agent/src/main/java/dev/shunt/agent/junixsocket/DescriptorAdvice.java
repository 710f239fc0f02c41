package dev.shunt.agent.junixsocket;

import java.io.FileDescriptor;
import java.io.IOException;
import net.bytebuddy.asm.Advice;

/**
 * Advice inlined into junixsocket's {@code AFUNIXSocket.setOutboundFileDescriptors(FileDescriptor...)}: descriptors
 * travel as ancillary data of the kernel socket's writes, which a connection on the fast path no longer makes, so
 * there the call fails rather than the descriptors being lost.
 */
final class DescriptorAdvice {
    private DescriptorAdvice() {
    }

    /** {@code setOutboundFileDescriptors(FileDescriptor...)}. */
    static final class SetOutbound {
        private SetOutbound() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object self, @Advice.Argument(0) FileDescriptor[] descriptors)
                throws IOException {
            if (descriptors != null && descriptors.length > 0) {
                JunixsocketHooks.refuseDescriptors(((SocketImplAccess) self).shunt$impl());
            }
        }
    }
}
