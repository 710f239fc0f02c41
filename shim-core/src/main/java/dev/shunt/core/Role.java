package dev.shunt.core;

/** Which end of a connection this process is: the one that accepted it, or the one that connected. */
public enum Role {
    /** The accepting side; it creates the shared memory and makes the offer. */
    SERVER,
    /** The connecting side; it announces itself and answers the offer. */
    CLIENT
}
