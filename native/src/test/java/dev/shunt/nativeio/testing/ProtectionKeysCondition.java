package dev.shunt.nativeio.testing;

import dev.shunt.nativeio.Capabilities;
import dev.shunt.nativeio.Capability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Runs {@link RequiresProtectionKeys} tests only where this process can use protection keys and
 * {@link WithoutProtectionKeys} tests only where it cannot, deciding from the same probe Shunt itself uses.
 *
 * <p>When the system property {@value #LOG_PROPERTY} names a file, one line per decided test is appended to it
 * ({@code requires-keys ran|skipped class#method}; a parameterized test may repeat its line), from which CI reports
 * how many key-specific tests each pass ran and skipped.
 */
public final class ProtectionKeysCondition implements ExecutionCondition {
    /** System property naming the file decisions are appended to. */
    public static final String LOG_PROPERTY = "shunt.test.keysLog";

    private static final Capability KEYS = Capabilities.current().protectionKeys();

    /** @return whether this process can allocate and use protection keys */
    public static boolean keysAvailable() {
        return KEYS.available();
    }

    /** @return why this process cannot use protection keys, or "" where it can */
    public static String whyNoKeys() {
        return KEYS.reason();
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        boolean requires = annotated(context, RequiresProtectionKeys.class);
        boolean without = annotated(context, WithoutProtectionKeys.class);
        if (requires == without) {
            return ConditionEvaluationResult.enabled("not about protection keys");
        }
        boolean run = requires == KEYS.available();
        if (requires && context.getTestMethod().isPresent()) {
            record(context, run);
        }
        if (run) {
            return ConditionEvaluationResult.enabled(requires ? "protection keys are usable here"
                    : "protection keys are unusable here: " + KEYS.reason());
        }
        return ConditionEvaluationResult.disabled(requires
                ? "needs protection keys, which this process cannot use: " + KEYS.reason()
                : "checks a process without protection keys, and this one has them (CI's seccomp pass runs it)");
    }

    private static boolean annotated(ExtensionContext context, Class<? extends java.lang.annotation.Annotation> type) {
        Optional<java.lang.reflect.AnnotatedElement> element = context.getElement();
        if (element.isPresent() && AnnotationSupport.isAnnotated(element, type)) {
            return true;
        }
        return context.getTestClass().map(c -> AnnotationSupport.isAnnotated(c, type)).orElse(false);
    }

    private static synchronized void record(ExtensionContext context, boolean ran) {
        String log = System.getProperty(LOG_PROPERTY);
        if (log == null || log.isBlank()) {
            return;
        }
        String line = "requires-keys " + (ran ? "ran " : "skipped ") + context.getRequiredTestClass().getName() + "#"
                + context.getRequiredTestMethod().getName() + "\n";
        try {
            Path path = Path.of(log);
            Files.createDirectories(path.toAbsolutePath().getParent());
            Files.writeString(path, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the protection-key decision in " + log, e);
        }
    }
}
