/**
 * Shunt's Netty 4.2 transport: {@link dev.shunt.netty.ShuntEventLoopGroup} (loops running a
 * {@link dev.shunt.netty.ShuntIoHandler}), {@link dev.shunt.netty.ShuntServerDomainSocketChannel} and
 * {@link dev.shunt.netty.ShuntDomainSocketChannel}, drop-in replacements of Netty's Epoll domain-socket
 * classes that move the data path onto shared memory when both ends run Shunt. See {@code docs/netty.md}.
 */
package dev.shunt.netty;
