package dev.shunt.nativeio;

/**
 * The credentials of a Unix-socket peer, as {@code SO_PEERCRED} reports them (those in
 * force when the peer called {@code connect} or {@code socketpair}).
 *
 * @param pid the peer's process id
 * @param uid the peer's effective user id
 * @param gid the peer's effective group id
 */
public record PeerCredentials(int pid, int uid, int gid) {
}
