package dev.shunt.bench;

/**
 * The background load of the saturated scenario, in a JVM of its own: N threads that spin without end, like
 * the CPU-bound workers of schbench. Prints {@code READY} once they run; the client JVM kills it afterwards.
 *
 * <pre>BusyLoad THREADS</pre>
 */
public final class BusyLoad {
    private static volatile long sink;

    private BusyLoad() {
    }

    /**
     * Entry point, see the class comment.
     *
     * @param args the number of busy threads
     */
    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(BusyLoad::spin, "busy-" + i);
            t.start();
        }
        System.out.println("READY");
        System.out.flush();
    }

    private static void spin() {
        long x = 1;
        while (true) {
            for (int i = 0; i < 1_000_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            sink = x;
        }
    }
}
