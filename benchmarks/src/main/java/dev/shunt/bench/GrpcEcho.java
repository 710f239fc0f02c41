package dev.shunt.bench;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The gRPC service of the grpc scenario, without generated code: one unary method whose messages are byte
 * arrays and whose server answers each request with the request itself.
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

    private GrpcEcho() {
    }

    /** The service; its handler runs on the server's default executor, as an application's would. */
    static ServerServiceDefinition service() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
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
}
