package dev.shunt.core;

import dev.shunt.nativeio.Descriptors;
import java.nio.ByteBuffer;

/**
 * Child-JVM main for the protection-key test: maps a region guarded by the process key and writes one byte
 * into its ring data either inside a copy window ({@code inside}) or outside one ({@code outside}, which must
 * kill the process with SIGSEGV/SEGV_PKUERR).
 */
public final class MpkProbe {
    private MpkProbe() {
    }

    /** @param args {@code inside} or {@code outside} */
    public static void main(String[] args) throws Exception {
        AccessWindow window = ProtectionPolicy.windowFor(MpkMode.REQUIRED);
        SharedRegion.Created created = SharedRegion.create(4096, window);
        Descriptors.close(created.memfd());
        SharedRegion region = created.region();
        ByteBuffer data = region.data(SharedRegionLayout.RING_A_CONTROL_OFFSET);
        System.out.println("KEY " + window.key());
        System.out.flush();
        if (args[0].equals("inside")) {
            window.open();
            try {
                data.put(0, (byte) 42);
            } finally {
                window.close();
            }
            window.open();
            try {
                System.out.println("WROTE " + data.get(0));
            } finally {
                window.close();
            }
        } else {
            data.put(0, (byte) 42);
            System.out.println("WROTE outside a window");
        }
        System.out.flush();
        region.close();
    }
}
