package dev.shunt.junixsocket;

import dev.shunt.core.ShuntConfig;
import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import org.newsclub.net.unix.AFSocketFactory;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketFactory;

/**
 * A {@link javax.net.SocketFactory} of {@link ShuntSocket}s, for programs that take a socket factory class name
 * (such as the PostgreSQL JDBC driver's {@code socketFactory}). Its three variants take their arguments exactly
 * as junixsocket's {@link AFUNIXSocketFactory} variants of the same names do (they delegate the mapping from host
 * name to socket file to them), so switching a program from junixsocket to Shunt means changing only the class
 * name:
 *
 * <ul>
 *   <li>{@link FactoryArg}: the socket path is the constructor argument ({@code socketFactoryArg}); connects for
 *       the host name {@code localhost} (or the value of {@code org.newsclub.net.unix.socket.hostname}).</li>
 *   <li>{@link SystemProperty}: the socket path is the system property
 *       {@code org.newsclub.net.unix.socket.default}; same host name rule.</li>
 *   <li>{@link URIScheme}: the host name is a {@code file:} URI naming the socket, such as
 *       {@code file:///run/postgresql/.s.PGSQL.5432}, URL-encoded ({@code file%3A%2F%2F...}) or in square
 *       brackets if the program needs that.</li>
 * </ul>
 *
 * Each socket's Shunt configuration is read from the system properties when the socket is created.
 */
public abstract class ShuntSocketFactory extends AFSocketFactory<AFUNIXSocketAddress> {
    private final AFUNIXSocketFactory conventions;

    ShuntSocketFactory(AFUNIXSocketFactory conventions) {
        super(AFUNIXSocketAddress.class);
        this.conventions = conventions;
    }

    /**
     * @return an unconnected {@link ShuntSocket} that maps the host names this factory supports when it connects
     */
    @Override
    public final Socket createSocket() throws SocketException {
        try {
            return ShuntSocket.newInstance(ShuntConfig.fromSystemProperties(), this);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw (SocketException) new SocketException(e.getMessage()).initCause(e);
        }
    }

    @Override
    protected final Socket connectTo(AFUNIXSocketAddress address) throws IOException {
        return ShuntSocket.connectTo(address);
    }

    /** @return whether {@code host} names a socket for this factory, as for its junixsocket namesake */
    @Override
    public final boolean isHostnameSupported(String host) {
        return conventions.isHostnameSupported(host);
    }

    /** @return the socket address for {@code host}, as its junixsocket namesake maps it */
    @Override
    public final SocketAddress addressFromHost(String host, int port) throws SocketException {
        return conventions.addressFromHost(host, port);
    }

    /**
     * The socket path is the constructor argument; for the PostgreSQL JDBC driver:
     * {@code socketFactory=dev.shunt.junixsocket.ShuntSocketFactory$FactoryArg&socketFactoryArg=/run/postgresql/.s.PGSQL.5432}.
     */
    public static final class FactoryArg extends ShuntSocketFactory {
        /**
         * @param socketPath the socket file every connection goes to
         */
        public FactoryArg(String socketPath) {
            super(new AFUNIXSocketFactory.FactoryArg(socketPath));
        }

        /**
         * @param socketFile the socket file every connection goes to
         */
        public FactoryArg(File socketFile) {
            super(new AFUNIXSocketFactory.FactoryArg(socketFile));
        }
    }

    /** The socket path is the system property {@code org.newsclub.net.unix.socket.default}, read at connect. */
    public static final class SystemProperty extends ShuntSocketFactory {
        /** Creates the factory. */
        public SystemProperty() {
            super(new AFUNIXSocketFactory.SystemProperty());
        }
    }

    /** Host names are {@code file:} URIs naming the socket file. */
    public static final class URIScheme extends ShuntSocketFactory {
        /** Creates the factory. */
        public URIScheme() {
            super(new AFUNIXSocketFactory.URIScheme());
        }
    }
}
