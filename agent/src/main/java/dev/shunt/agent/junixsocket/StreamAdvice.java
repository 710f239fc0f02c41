package dev.shunt.agent.junixsocket;

import java.io.IOException;
import net.bytebuddy.asm.Advice;

/**
 * Advice inlined into the streams of junixsocket's {@code AFSocketImpl} ({@code AFInputStreamImpl},
 * {@code AFOutputStreamImpl}, which {@code AFSocket.getInputStream()}/{@code getOutputStream()} return): on a
 * connection with a {@link Ring} (found through the stream's enclosing impl, {@code this$0}), reads, writes and
 * closes go to the ring and junixsocket's body is skipped. On an accepted connection whose handshake is under way
 * they wait for it first.
 */
final class StreamAdvice {
    private StreamAdvice() {
    }

    /**
     * The enter advice of every stream method: returns the ring of the stream's enclosing impl (none on the kernel
     * path), and a ring skips junixsocket's body; the exit advice of the method's own class then does the ring's work.
     */
    static final class RingOfImpl {
        private RingOfImpl() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static Ring enter(@Advice.FieldValue("this$0") Object impl) {
            return JunixsocketHooks.ring(impl);
        }
    }

    /**
     * The enter advice of the input stream's reads: {@link RingOfImpl}'s, but a handshake under way is waited for at
     * most {@code SO_TIMEOUT}, as the read would wait for bytes.
     */
    static final class RingOfImplToRead {
        private RingOfImplToRead() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static Ring enter(@Advice.FieldValue("this$0") Object impl) throws IOException {
            return JunixsocketHooks.ringToRead(impl);
        }
    }

    /** {@code read(byte[], int, int)}. */
    static final class Read {
        private Read() {
        }


        @Advice.OnMethodExit
        static void exit(@Advice.Enter Ring ring, @Advice.Argument(0) byte[] b, @Advice.Argument(1) int off,
                @Advice.Argument(2) int len, @Advice.Return(readOnly = false) int read) throws IOException {
            if (ring != null) {
                read = ring.read(b, off, len);
            }
        }
    }

    /** {@code read()}. */
    static final class ReadByte {
        private ReadByte() {
        }


        @Advice.OnMethodExit
        static void exit(@Advice.Enter Ring ring, @Advice.Return(readOnly = false) int read) throws IOException {
            if (ring != null) {
                read = ring.read();
            }
        }
    }

    /** The input stream's {@code close()}. */
    static final class CloseInput {
        private CloseInput() {
        }


        @Advice.OnMethodExit
        static void exit(@Advice.Enter Ring ring) throws IOException {
            if (ring != null) {
                ring.closeInput();
            }
        }
    }

    /** {@code write(byte[], int, int)}. */
    static final class Write {
        private Write() {
        }


        @Advice.OnMethodExit
        static void exit(@Advice.Enter Ring ring, @Advice.Argument(0) byte[] b, @Advice.Argument(1) int off,
                @Advice.Argument(2) int len) throws IOException {
            if (ring != null) {
                ring.write(b, off, len);
            }
        }
    }

    /** {@code write(int)}. */
    static final class WriteByte {
        private WriteByte() {
        }


        @Advice.OnMethodExit
        static void exit(@Advice.Enter Ring ring, @Advice.Argument(0) int b) throws IOException {
            if (ring != null) {
                ring.write(b);
            }
        }
    }

    /** The output stream's {@code close()}. */
    static final class CloseOutput {
        private CloseOutput() {
        }


        @Advice.OnMethodExit
        static void exit(@Advice.Enter Ring ring) throws IOException {
            if (ring != null) {
                ring.closeOutput();
            }
        }
    }
}
