package dev.shunt.netty;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntMetrics;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A gRPC service without generated code: byte-array messages, a unary echo, a bidirectional-streaming echo,
 * and a unary call that answers the server process's Shunt metrics as
 * {@code "<fast-path connections opened> <fallbacks because the peer does not run Shunt>"}.
 */
final class GrpcEcho {
    static final String SERVICE = "shunt.test.Echo";
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
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
    static final MethodDescriptor<byte[], byte[]> UNARY = method(MethodDescriptor.MethodType.UNARY, "Unary");
    static final MethodDescriptor<byte[], byte[]> BIDI = method(MethodDescriptor.MethodType.BIDI_STREAMING, "Bidi");
    static final MethodDescriptor<byte[], byte[]> METRICS = method(MethodDescriptor.MethodType.UNARY, "Metrics");

    private GrpcEcho() {
    }

    private static MethodDescriptor<byte[], byte[]> method(MethodDescriptor.MethodType type, String name) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    /** @return the service implementation */
    static ServerServiceDefinition service() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
                }))
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(response -> new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] value) {
                        response.onNext(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        response.onError(t);
                    }

                    @Override
                    public void onCompleted() {
                        response.onCompleted();
                    }
                }))
                .addMethod(METRICS, ServerCalls.asyncUnaryCall((request, response) -> {
                    MetricsSnapshot m = ShuntMetrics.snapshot();
                    response.onNext((m.fastPathConnectionsOpened() + " " + m.fallbacks(FallbackReason.PEER_NOT_SHUNT))
                            .getBytes(StandardCharsets.US_ASCII));
                    response.onCompleted();
                }))
                .build();
    }
}
