package dev.shunt.bench;

import java.util.Map;

/**
 * What a measured phase cost, on both sides.
 *
 * @param wallNanos elapsed time
 * @param client the client JVM's counters over the phase
 * @param server the server JVM's counters over the phase
 */
record Usage(long wallNanos, Counters client, Counters server) {

    /**
     * Adds CPU time (each side, and both), doorbell signals and parks per message (or per write, per
     * connection) to {@code figures}.
     */
    void addPerMessage(Map<String, Double> figures, long messages) {
        double n = Math.max(messages, 1);
        figures.put("cpu_us_per_msg", (client.cpuNanos() + server.cpuNanos()) / n / 1000);
        figures.put("cpu_client_us_per_msg", client.cpuNanos() / n / 1000);
        figures.put("cpu_server_us_per_msg", server.cpuNanos() / n / 1000);
        figures.put("signals_client_per_msg", client.signals() / n);
        figures.put("signals_server_per_msg", server.signals() / n);
        figures.put("parks_client_per_msg", client.parks() / n);
        figures.put("parks_server_per_msg", server.parks() / n);
    }
}
