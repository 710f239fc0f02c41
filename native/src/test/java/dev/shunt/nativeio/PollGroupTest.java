package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PollGroupTest {
    private static final int HANG_UP = UnixSockets.POLLRDHUP | UnixSockets.POLLHUP;

    @Test
    void oneCallFindsTheHungUpSocketsAmongManyAndGrowsPastItsFirstArray() throws Exception {
        List<int[]> pairs = new ArrayList<>();
        PollGroup group = new PollGroup();
        try {
            for (int i = 0; i < 150; i++) {
                pairs.add(UnixSockets.socketPair());
            }
            for (int[] pair : pairs) {
                group.add(pair[0], UnixSockets.POLLRDHUP);
            }
            assertEquals(150, group.size());
            assertEquals(0, group.pollNow(), "no peer hung up yet");
            Descriptors.close(pairs.get(3)[1]);
            Descriptors.close(pairs.get(130)[1]);
            pairs.get(3)[1] = -1;
            pairs.get(130)[1] = -1;
            assertEquals(2, group.pollNow());
            for (int i = 0; i < pairs.size(); i++) {
                int expected = i == 3 || i == 130 ? HANG_UP : 0;
                assertEquals(expected, group.returned(i) & HANG_UP, "socket " + i);
            }
        } finally {
            for (int[] pair : pairs) {
                Descriptors.close(pair[0]);
                Descriptors.close(pair[1]);
            }
        }
    }

    @Test
    void aNumberThatIsNotOpenReportsItAndClearStartsOver() throws Exception {
        PollGroup group = new PollGroup();
        group.add(1 << 29, UnixSockets.POLLRDHUP); // far above any number this process has open
        assertEquals(1, group.pollNow());
        assertEquals(UnixSockets.POLLNVAL, group.returned(0));
        group.clear();
        assertEquals(0, group.size());
        assertEquals(0, group.pollNow());
        assertThrows(IndexOutOfBoundsException.class, () -> group.returned(0));
    }
}
