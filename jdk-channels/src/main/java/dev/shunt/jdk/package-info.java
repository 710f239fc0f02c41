/**
 * Shunt for applications on the JDK's own Unix-domain channels ({@code SocketChannel.open(UNIX)},
 * {@code ServerSocketChannel.open(UNIX)}): {@link dev.shunt.jdk.ShuntSelectorProvider} replaces the JVM's selector
 * provider for those channels only, and the channels it hands out take the shared-memory fast path when both ends run
 * Shunt. Design: {@code docs/jdk-channels.md}.
 */
package dev.shunt.jdk;
