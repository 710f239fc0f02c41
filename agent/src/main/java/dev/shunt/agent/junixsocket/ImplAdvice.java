package dev.shunt.agent.junixsocket;

import java.io.IOException;
import java.net.SocketOptions;
import java.nio.ByteBuffer;
import net.bytebuddy.asm.Advice;

/**
 * Advice inlined into junixsocket's {@code AFSocketImpl}: on a connection with a {@link Ring}, the half-closes,
 * {@code available()} and the channel's reads and writes go to the ring in place of the kernel socket ({@link RingOfThis}
 * returns the ring, which skips junixsocket's body, and the exit advice does the ring's work; on an accepted
 * connection whose handshake is under way they wait for it), {@code close()} closes the ring's stream before
 * junixsocket closes the kernel socket (ending a handshake under way first), and {@code SO_TIMEOUT} is followed.
 */
final class ImplAdvice {
    private ImplAdvice() {
    }

    /**
     * The enter advice of every method that the ring takes over: returns the connection's ring (none on the kernel
     * path), and a ring skips junixsocket's body; the exit advice of the method's own class then does the ring's work.
     */
    static final class RingOfThis {
        private RingOfThis() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static Ring enter(@Advice.This Object self) {
            return JunixsocketHooks.ring(self);
        }
    }

    /** {@code close()}. */
    static final class Close {
        private Close() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object self) {
            JunixsocketHooks.closing(self);
        }
    }

    /** {@code shutdownInput()}. */
    static final class ShutdownInput {
        private ShutdownInput() {
        }


        @Advice.OnMethodExit
        static void exit(@Advice.Enter Ring ring) throws IOException {
            if (ring != null) {
                ring.shutdownInput();
            }
        }
    }

    /** {@code shutdownOutput()}. */
    static final class ShutdownOutput {
        private ShutdownOutput() {
        }


        @Advice.OnMethodExit
        static void exit(@Advice.Enter Ring ring) throws IOException {
            if (ring != null) {
                ring.shutdownOutput();
            }
        }
    }

    /** {@code available()}. */
    static final class Available {
        private Available() {
        }


        @Advice.OnMethodExit
        static void exit(@Advice.Enter Ring ring, @Advice.Return(readOnly = false) int available)
                throws IOException {
            if (ring != null) {
                available = ring.available();
            }
        }
    }

    /** {@code read(ByteBuffer, ByteBuffer)}, the channel's read. */
    static final class ChannelRead {
        private ChannelRead() {
        }


        @Advice.OnMethodExit
        static void exit(@Advice.Enter Ring ring, @Advice.Argument(0) ByteBuffer dst,
                @Advice.Return(readOnly = false) int read) throws IOException {
            if (ring != null) {
                read = ring.read(dst);
            }
        }
    }

    /** {@code write(ByteBuffer)}, the channel's write. */
    static final class ChannelWrite {
        private ChannelWrite() {
        }


        @Advice.OnMethodExit
        static void exit(@Advice.Enter Ring ring, @Advice.Argument(0) ByteBuffer src,
                @Advice.Return(readOnly = false) int written) throws IOException {
            if (ring != null) {
                written = ring.write(src);
            }
        }
    }

    /** {@code setOption0(int, Object)}, where every {@code setOption} of the impl ends. */
    static final class SetOption {
        private SetOption() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This Object self, @Advice.Argument(0) int option, @Advice.Argument(1) Object value) {
            if (option == SocketOptions.SO_TIMEOUT) {
                JunixsocketHooks.soTimeout(self, (Integer) value);
            }
        }
    }
}
