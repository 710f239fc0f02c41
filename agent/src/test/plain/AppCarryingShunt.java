import dev.shunt.core.ShuntConfig;

/**
 * An application that carries Shunt's own (unrelocated) classes on its class path and uses them, then runs
 * {@link PlainUnixEcho}: the agent's copies must not meet its.
 */
public class AppCarryingShunt {
    public static void main(String[] args) throws Exception {
        System.out.println("OWN " + ShuntConfig.class.getName() + " " + ShuntConfig.fromSystemProperties().enabled());
        PlainUnixEcho.main(args);
    }
}
