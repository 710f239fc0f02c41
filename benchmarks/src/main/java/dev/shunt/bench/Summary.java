package dev.shunt.bench;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The rounds of one transport and case, and what they come to: each figure is its median over the rounds, and
 * a ratio to another transport is taken round by round (this transport's round i over the other's round i,
 * which ran minutes or seconds apart at most) and reduced to its median and range ({@link Spread}). The
 * median of the ratios need not equal the ratio of the medians.
 */
final class Summary {
    private final Transport transport;
    private final Case kase;
    private final List<Result> rounds;
    private final Map<String, Double> figures;

    /**
     * @param rounds the results of every round, in the order the rounds ran, all of {@code transport} and
     *     {@code kase}
     */
    Summary(Transport transport, Case kase, List<Result> rounds) {
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("no rounds of " + transport.id + " " + kase.key());
        }
        this.transport = transport;
        this.kase = kase;
        this.rounds = List.copyOf(rounds);
        this.figures = measured() ? medians(this.rounds) : Map.of();
    }

    private static Map<String, Double> medians(List<Result> rounds) {
        Set<String> keys = new LinkedHashSet<>();
        rounds.forEach(r -> keys.addAll(r.figures().keySet()));
        Map<String, Double> medians = new LinkedHashMap<>();
        for (String key : keys) {
            double[] values = rounds.stream().mapToDouble(r -> r.figure(key)).filter(Double::isFinite).toArray();
            if (values.length > 0) {
                medians.put(key, Spread.of(values).median());
            }
        }
        return medians;
    }

    Transport transport() {
        return transport;
    }

    Case kase() {
        return kase;
    }

    /** Every round's result, in order. */
    List<Result> rounds() {
        return rounds;
    }

    /**
     * Failed when any round failed (the other rounds' figures are then not summarised); otherwise how every
     * round ended: measured, not applicable or not measured.
     */
    Result.Outcome outcome() {
        return rounds.stream().map(Result::outcome).filter(o -> o == Result.Outcome.FAILED).findFirst()
                .orElse(rounds.get(0).outcome());
    }

    boolean measured() {
        return outcome() == Result.Outcome.MEASURED;
    }

    /** The paths the rounds took, each named once: a Shunt figure always says which protection it ran with. */
    String path() {
        return paths().collect(Collectors.joining("; "));
    }

    /** The paths the measured rounds took, each once. */
    Stream<String> paths() {
        return rounds.stream().filter(Result::measured).map(Result::path).distinct();
    }

    /** Why it was not measured: the first failed round, numbered, or else the note the rounds share. */
    String note() {
        for (int i = 0; i < rounds.size(); i++) {
            if (rounds.get(i).outcome() == Result.Outcome.FAILED) {
                return "round " + (i + 1) + " of " + rounds.size() + ": " + rounds.get(i).note();
            }
        }
        return rounds.get(0).note();
    }

    /** The median of each figure over the rounds; empty unless measured. */
    Map<String, Double> figures() {
        return figures;
    }

    /** A median figure, NaN when absent. */
    double figure(String key) {
        return figures.getOrDefault(key, Double.NaN);
    }

    /**
     * This transport's figures over {@code reference}'s, round by round, for every figure both have, over the
     * rounds both measured; a figure without a finite ratio in any round (a count of 0 over 0) is left out.
     */
    Map<String, Spread> ratiosTo(Summary reference) {
        int n = Math.min(rounds.size(), reference.rounds.size());
        Map<String, Spread> ratios = new TreeMap<>();
        for (String key : figures.keySet()) {
            double[] perRound = IntStream.range(0, n)
                    .filter(i -> rounds.get(i).measured() && reference.rounds.get(i).measured())
                    .mapToDouble(i -> rounds.get(i).figure(key) / reference.rounds.get(i).figure(key))
                    .filter(Double::isFinite).toArray();
            if (perRound.length > 0) {
                ratios.put(key, Spread.of(perRound));
            }
        }
        return ratios;
    }

    /** For a measured Shunt transport: its kernel counterpart's measured summary of the same case. */
    Optional<Summary> kernelIn(List<Summary> all) {
        if (!measured() || transport.kernelCounterpart == null) {
            return Optional.empty();
        }
        return find(all, transport.kernelCounterpart);
    }

    /** For a measured Shunt transport's ping-pong: the C floor's measured summary of the same case. */
    Optional<Summary> floorIn(List<Summary> all) {
        if (!measured() || transport.family != Transport.Family.SHUNT || kase.scenario() != Scenario.PINGPONG) {
            return Optional.empty();
        }
        return find(all, Transport.C_FLOOR);
    }

    private Optional<Summary> find(List<Summary> all, Transport other) {
        return all.stream().filter(s -> s.transport == other && s.kase.equals(kase) && s.measured()).findFirst();
    }
}
