package dev.shunt.niosuite;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a testsuite method whose connections close as soon as they are made, before Shunt's handshake can settle
 * (such a connection counts as no fast-path connection, or as a fallback where the peer was gone before it was asked):
 * {@link PathsTaken} asks nothing of it in fast-path mode.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface ClosesBeforeTheHandshake {
}
