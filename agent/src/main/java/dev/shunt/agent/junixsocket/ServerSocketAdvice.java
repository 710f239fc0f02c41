package dev.shunt.agent.junixsocket;

import java.io.IOException;
import java.net.Socket;
import net.bytebuddy.asm.Advice;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * Advice inlined into junixsocket's {@code AFServerSocket}: {@code accept()} (the socket API's; a channel's accept
 * bypasses it) advertises the server at its first call and runs the server handshake on each connection it returns;
 * {@code close()} withdraws the advertisement.
 */
final class ServerSocketAdvice {
    private ServerSocketAdvice() {
    }

    /** {@code accept()}. */
    static final class Accept {
        private Accept() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object self) throws IOException {
            if (self instanceof AFUNIXServerSocket && JunixsocketHooks.unadvertised(self)) {
                AFUNIXServerSocket server = (AFUNIXServerSocket) self;
                AFUNIXSocketAddress bound = server.getLocalSocketAddress();
                if (!server.isClosed() && bound != null && bound.hasFilename()) {
                    JunixsocketHooks.advertise(self, bound.getFile().getPath());
                }
            }
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This Object self, @Advice.Return Object accepted) throws IOException {
            if (accepted instanceof AFUNIXSocket) {
                AFUNIXSocket socket = (AFUNIXSocket) accepted;
                JunixsocketHooks.accepted(self, (Socket) accepted, ((SocketImplAccess) accepted).shunt$impl(),
                        FileDescriptorCast.using(socket.getFileDescriptor()).as(Integer.class));
            }
        }
    }

    /** {@code close()}. */
    static final class Close {
        private Close() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object self) {
            JunixsocketHooks.withdraw(self);
        }
    }
}
