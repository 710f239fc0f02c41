package dev.shunt.agent.junixsocket;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.function.Supplier;

/**
 * The agent's transformer of junixsocket's classes: it looks at each loaded class's name only, and builds the Byte Buddy
 * transformer ({@link JunixsocketRedirection}) when the first junixsocket class loads. An application that never loads
 * junixsocket does not load Byte Buddy either (its start-up would otherwise grow by a few hundred milliseconds).
 */
final class DeferredTransformer implements ClassFileTransformer {
    private static final String PACKAGE = "org/newsclub/net/unix/";

    private final Supplier<ClassFileTransformer> factory;
    private volatile ClassFileTransformer rewriting;

    DeferredTransformer(Supplier<ClassFileTransformer> factory) {
        this.factory = factory;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
            ProtectionDomain domain, byte[] classFile) throws IllegalClassFormatException {
        if (className == null || !className.startsWith(PACKAGE)) {
            return null;
        }
        return rewriting().transform(module, loader, className, redefined, domain, classFile);
    }

    private ClassFileTransformer rewriting() {
        ClassFileTransformer built = rewriting;
        if (built == null) {
            synchronized (this) {
                built = rewriting;
                if (built == null) {
                    built = factory.get();
                    rewriting = built;
                }
            }
        }
        return built;
    }
}
