package dev.shunt.agent.junixsocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import net.bytebuddy.asm.Advice;
import org.newsclub.net.unix.AFSocketAddress;
import org.newsclub.net.unix.AFSocketAddressFromHostname;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Advice inlined into junixsocket's {@code AFSocket.connect(SocketAddress, int)}, the method every connect of the
 * socket API goes through ({@code AFUNIXSocket.connectTo}, {@code connect(address)}, the {@code AFUNIXSocketFactory}
 * variants, whose {@code createSocket()} is {@code AFUNIXSocket.newInstance(factory)}); a channel's connect
 * ({@code AFUNIXSocketChannel}) bypasses it and is left alone. Its body runs inside junixsocket, where the
 * junixsocket types it names are the application's.
 */
final class SocketAdvice {
    private SocketAdvice() {
    }

    /**
     * Before connect: maps the address as junixsocket will (a factory's host name, a
     * {@code UnixDomainSocketAddress}) and prepares the handshake, which makes the native socket (junixsocket does
     * that lazily) only to mark it; after a successful connect, completes it.
     */
    static final class Connect {
        private Connect() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.This Object self, @Advice.Argument(0) SocketAddress endpoint,
                @Advice.FieldValue("afh") Object hostnames, @Advice.FieldValue("connectFilter") Object filter)
                throws IOException {
            if (!(self instanceof AFUNIXSocket) || filter != null || endpoint == null
                    || endpoint instanceof AFSocketAddress && !(endpoint instanceof AFUNIXSocketAddress)) {
                return null;
            }
            AFUNIXSocket socket = (AFUNIXSocket) self;
            if (socket.isConnected() || socket.isClosed()) {
                return null;
            }
            SocketAddress address = endpoint;
            if (hostnames != null && endpoint instanceof InetSocketAddress) {
                AFSocketAddressFromHostname<?> factory = (AFSocketAddressFromHostname<?>) hostnames;
                InetSocketAddress inet = (InetSocketAddress) endpoint;
                if (factory.isHostnameSupported(inet.getHostString())) {
                    address = factory.addressFromHost(inet.getHostString(), inet.getPort());
                }
            }
            AFUNIXSocketAddress target;
            try {
                target = AFSocketAddress.mapOrFail(address, AFUNIXSocketAddress.class);
            } catch (IllegalArgumentException unmappable) {
                return null;
            }
            return JunixsocketHooks.prepareClient(socket, target.hasFilename() ? target.getFile().getPath() : null);
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This Object self, @Advice.Enter Object handshake,
                @Advice.FieldValue("impl") Object impl) throws IOException {
            if (handshake != null) {
                JunixsocketHooks.completeClient(handshake, (Socket) self, impl);
            }
        }
    }
}
