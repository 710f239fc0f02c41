package dev.shunt.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs every case of every transport in rounds. Transports come in groups: a kernel transport together with
 * the Shunt transports that replace it, every other transport alone. A group's sessions stay open together and
 * each case runs round after round through the group, kernel first (kernel, Shunt, kernel, Shunt, ...), so
 * that both sides of a ratio see the same moments of the machine and a disturbance spoils one round of a
 * ratio rather than one side of it. Only one group's processes exist at a time.
 */
final class Rounds {
    private Rounds() {
    }

    /** Measures everything {@code options} selects; a summary per transport and case, transports in order. */
    static List<Summary> run(Options options, String[] args, PrintStream progress) {
        Map<Transport, Map<Case, List<Result>>> results = new EnumMap<>(Transport.class);
        List<List<Transport>> groups = groups(options.transports);
        int n = 0;
        for (List<Transport> group : groups) {
            progress.printf(Locale.ROOT, "[%d/%d] %s%n", ++n, groups.size(), group.stream()
                    .map(t -> t.label + " (" + t.id + ")").collect(Collectors.joining(", alternating with ")));
            long start = System.nanoTime();
            List<Session> sessions = new ArrayList<>();
            try {
                for (Transport t : group) {
                    sessions.add(t.open(options, args, progress));
                }
                for (Case kase : options.cases()) {
                    for (int round = 1; round <= options.rounds; round++) {
                        for (int i = 0; i < group.size(); i++) {
                            Transport t = group.get(i);
                            if (t.takesPart(kase.scenario())) {
                                Result r = sessions.get(i).run(kase);
                                progress.printf(Locale.ROOT, "    %s round %d/%d %s: %s%n", kase.key(), round,
                                        options.rounds, t.id, describe(r));
                                results.computeIfAbsent(t, x -> new LinkedHashMap<>())
                                        .computeIfAbsent(kase, x -> new ArrayList<>()).add(r);
                            }
                        }
                    }
                }
            } finally {
                sessions.forEach(Session::close);
            }
            progress.printf(Locale.ROOT, "    done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        }
        List<Summary> summaries = new ArrayList<>();
        for (Transport t : options.transports) {
            results.getOrDefault(t, Map.of()).forEach((kase, rounds) -> summaries.add(new Summary(t, kase, rounds)));
        }
        return summaries;
    }

    /**
     * The transports in groups, in the order selected: a kernel transport first, then the selected Shunt
     * transports that name it as their counterpart; a transport without a selected partner alone.
     */
    static List<List<Transport>> groups(List<Transport> selected) {
        List<List<Transport>> groups = new ArrayList<>();
        Set<Transport> placed = EnumSet.noneOf(Transport.class);
        for (Transport t : selected) {
            Transport lead = t.kernelCounterpart != null && selected.contains(t.kernelCounterpart)
                    ? t.kernelCounterpart : t;
            if (placed.contains(lead)) {
                continue;
            }
            List<Transport> group = new ArrayList<>(List.of(lead));
            selected.stream().filter(s -> s.kernelCounterpart == lead).forEach(group::add);
            placed.addAll(group);
            groups.add(List.copyOf(group));
        }
        return groups;
    }

    /** One round in a progress line. */
    private static String describe(Result r) {
        return switch (r.outcome()) {
            case FAILED -> "failed: " + r.note();
            case NOT_APPLICABLE -> "n/a: " + r.note();
            case NOT_MEASURED -> "not measured: " + r.note();
            case MEASURED -> (r.kase().scenario() == Scenario.THROUGHPUT
                    ? String.format(Locale.ROOT, "%.2f GB/s", r.figure("gb_per_s"))
                    : r.kase().scenario() == Scenario.GRPC_STREAM
                    ? String.format(Locale.ROOT, "%,.0f msgs/s", r.figure("msgs_per_s"))
                    : String.format(Locale.ROOT, "p50 %.2f us, p99 %.2f us, %,.0f/s", r.figure("p50_us"),
                            r.figure("p99_us"), r.figure("per_s"))) + " (" + r.path() + ")";
        };
    }
}
