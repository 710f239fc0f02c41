package dev.shunt.core;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JMX view of Shunt in a process that may hold more than one copy of Shunt's core: an application that carries
 * {@code shunt-netty} or {@code shunt-junixsocket} and runs {@code shunt-agent.jar}, whose core is relocated under
 * {@code dev.shunt.agent.shaded}. Each copy registers its own {@link ShuntMetrics} as
 * {@code dev.shunt:type=Shunt,copy=<the copy's package>}; the first copy also registers this view as
 * {@code dev.shunt:type=Shunt}, which sums every {@code copy=*} when read. So {@code dev.shunt:type=Shunt} always
 * counts every connection of the process, whichever copy made it and whichever registered first.
 */
final class ProcessMetrics implements ShuntMetricsMXBean {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessMetrics.class);
    private static final ObjectName COPIES = name(ShuntMetrics.OBJECT_NAME + ",copy=*");

    private final MBeanServer server;

    private ProcessMetrics(MBeanServer server) {
        this.server = server;
    }

    /** Registers {@code metrics} as its copy and, unless another copy did, the process's total. */
    static void register(ShuntMetrics metrics) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            server.registerMBean(metrics,
                    name(ShuntMetrics.OBJECT_NAME + ",copy=" + ShuntMetrics.class.getPackageName()));
            try {
                server.registerMBean(new ProcessMetrics(server), name(ShuntMetrics.OBJECT_NAME));
            } catch (InstanceAlreadyExistsException e) {
                LOG.debug("Another copy of Shunt registered the process's total; it counts this copy too");
            }
        } catch (JMException | SecurityException e) {
            LOG.warn("Shunt metrics are not exported over JMX: {}", e.toString());
        }
    }

    private static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private long sum(String attribute) {
        long sum = 0;
        for (ObjectName copy : server.queryNames(COPIES, null)) {
            try {
                sum += (Long) server.getAttribute(copy, attribute);
            } catch (JMException e) {
                LOG.debug("{} of {} unreadable: {}", attribute, copy, e.toString());
            }
        }
        return sum;
    }

    @Override
    public long getFastPathConnections() {
        return sum("FastPathConnections");
    }

    @Override
    public long getFastPathConnectionsOpened() {
        return sum("FastPathConnectionsOpened");
    }

    @Override
    public Map<String, Long> getFallbacks() {
        Map<String, Long> sums = new LinkedHashMap<>();
        for (ObjectName copy : server.queryNames(COPIES, null)) {
            try {
                for (Object row : ((TabularData) server.getAttribute(copy, "Fallbacks")).values()) {
                    CompositeData entry = (CompositeData) row;
                    sums.merge((String) entry.get("key"), (Long) entry.get("value"), Long::sum);
                }
            } catch (JMException e) {
                LOG.debug("Fallbacks of {} unreadable: {}", copy, e.toString());
            }
        }
        return sums;
    }

    @Override
    public long getFastPathBytesIn() {
        return sum("FastPathBytesIn");
    }

    @Override
    public long getFastPathBytesOut() {
        return sum("FastPathBytesOut");
    }

    @Override
    public long getDoorbellSignals() {
        return sum("DoorbellSignals");
    }

    @Override
    public long getDoorbellBytes() {
        return sum("DoorbellBytes");
    }

    @Override
    public long getParks() {
        return sum("Parks");
    }

    @Override
    public long getProtocolErrors() {
        return sum("ProtocolErrors");
    }

    @Override
    public long getHandshakeFailures() {
        return sum("HandshakeFailures");
    }

    @Override
    public long getMissedWakeups() {
        return sum("MissedWakeups");
    }

    @Override
    public long getThreadMoves() {
        return sum("ThreadMoves");
    }
}
