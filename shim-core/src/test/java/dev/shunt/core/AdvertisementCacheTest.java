package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A remembered advertisement check must find every change that the full check finds. */
class AdvertisementCacheTest {
    private Path dir;
    private Path socket;
    private int listenFd = -1;

    @BeforeEach
    void bindAndAdvertise() throws Exception {
        dir = Files.createTempDirectory("shunt-adcache");
        socket = dir.resolve("s");
        bind();
        Advertisement.write(socket);
        AdvertisementCache.check(socket);
        AdvertisementCache.check(socket);
    }

    @AfterEach
    void cleanUp() throws Exception {
        Descriptors.close(listenFd);
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    private void bind() throws Exception {
        listenFd = UnixSockets.socket();
        UnixSockets.bindPath(listenFd, socket.toString());
        UnixSockets.listen(listenFd, 4);
    }

    @Test
    void socketFileRecreatedBehindARememberedAdvertisementIsStale() throws Exception {
        Descriptors.close(listenFd);
        Files.delete(socket);
        bind();
        assertEquals(FallbackReason.STALE_ADVERTISEMENT, reasonOf(socket));
    }

    @Test
    void replacedAdvertisementIsReadAgain() throws Exception {
        Path next = dir.resolve("next");
        Files.writeString(next, "versions=99\nidentity=" + Advertisement.identity(socket).replace(":", "\\:") + "\n",
                StandardCharsets.ISO_8859_1);
        Files.move(next, Advertisement.pathFor(socket), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        assertEquals(FallbackReason.VERSION_MISMATCH, reasonOf(socket));
    }

    @Test
    void advertisementRewrittenInPlaceIsReadAgain() throws Exception {
        Files.writeString(Advertisement.pathFor(socket), "versions=" + HandshakeMessage.VERSION + "\nidentity=0\\:0\\:0\n",
                StandardCharsets.ISO_8859_1);
        assertEquals(FallbackReason.STALE_ADVERTISEMENT, reasonOf(socket));
    }

    @Test
    void withdrawnAdvertisementMeansNoShunt() throws Exception {
        Files.delete(Advertisement.pathFor(socket));
        assertEquals(FallbackReason.PEER_NOT_SHUNT, reasonOf(socket));
    }

    @Test
    void advertisementRestoredAfterAFindingIsValidAgain() throws Exception {
        Files.delete(Advertisement.pathFor(socket));
        assertEquals(FallbackReason.PEER_NOT_SHUNT, reasonOf(socket));
        Advertisement.write(socket);
        AdvertisementCache.check(socket);
    }

    private static FallbackReason reasonOf(Path socket) {
        return assertThrows(FallbackException.class, () -> AdvertisementCache.check(socket)).reason();
    }
}
