package dev.shunt.nativeio.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test about the protection keys themselves (a stray write faults, ring pages carry a key,
 * {@code shunt.mpk=required} engages). Where this process cannot use keys, the test is reported as skipped with
 * the probe's reason, never as passed; everything else about the fast path runs on every machine.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(ProtectionKeysCondition.class)
public @interface RequiresProtectionKeys {
}
