package dev.shunt.nativeio.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test of what a process without usable protection keys must do (the probe says why,
 * {@code shunt.mpk=required} falls back, {@code optional} runs unprotected). Where keys are usable it is reported as
 * skipped; on such machines CI runs the suite a second time under the seccomp launcher that refuses
 * {@code pkey_alloc}, where these tests run.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(ProtectionKeysCondition.class)
public @interface WithoutProtectionKeys {
}
