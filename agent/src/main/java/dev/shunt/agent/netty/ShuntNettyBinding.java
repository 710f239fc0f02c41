package dev.shunt.agent.netty;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * {@link ShuntNetty} as linked against one Netty: the class path's (the agent's own classes), or one in another class
 * loader (a fat jar's, an application server's), for which the agent loads new copies of every class of its jar that
 * links against Netty (Shunt's relocated Netty classes, {@code dev.shunt.agent.shaded.netty}, {@link ShuntNetty} and
 * {@link SubstitutingChannelFactory}) in a {@link ShuntNettyLoader} over that loader. One binding per Netty, so that
 * the channels and the loops of an application are of one copy.
 */
final class ShuntNettyBinding {
    /** Classes of the agent jar that link against Netty, as resource-name prefixes. */
    private static final List<String> NETTY_LINKED = List.of("dev/shunt/agent/shaded/netty/",
            "dev/shunt/agent/netty/ShuntNetty.class", "dev/shunt/agent/netty/SubstitutingChannelFactory.class");

    private final MethodHandle channelClass;
    private final MethodHandle channelFactory;
    private final MethodHandle ioHandlerFactory;

    private ShuntNettyBinding(Class<?> shuntNetty) throws ReflectiveOperationException {
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(shuntNetty, MethodHandles.lookup());
        channelClass = lookup.findStatic(shuntNetty, "channelClass", MethodType.methodType(Class.class, Class.class));
        channelFactory = lookup.findStatic(shuntNetty, "channelFactory",
                MethodType.methodType(Object.class, Object.class));
        ioHandlerFactory = lookup.findStatic(shuntNetty, "ioHandlerFactory",
                MethodType.methodType(Object.class, Object.class));
    }

    /** The agent's own {@link ShuntNetty}, for the class path's Netty. */
    static ShuntNettyBinding classPath() throws ReflectiveOperationException {
        return new ShuntNettyBinding(ShuntNetty.class);
    }

    /**
     * Loads the agent's Netty-linked classes anew, in a loader of their own over {@code loader}
     * ({@link ShuntNettyLoader}), and binds to that copy of {@link ShuntNetty}.
     *
     * @param loader the class loader of a Netty other than the class path's
     */
    static ShuntNettyBinding over(ClassLoader loader) throws ReflectiveOperationException, IOException {
        ClassLoader shunt = new ShuntNettyLoader(loader, nettyLinkedClasses());
        return new ShuntNettyBinding(Class.forName(ShuntNettyBinding.class.getPackageName() + ".ShuntNetty", false,
                shunt));
    }

    /** @return the agent jar's Netty-linked classes by binary name */
    private static Map<String, byte[]> nettyLinkedClasses() throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                String resource = entry.getName();
                if (resource.endsWith(".class") && NETTY_LINKED.stream().anyMatch(resource::startsWith)) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        classes.put(resource.substring(0, resource.length() - ".class".length()).replace('/', '.'),
                                in.readAllBytes());
                    }
                }
            }
        }
        return classes;
    }

    private static Path agentJar() throws IOException {
        try {
            return Path.of(ShuntNettyBinding.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    Class<?> channelClass(Class<?> epoll) {
        try {
            return (Class<?>) channelClass.invokeExact(epoll);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e); // ShuntNetty declares no checked exception
        }
    }

    Object channelFactory(Object factory) {
        try {
            return (Object) channelFactory.invokeExact(factory);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    Object ioHandlerFactory(Object epollFactory) {
        try {
            return (Object) ioHandlerFactory.invokeExact(epollFactory);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
