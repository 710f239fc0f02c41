package dev.shunt.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * The PNG: one panel per latency case (percentiles per transport, logarithmic), one with the streaming
 * throughput per write size, and one with the connection set-up rate, two panels a row; every figure the
 * median over the rounds. Each panel is rendered
 * headless with XChart, then drawn into one image.
 */
final class Chart {
    private static final List<String> PERCENTILES = List.of("p50", "p90", "p99", "p99.9", "max");
    private static final List<String> PERCENTILE_KEYS = List.of("p50_us", "p90_us", "p99_us", "p99_9_us", "max_us");
    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;

    private Chart() {
    }

    /**
     * Writes the PNG.
     *
     * @return false when nothing was measured, so there was nothing to draw and no file was written
     */
    static boolean write(Path file, List<Summary> results, Options options) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<CategoryChart> panels = new ArrayList<>();
        List<Case> streaming = new ArrayList<>();
        List<Case> grpcStreaming = new ArrayList<>();
        for (Case kase : options.cases()) {
            if (kase.scenario().roundTrips()) {
                panels.add(latency(kase, results));
            } else if (kase.scenario() == Scenario.THROUGHPUT) {
                streaming.add(kase);
            } else if (kase.scenario() == Scenario.GRPC_STREAM) {
                grpcStreaming.add(kase);
            }
        }
        if (!streaming.isEmpty()) {
            panels.add(bars("Streaming throughput", "write size", "GB/s", streaming, "gb_per_s", results, options));
        }
        if (!grpcStreaming.isEmpty()) {
            panels.add(bars("gRPC streaming", "message size", "messages/s", grpcStreaming, "msgs_per_s", results,
                    options));
        }
        if (options.scenarios.contains(Scenario.CONNECT)) {
            panels.add(bars("Connection set-up", "", "connections/s (connect, handshake, close)",
                    List.of(new Case(Scenario.CONNECT, 0)), "per_s", results, options));
        }
        panels.removeIf(p -> p.getSeriesMap().isEmpty());
        if (panels.isEmpty()) {
            return false;
        }
        int columns = Math.min(2, panels.size());
        int rows = (panels.size() + columns - 1) / columns;
        BufferedImage image = new BufferedImage(columns * WIDTH, rows * HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(BitmapEncoder.getBufferedImage(panels.get(i)), (i % columns) * WIDTH, (i / columns) * HEIGHT,
                    null);
        }
        g.dispose();
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
        return true;
    }

    private static CategoryChart latency(Case kase, List<Summary> results) {
        CategoryChart chart = panel(kase.shortTitle(), "percentile", "round trip, µs (log scale)");
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeriesRenderStyle.Line).setOverlapped(true).setYAxisLogarithmic(true)
                .setMarkerSize(6);
        for (Summary r : measured(results, kase)) {
            CategorySeries series = chart.addSeries(legend(r.transport(), List.of(r)), PERCENTILES,
                    PERCENTILE_KEYS.stream().map(r::figure).collect(Collectors.toList()));
            series.setLineColor(color(r.transport()));
            series.setMarkerColor(color(r.transport()));
        }
        return chart;
    }

    private static CategoryChart bars(String title, String xAxis, String yAxis, List<Case> cases, String key,
            List<Summary> results, Options options) {
        CategoryChart chart = panel(title, xAxis, yAxis);
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeriesRenderStyle.Bar);
        List<String> categories = cases.stream().map(c -> c.size() == 0 ? c.scenario().id : Case.bytes(c.size()))
                .toList();
        for (Transport t : options.transports) {
            List<Optional<Summary>> measured = cases.stream().map(c -> results.stream()
                    .filter(r -> r.transport() == t && r.kase().equals(c) && r.measured()).findFirst()).toList();
            List<Double> values = measured.stream().map(r -> r.map(m -> m.figure(key)).orElse(0.0))
                    .collect(Collectors.toList());
            if (values.stream().anyMatch(v -> v > 0)) {
                chart.addSeries(legend(t, measured.stream().flatMap(Optional::stream).toList()), categories, values)
                        .setFillColor(color(t));
            }
        }
        return chart;
    }

    /**
     * A series' name in the legend: a Shunt transport's carries the path of its results, which says whether a
     * protection key guarded them; a series over several cases names each path once.
     */
    static String legend(Transport t, List<Summary> measured) {
        if (t.family != Transport.Family.SHUNT) {
            return t.label;
        }
        return t.label + ": " + measured.stream().flatMap(Summary::paths).distinct().collect(Collectors.joining("; "));
    }

    /** The same colour for a transport in every panel; a Shunt transport in a darker shade of its kernel path's. */
    private static Color color(Transport t) {
        return switch (t) {
            case C_FLOOR -> Color.BLACK;
            case NETTY_EPOLL -> new Color(0x7FB0E8);
            case NETTY_SHUNT -> new Color(0x1F5FAF);
            case JUNIXSOCKET -> new Color(0xF5B971);
            case SHUNT_SOCKET -> new Color(0xC4620A);
            case JDK_UNIX -> new Color(0x8FD18F);
            case SHUNT_CORE -> new Color(0x2E8B2E);
            case JDK_UNIX_AGENT -> new Color(0x145A14);
            case NETTY_NIO -> new Color(0xE89FC4);
            case NETTY_NIO_AGENT -> new Color(0xA3246A);
            case NETTY_EPOLL_AGENT -> new Color(0x0B2E66);
            case NETTY_TCP -> new Color(0x8C8C8C);
            case AERON_IPC -> new Color(0x9B59B6);
        };
    }

    private static CategoryChart panel(String title, String xAxis, String yAxis) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xAxis).yAxisTitle(yAxis).build();
        chart.getStyler().setYAxisDecimalPattern("#,##0.###");
        chart.getStyler().setLegendPosition(LegendPosition.OutsideS).setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    private static List<Summary> measured(List<Summary> results, Case kase) {
        return results.stream().filter(r -> r.kase().equals(kase) && r.measured()).toList();
    }
}
