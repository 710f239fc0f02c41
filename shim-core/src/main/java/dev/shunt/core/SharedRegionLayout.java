package dev.shunt.core;

/**
 * The one description of a connection's shared memory: a sealed memfd holding a control page and two
 * single-producer/single-consumer byte rings, one per direction.
 *
 * <pre>
 *  offset                                                                  rights in each process
 *  0      +------------------------------------------------------------+
 *         | header: magic "SHUNTMEM" u64 | layout version u32 |         |  read-write, key 0
 *         |         ring capacity u32    | region bytes u64            |  (the kernel reads
 *  128    +------------------------------------------------------------+   futex words here)
 *         | control block of ring A (server -> client), 896 bytes       |  read-write, key 0
 *  1024   +------------------------------------------------------------+
 *         | control block of ring B (client -> server), 896 bytes       |  read-write, key 0
 *  1920   +------------------------------------------------------------+
 *         | (unused up to the page end)                                 |
 *  page   +============================================================+
 *         | ring A data: capacity bytes                                 |  producer (server): the
 *  page+c +------------------------------------------------------------+  process-wide Shunt key,
 *         | ring B data: capacity bytes                                 |  no access outside copy
 *  end    +============================================================+  windows; consumer: read-
 *                                                                          only (PROT_READ), key 0
 *
 *  control block: seven words, each alone in a 128-byte slot (a pair of cache lines, against adjacent-line
 *  prefetch), so that a word written on every message never shares a line with one that is only polled:
 *  +0    producer position u64   bytes ever published            written by the producer, every write
 *  +128  consumer position u64   bytes ever released to the      written by the consumer, every read
 *                                producer (lent runs: once back) with nothing lent, and on give-backs
 *  +256  consumer sleep    i32   futex word, see below            consumer sets, producer clears
 *  +384  producer sleep    i32   futex word, see below            producer sets, consumer clears
 *  +512  producer closed   i32   1 = no more bytes: end of        written once by the producer
 *                                stream after the producer position
 *  +640  consumer closed   i32   1 = reader gone: writes fail     written once by the consumer
 *  +768  consumer cpu      i32   1 + the CPU the consumer's side written by the consumer when it
 *                                last woke up on (0 unknown): a   wakes from a park; read by the
 *                                hint for the peer's wait policy  producer's side before it spins
 * </pre>
 *
 * <p>A sleep word is {@link #AWAKE}, {@link #PARKED_FUTEX} (a blocked thread waits on the word itself with
 * {@code futex}) or {@link #PARKED_DOORBELL} (an event loop, or a virtual thread through the
 * {@link VirtualThreadWaker}, waits in {@code epoll} for a doorbell byte on the connection's kernel socket).
 * Positions grow without wrapping; index = position &amp; (capacity - 1). Every value read from this memory
 * is validated by the reader before use: the peer may be broken or hostile.
 */
final class SharedRegionLayout {
    static final long MAGIC = 0x4D454D544E554853L; // "SHUNTMEM" read as a little-endian u64
    static final int VERSION = 2;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int CAPACITY_OFFSET = 12;
    static final int REGION_BYTES_OFFSET = 16;

    /** Every control word sits alone in a slot of this size. */
    static final int SLOT_BYTES = 128;

    static final int PRODUCER_POSITION = 0;
    static final int CONSUMER_POSITION = PRODUCER_POSITION + SLOT_BYTES;
    static final int CONSUMER_SLEEP = CONSUMER_POSITION + SLOT_BYTES;
    static final int PRODUCER_SLEEP = CONSUMER_SLEEP + SLOT_BYTES;
    static final int PRODUCER_CLOSED = PRODUCER_SLEEP + SLOT_BYTES;
    static final int CONSUMER_CLOSED = PRODUCER_CLOSED + SLOT_BYTES;
    static final int CONSUMER_CPU = CONSUMER_CLOSED + SLOT_BYTES;
    static final int CONTROL_BLOCK_BYTES = CONSUMER_CPU + SLOT_BYTES;

    /** The header takes the first slot of the control page. */
    static final int RING_A_CONTROL_OFFSET = SLOT_BYTES;
    static final int RING_B_CONTROL_OFFSET = RING_A_CONTROL_OFFSET + CONTROL_BLOCK_BYTES;

    static final int AWAKE = 0;
    static final int PARKED_FUTEX = 1;
    static final int PARKED_DOORBELL = 2;

    static final int OPEN = 0;
    static final int CLOSED = 1;

    private SharedRegionLayout() {
    }

    /** @return bytes of the control area, one page */
    static int controlBytes(int pageSize) {
        return pageSize;
    }

    /** @return total memfd size for a ring capacity */
    static long regionBytes(int pageSize, int capacity) {
        return controlBytes(pageSize) + 2L * capacity;
    }

    /** @return offset of the control block of the ring a role produces into */
    static int outboundControl(Role role) {
        return role == Role.SERVER ? RING_A_CONTROL_OFFSET : RING_B_CONTROL_OFFSET;
    }

    /** @return offset of the control block of the ring a role consumes from */
    static int inboundControl(Role role) {
        return role == Role.SERVER ? RING_B_CONTROL_OFFSET : RING_A_CONTROL_OFFSET;
    }

    /** @return offset of the data of the ring whose control block is at {@code control} */
    static long dataOffset(int pageSize, int capacity, int control) {
        return control == RING_A_CONTROL_OFFSET ? controlBytes(pageSize) : controlBytes(pageSize) + (long) capacity;
    }
}
