package dev.shunt.agent.netty;

import java.security.ProtectionDomain;
import java.util.Map;

/**
 * The class loader of the agent's Netty-linked classes for a Netty in another class loader than the class path's: it
 * defines those classes itself (before asking its parent, which would find the agent jar's copies through the class
 * path) and leaves every other name to its parent, the Netty's loader: Netty from there, Shunt's core and the agent
 * through that loader's own parents.
 */
final class ShuntNettyLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Map<String, byte[]> classes;
    private final ProtectionDomain domain;

    /**
     * @param netty the loader of the application's Netty
     * @param classes the Netty-linked classes by binary name
     */
    ShuntNettyLoader(ClassLoader netty, Map<String, byte[]> classes) {
        super("shunt-netty", netty);
        this.classes = classes;
        this.domain = ShuntNettyLoader.class.getProtectionDomain();
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        byte[] bytes = classes.get(name);
        if (bytes == null) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> type = findLoadedClass(name);
            if (type == null) {
                type = defineClass(name, bytes, 0, bytes.length, domain);
            }
            if (resolve) {
                resolveClass(type);
            }
            return type;
        }
    }
}
