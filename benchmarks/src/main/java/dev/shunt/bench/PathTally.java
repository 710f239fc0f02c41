package dev.shunt.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The paths the connections of one connect case took, told as one path when they all took the same, else as each
 * path with its share (a Shunt client keeps frequent short connections on the kernel socket, apart from a probe
 * now and then).
 */
final class PathTally {
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private int total;

    /** One more connection took {@code path}. */
    void add(String path) {
        counts.merge(path, 1, Integer::sum);
        total++;
    }

    /** @return "none" before any connection; the path; or "path (97.0%); other path (3.00%)", the commonest first */
    @Override
    public String toString() {
        if (counts.size() <= 1) {
            return counts.isEmpty() ? "none" : counts.keySet().iterator().next();
        }
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(e -> String.format("%s (%.3g%%)", e.getKey(), 100.0 * e.getValue() / total))
                .collect(Collectors.joining("; "));
    }
}
