package dev.shunt.bench;

import org.HdrHistogram.Histogram;

/**
 * Round-trip latencies of one transport, in nanoseconds, with the client's Shunt counters per message.
 *
 * @param transport what was measured
 * @param path the path the connection actually took
 * @param histogram every round trip
 * @param signalsPerMessage doorbell signals the client sent per round trip
 * @param parksPerMessage times the client parked per round trip
 */
record RoundTripResult(Transport transport, String path, Histogram histogram, double signalsPerMessage,
        double parksPerMessage) {

    double micros(double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}
