package dev.shunt.bench;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The gRPC service of the grpc and grpc-stream scenarios, without generated code, on byte-array messages: a unary
 * method whose server answers each request with the request itself, and a bidirectional stream whose server
 * counts what it receives and answers each message that ends a round ({@link Wire#LAST} first).
 */
final class GrpcEcho {
    private static final String SERVICE = "shunt.bench.Echo";
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            // Of known length, as a protobuf message's stream: gRPC frames it straight into its buffer.
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> UNARY = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Unary"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    private static final MethodDescriptor<byte[], byte[]> STREAM = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Stream"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    private static final byte[] ACK = {Wire.LAST};

    private GrpcEcho() {
    }

    /** The service; its handler runs on the server's default executor, as an application's would. */
    static ServerServiceDefinition service() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
                }))
                .addMethod(STREAM, ServerCalls.asyncBidiStreamingCall(response -> new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] message) {
                        if (message.length > 0 && message[0] == Wire.LAST) {
                            response.onNext(ACK);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        // The client went away; nothing to answer.
                    }

                    @Override
                    public void onCompleted() {
                        response.onCompleted();
                    }
                }))
                .build();
    }

    /**
     * One call through a blocking stub, as an application thread makes it: gRPC runs the call's callbacks on
     * this thread, which waits until the event loop hands it the reply.
     *
     * @return the reply
     */
    static byte[] call(Channel channel, byte[] request) {
        return ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT, request);
    }

    /**
     * Opens a bidirectional stream, as an application that streams to a service would.
     *
     * @return its sending side
     */
    static Stream stream(Channel channel) {
        Stream stream = new Stream();
        ClientCalls.asyncBidiStreamingCall(channel.newCall(STREAM, CallOptions.DEFAULT), stream);
        return stream;
    }

    /**
     * The client's side of a stream: sends from one thread, waiting while gRPC's flow control says the transport
     * is not ready (its on-ready handler wakes the sender), and counts the server's answers to round ends.
     */
    static final class Stream implements ClientResponseObserver<byte[], byte[]> {
        private ClientCallStreamObserver<byte[]> requests;
        private long acknowledged;
        private Throwable failure;

        @Override
        public void beforeStart(ClientCallStreamObserver<byte[]> requestStream) {
            requests = requestStream;
            requestStream.setOnReadyHandler(this::wake);
        }

        private synchronized void wake() {
            notifyAll();
        }

        @Override
        public synchronized void onNext(byte[] value) {
            acknowledged++;
            notifyAll();
        }

        @Override
        public synchronized void onError(Throwable t) {
            failure = t;
            notifyAll();
        }

        @Override
        public void onCompleted() {
            // Every answer counted already.
        }

        /** Sends {@code message} once gRPC's flow control lets it. */
        void send(byte[] message) throws IOException, InterruptedException {
            if (!requests.isReady()) {
                synchronized (this) {
                    while (!requests.isReady() && failure == null) {
                        wait();
                    }
                }
            }
            check();
            requests.onNext(message);
        }

        /** Waits until the server answered {@code rounds} round ends in all. */
        synchronized void awaitAcknowledged(long rounds) throws IOException, InterruptedException {
            while (acknowledged < rounds && failure == null) {
                wait();
            }
            check();
        }

        /** Ends the call. */
        void finish() {
            requests.onCompleted();
        }

        private synchronized void check() throws IOException {
            if (failure != null) {
                throw new IOException("the gRPC stream failed", failure);
            }
        }
    }
}
