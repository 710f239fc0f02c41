/**
 * Shunt for blocking-stream Java programs over Unix sockets, built on junixsocket: {@link
 * dev.shunt.junixsocket.ShuntSocket}, {@link dev.shunt.junixsocket.ShuntServerSocket} and {@link
 * dev.shunt.junixsocket.ShuntSocketFactory}. Connections between two Shunt ends on one host move onto shared
 * memory; every other connection stays on the kernel socket, byte for byte. See {@code docs/junixsocket.md}.
 */
package dev.shunt.junixsocket;
