package dev.shunt.netty;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntMetrics;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Checks that a testsuite method really ran in every mode of {@link ShuntPermutations}: at least one
 * fast-path connection, one connection that fell back because Shunt was disabled, and connections that
 * fell back because the peer was a stock Epoll channel.
 */
final class ModesEngaged implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ModesEngaged.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put("before", ShuntMetrics.snapshot());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        MetricsSnapshot before = context.getStore(NAMESPACE).get("before", MetricsSnapshot.class);
        MetricsSnapshot after = ShuntMetrics.snapshot();
        long fast = after.fastPathConnectionsOpened() - before.fastPathConnectionsOpened();
        long disabled = after.fallbacks(FallbackReason.DISABLED) - before.fallbacks(FallbackReason.DISABLED);
        long stock = after.fallbacks(FallbackReason.PEER_NOT_SHUNT) - before.fallbacks(FallbackReason.PEER_NOT_SHUNT);
        assertTrue(fast >= 1, "no fast-path connection in " + context.getDisplayName());
        assertTrue(disabled >= 1, "no connection with Shunt disabled in " + context.getDisplayName());
        assertTrue(stock >= 2, "fewer than two connections with a stock Epoll peer in " + context.getDisplayName());
    }
}
