package dev.shunt.agent.junixsocket;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.ServerHandshakes;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * What the advice inlined into junixsocket's classes calls: the Shunt handshake around {@code AFSocket.connect} and
 * {@code AFServerSocket.accept}, the server's advertisement, and the {@link Ring} of each connection on the fast
 * path (or, on an accepted connection until its handshake settles, its {@link PendingHandshake}). It takes and
 * returns only JDK and agent types, so that none of the agent's own classes names a junixsocket class: the advice,
 * inlined into junixsocket, does.
 *
 * <p>A connection takes the fast path only if every class whose rewriting it relies on was rewritten in the class
 * loader that loaded junixsocket ({@link #REQUIRED}); a junixsocket release whose classes differ from what the
 * advice expects is left as it is, and its connections stay on the kernel socket.
 */
public final class JunixsocketHooks {
    /**
     * The classes a fast-path connection relies on: connect, the impl's close and shutdowns, both streams, the refusal
     * to pass descriptors.
     */
    static final Set<String> REQUIRED = Set.of("org.newsclub.net.unix.AFSocket", "org.newsclub.net.unix.AFSocketImpl",
            "org.newsclub.net.unix.AFUNIXSocket",
            "org.newsclub.net.unix.AFSocketImpl$AFInputStreamImpl",
            "org.newsclub.net.unix.AFSocketImpl$AFOutputStreamImpl");
    /**
     * What a server socket holds that is never to be advertised: closed (a late {@code accept()} must not advertise it
     * again), or in a class loader whose junixsocket could not be rewritten.
     */
    private static final Object NEVER = new Object();
    /** Guarded by itself. */
    private static final Map<ClassLoader, Set<String>> REWRITTEN = new WeakHashMap<>();
    private static volatile ShuntConfig config;

    private JunixsocketHooks() {
    }

    static void configure(ShuntConfig inForce) {
        config = inForce;
    }

    /** Records a class the agent rewrote. */
    static void rewritten(ClassLoader loader, String type) {
        synchronized (REWRITTEN) {
            REWRITTEN.computeIfAbsent(loader, l -> new HashSet<>()).add(type);
        }
    }

    private static boolean rewrittenIn(ClassLoader loader) {
        synchronized (REWRITTEN) {
            Set<String> types = REWRITTEN.get(loader);
            return types != null && types.containsAll(REQUIRED);
        }
    }

    /**
     * Whether the classes a connection relies on are rewritten in a server's class loader, which may not have loaded
     * them yet at its first {@code accept()}: an advertised server whose connections could not run the handshake
     * would hold each Shunt client in connect until its handshake timeout.
     */
    private static boolean loadedAndRewritten(ClassLoader loader) {
        for (String type : REQUIRED) {
            try {
                Class.forName(type, false, loader);
            } catch (ClassNotFoundException e) {
                return false;
            }
        }
        return rewrittenIn(loader);
    }

    /**
     * Client, before connect: prepares the handshake (binds the Shunt client marker when the server advertises). The
     * native socket is made here only to be marked: a connection that stays on the kernel socket leaves that to
     * junixsocket's connect, whose checks of the socket's state then cost no system calls, as without the agent.
     *
     * @param socket the unconnected junixsocket socket, whose class loader tells whether junixsocket was rewritten
     *     there
     * @param socketFile the server's socket file, or null for an abstract address
     * @return the handshake to complete after connect, or null to leave the connection alone
     */
    public static Object prepareClient(Socket socket, String socketFile) throws IOException {
        if (!rewrittenIn(socket.getClass().getClassLoader())) {
            return null;
        }
        return ShuntHandshake.prepareClient(() -> descriptor(socket), socketFile == null ? null : Path.of(socketFile),
                config);
    }

    /**
     * A junixsocket socket's descriptor, through junixsocket's own {@code FileDescriptorCast} in the socket's class
     * loader (no agent class names a junixsocket class). junixsocket makes the native socket on the first call that
     * reaches its impl; reading {@code SO_TIMEOUT} is one, as junixsocket's {@code AFSocket} itself does it.
     */
    private static int descriptor(Socket socket) throws IOException {
        socket.getSoTimeout();
        try {
            Object descriptor = socket.getClass().getMethod("getFileDescriptor").invoke(socket);
            Class<?> cast = Class.forName("org.newsclub.net.unix.FileDescriptorCast", true,
                    socket.getClass().getClassLoader());
            Object using = cast.getMethod("using", FileDescriptor.class).invoke(null, descriptor);
            return (Integer) cast.getMethod("as", Class.class).invoke(using, Integer.class);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof IOException ? (IOException) e.getCause()
                    : new IOException("cannot read the socket's descriptor", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot read the socket's descriptor", e);
        }
    }

    /**
     * Client, after connect: completes the handshake and attaches the ring on the fast path. A handshake that fails
     * closes the socket, and connect throws.
     *
     * @param handshake what {@link #prepareClient} returned
     * @param socket the connected socket
     * @param impl its {@code AFSocketImpl}
     */
    public static void completeClient(Object handshake, Socket socket, Object impl) throws IOException {
        HandshakeResult result;
        try {
            result = ((ClientHandshake) handshake).complete();
        } catch (IOException | RuntimeException e) {
            try {
                socket.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        attach(result, socket, impl);
    }

    /**
     * An advertised server socket's attachment: its advertisement and the handshakes of its connections. Its close
     * withdraws the advertisement only: a handshake under way belongs to a socket {@code accept()} returned, which a
     * kernel server socket's close leaves alone too; the socket's own close or the handshake's limit ends it, and the
     * idle threads end by themselves.
     */
    private static final class Advertised {
        final ServerAdvertisement advertisement;
        final ServerHandshakes handshakes;
        final String socketFile;

        Advertised(String socketFile) {
            this.socketFile = socketFile;
            this.advertisement = ServerAdvertisement.publish(Path.of(socketFile), config);
            this.handshakes = new ServerHandshakes(config, socketFile);
        }

        void close() {
            advertisement.close();
        }
    }

    /** @return whether the server socket still needs to be advertised (its first {@code accept()}) */
    public static boolean unadvertised(Object serverSocket) {
        return ((ShuntAttachment) serverSocket).shunt$attachment() == null;
    }

    /**
     * Server, at its first {@code accept()}: publishes the advertisement beside the socket file. Only then, so that a
     * server socket used through its channel, whose accept runs no handshake, is never advertised.
     */
    public static void advertise(Object serverSocket, String socketFile) {
        ShuntAttachment server = (ShuntAttachment) serverSocket;
        boolean rewritten = loadedAndRewritten(serverSocket.getClass().getClassLoader());
        synchronized (server) {
            if (server.shunt$attachment() == null) {
                server.shunt$attachment(rewritten ? new Advertised(socketFile) : NEVER);
            }
        }
    }

    /** Server, at close: withdraws the advertisement. */
    public static void withdraw(Object serverSocket) {
        ShuntAttachment server = (ShuntAttachment) serverSocket;
        Object advertisement;
        synchronized (server) {
            advertisement = server.shunt$attachment();
            server.shunt$attachment(NEVER);
        }
        if (advertisement instanceof Advertised) {
            ((Advertised) advertisement).close();
        }
    }

    /**
     * Server, after {@code accept()} of an advertised server socket: starts the handshake, without waiting on the
     * client. A client that did not mark itself is answered at once, as is a marked one beyond
     * {@link ServerHandshakes#LIMIT} waiting handshakes (declined); a marked one's handshake otherwise runs on a
     * thread of the server socket, and the accepted socket's {@link PendingHandshake} makes what depends on the path
     * wait for it. A handshake that fails leaves the connection shut down both ways, as if its client had hung up at
     * once: the application's accept loop goes on.
     */
    public static void accepted(Object serverSocket, Socket socket, Object impl, int fd) {
        Object attached = ((ShuntAttachment) serverSocket).shunt$attachment();
        if (!(attached instanceof Advertised) || !rewrittenIn(socket.getClass().getClassLoader())) {
            return;
        }
        Advertised server = (Advertised) attached;
        new PendingHandshake(impl, socket, fd, server.handshakes, server.socketFile).start();
    }

    private static void attach(HandshakeResult result, Socket socket, Object impl) throws IOException {
        if (result.isFastPath()) {
            ((ShuntAttachment) impl).shunt$attachment(new Ring(result.stream(), socket, socket.getSoTimeout()));
        }
    }

    /**
     * @return the ring of a connection on the fast path, or null; null too for an impl that the agent could not
     *     rewrite (its class failed while the stream classes did not), which stays on the kernel socket. Waits for
     *     an accepted connection's handshake to settle
     */
    public static Ring ring(Object impl) {
        Object attached = attachment(impl);
        return attached instanceof PendingHandshake ? ((PendingHandshake) attached).await() : (Ring) attached;
    }

    /**
     * {@link #ring} for a read of the socket's stream: waits for a handshake at most {@code SO_TIMEOUT}.
     *
     * @throws SocketTimeoutException when the handshake has not settled within {@code SO_TIMEOUT}
     */
    public static Ring ringToRead(Object impl) throws IOException {
        Object attached = attachment(impl);
        return attached instanceof PendingHandshake ? ((PendingHandshake) attached).awaitToRead() : (Ring) attached;
    }

    /**
     * @return the impl's {@link Ring}, {@link PendingHandshake} or null; null too for an impl that the agent could not
     *     rewrite
     */
    private static Object attachment(Object impl) {
        return impl instanceof ShuntAttachment ? ((ShuntAttachment) impl).shunt$attachment() : null;
    }

    /** {@code setSoTimeout}: the ring follows it, without waiting for a handshake. */
    public static void soTimeout(Object impl, int millis) {
        Object attached = attachment(impl);
        if (attached instanceof PendingHandshake) {
            ((PendingHandshake) attached).soTimeout(millis);
        } else if (attached != null) {
            ((Ring) attached).soTimeout(millis);
        }
    }

    /**
     * {@code AFUNIXSocket.setOutboundFileDescriptors} with descriptors.
     *
     * @throws SocketException on the fast path, where they cannot travel
     */
    public static void refuseDescriptors(Object impl) throws SocketException {
        if (ring(impl) != null) {
            throw new SocketException("file descriptors cannot be passed on Shunt's fast path (shunt-agent)");
        }
    }

    /**
     * {@code AFSocketImpl.close()}, before junixsocket closes the kernel socket: the ring's stream first. A handshake
     * still under way is ended first, so that its thread is done with the socket before the descriptor goes.
     */
    public static void closing(Object impl) {
        Object attached = attachment(impl);
        Ring ring = attached instanceof PendingHandshake ? ((PendingHandshake) attached).end() : (Ring) attached;
        if (ring != null) {
            ring.close();
        }
    }
}
