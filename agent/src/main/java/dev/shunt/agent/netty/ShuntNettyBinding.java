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
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;

/**
 * {@link ShuntNetty} as linked against one Netty: the class path's (the agent's own classes), or one in another class
 * loader (a fat jar's, an application server's), for which the agent loads new copies of every class of its jar that
 * links against Netty (Shunt's relocated Netty classes, {@code dev.shunt.agent.shaded.netty}, {@link ShuntNetty} and
 * {@link SubstitutingChannelFactory}) in a {@link ShuntNettyLoader} over that loader. One binding per Netty, so that
 * the channels and the loops of an application are of one copy. grpc-netty-shaded's relocated Netty gets such a copy
 * too, its references to Netty remapped to the relocated names.
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
     * @param prefix where that Netty's classes are: {@code ""} for {@code io.netty}, else the prefix of a relocated
     *     copy ({@code "io.grpc.netty.shaded."}), to which the copies' references to Netty are then remapped
     */
    static ShuntNettyBinding over(ClassLoader loader, String prefix) throws ReflectiveOperationException,
            IOException {
        Map<String, byte[]> classes = nettyLinkedClasses();
        if (!prefix.isEmpty()) {
            classes.replaceAll((name, bytes) -> relocated(bytes, prefix.replace('.', '/')));
        }
        ClassLoader shunt = new ShuntNettyLoader(loader, classes);
        return new ShuntNettyBinding(Class.forName(ShuntNettyBinding.class.getPackageName() + ".ShuntNetty", false,
                shunt));
    }

    /** @return {@code bytes} with every reference to a class of {@code io/netty} moved under {@code internalPrefix} */
    private static byte[] relocated(byte[] bytes, String internalPrefix) {
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(bytes).accept(new ClassRemapper(writer, new Remapper() {
            @Override
            public String map(String internalName) {
                return internalName.startsWith("io/netty/") ? internalPrefix + internalName : internalName;
            }
        }), 0);
        return writer.toByteArray();
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
