package dev.shunt.netty;

import io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.lang.reflect.Constructor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds Netty's {@link PeerCredentials}, whose constructor is package-private, so that
 * {@link ShuntDomainSocketChannel#peerCredentials()} returns the type {@code EpollDomainSocketChannel} returns. The
 * constructor is looked up once per process.
 */
final class PeerCredentialsFactory {
    private static final Logger LOG = LoggerFactory.getLogger(PeerCredentialsFactory.class);
    private static final Constructor<PeerCredentials> CONSTRUCTOR = constructor();

    private PeerCredentialsFactory() {
    }

    private static Constructor<PeerCredentials> constructor() {
        try {
            Constructor<PeerCredentials> c = PeerCredentials.class.getDeclaredConstructor(int.class, int.class,
                    int[].class);
            c.setAccessible(true);
            return c;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Netty's PeerCredentials cannot be built here: {}", e.toString());
            return null;
        }
    }

    static PeerCredentials create(int pid, int uid, int gid) throws IOException {
        if (CONSTRUCTOR == null) {
            throw new IOException("Netty's PeerCredentials constructor is not accessible (module system?)");
        }
        try {
            return CONSTRUCTOR.newInstance(pid, uid, new int[] {gid});
        } catch (ReflectiveOperationException e) {
            throw new IOException("could not build PeerCredentials", e);
        }
    }
}
