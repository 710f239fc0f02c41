package dev.shunt.bench;

import java.util.Arrays;

/**
 * Per-round values of one figure or ratio reduced to their median and range: one noisy round moves neither
 * the median nor, beyond its own value, the range.
 *
 * @param median the middle value; the mean of the two middle ones for an even count
 * @param min the smallest value
 * @param max the largest value
 * @param rounds how many rounds gave a value
 */
record Spread(double median, double min, double max, int rounds) {

    /**
     * @param values one per round, at least one
     * @throws IllegalArgumentException when there is none
     */
    static Spread of(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Spread(median, v[0], v[n - 1], n);
    }
}
