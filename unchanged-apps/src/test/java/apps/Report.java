package apps;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** What an application can see of Shunt without depending on it: the platform MBean server. */
public final class Report {
    private Report() {
    }

    /** @return {@code opened=<FastPathConnectionsOpened of dev.shunt:type=Shunt>}, or {@code opened=none} */
    public static String shunt() {
        try {
            MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("dev.shunt:type=Shunt");
            return "opened=" + (beans.isRegistered(name) ? beans.getAttribute(name, "FastPathConnectionsOpened")
                    : "none");
        } catch (Exception e) {
            return "opened=error " + e;
        }
    }
}
