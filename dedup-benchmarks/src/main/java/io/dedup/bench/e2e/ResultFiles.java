package io.dedup.bench.e2e;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * Writes the results: {@value #CSV} (one row per arm and workload), {@value #MARKDOWN} (the same as a table, with
 * the run's description above it and the {@link Targets} below) and {@value #CHART} (messages per second per arm,
 * grouped by workload). The same rows go into all three, so the table, the file and the chart never disagree.
 *
 * <p>Stateless; thread-safe.
 */
final class ResultFiles {
    /** The machine-readable results; its columns are fixed by {@link #CSV_HEADER}, which scripts and docs rely on. */
    static final String CSV = "results.csv";
    /** The results as docs/benchmarks.md quotes them. */
    static final String MARKDOWN = "results.md";
    /** The chart of messages per second. */
    static final String CHART = "msgs_per_s.png";
    /** The CSV columns, in order; a new column goes at the end so existing readers keep working. */
    static final String CSV_HEADER = "arm,store,broker,workload,messages,seconds,msgs_per_s,p50_us,p99_us,"
            + "store_calls_per_msg,handler_runs,unique_keys,jit_ms,gc_ms,cpu_us_per_msg";

    private ResultFiles() {}

    /**
     * Writes the three files into {@code directory}, creating it; returns the Markdown text.
     *
     * @throws IOException if a file cannot be written
     */
    static String write(Path directory, List<Measurement> rows, String description) throws IOException {
        // the CSV first: if the chart fails (a headless quirk), the figures are already on disk
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(CSV), csv(rows));
        String targets = Targets.markdown(Targets.check(rows));
        String markdown = description + "\n\n" + markdownTable(rows)
                + (targets.isEmpty() ? "" : "\nTargets (ratios of msgs/s in this run):\n\n" + targets);
        Files.writeString(directory.resolve(MARKDOWN), markdown);
        chart(directory.resolve(CHART), rows);
        return markdown;
    }

    /** The CSV text, decimals with a point whatever the machine's locale, so the file parses the same everywhere. */
    static String csv(List<Measurement> rows) {
        StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
        for (Measurement m : rows) {
            out.append(String.join(
                            ",",
                            m.arm(),
                            m.store(),
                            m.broker(),
                            m.workload(),
                            Long.toString(m.messages()),
                            format("%.3f", m.seconds()),
                            format("%.0f", m.msgsPerS()),
                            format("%.1f", m.p50us()),
                            format("%.1f", m.p99us()),
                            format("%.4f", m.storeCallsPerMsg()),
                            Long.toString(m.handlerRuns()),
                            Long.toString(m.uniqueKeys()),
                            Long.toString(m.jitMs()),
                            Long.toString(m.gcMs()),
                            format("%.2f", m.cpuUsPerMsg())))
                    .append('\n');
        }
        return out.toString();
    }

    /** The Markdown table of the rows, one per arm and workload, in the order measured. */
    static String markdownTable(List<Measurement> rows) {
        StringBuilder out = new StringBuilder();
        out.append("| arm | store | broker | workload | messages | seconds | msgs/s | p50 µs | p99 µs "
                + "| store calls/msg | handler runs | unique keys | JIT ms | GC ms | CPU µs/msg |\n");
        out.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement m : rows) {
            out.append(format(
                    "| %s | %s | %s | %s | %d | %.2f | %,.0f | %.1f | %.1f | %.3f | %d | %d | %d | %d | %.2f |\n",
                    m.arm(),
                    m.store(),
                    m.broker(),
                    m.workload(),
                    m.messages(),
                    m.seconds(),
                    m.msgsPerS(),
                    m.p50us(),
                    m.p99us(),
                    m.storeCallsPerMsg(),
                    m.handlerRuns(),
                    m.uniqueKeys(),
                    m.jitMs(),
                    m.gcMs(),
                    m.cpuUsPerMsg()));
        }
        return out.toString();
    }

    /**
     * A grouped bar chart: one group per workload, one bar per arm, logarithmic axis (arms differ 100-fold).
     *
     * @throws IOException if the image cannot be written
     */
    static void chart(Path file, List<Measurement> rows) throws IOException {
        Set<String> workloads = new LinkedHashSet<>();
        Set<String> arms = new LinkedHashSet<>();
        rows.forEach(m -> {
            workloads.add(m.workload());
            arms.add(m.arm());
        });
        // wide enough that every bar of a full run has room, never wider than a screen
        CategoryChart chart = new CategoryChartBuilder()
                .width(Math.min(2000, Math.max(900, 120 * workloads.size() * Math.max(1, arms.size()) / 3)))
                .height(640)
                .title("Messages per second per arm (median of repetitions; log scale)")
                .xAxisTitle("workload")
                .yAxisTitle("msgs/s")
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisLogarithmic(true);
        // bars start at the axis minimum, which a logarithmic axis needs positive: the power of ten below the data
        double smallest = rows.stream()
                .mapToDouble(Measurement::msgsPerS)
                .filter(v -> v > 0)
                .min()
                .orElse(1);
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(Math.max(1, smallest)))));
        chart.getStyler().setAvailableSpaceFill(0.9);
        chart.getStyler().setYAxisDecimalPattern("#,###");
        // one series per arm, its values in workload order, so each group shows every arm side by side
        List<String> groups = new ArrayList<>(workloads);
        for (String arm : arms) {
            List<Number> values = new ArrayList<>();
            for (String workload : groups) {
                rows.stream()
                        .filter(m -> m.arm().equals(arm) && m.workload().equals(workload))
                        .findFirst()
                        .ifPresent(m -> values.add(m.msgsPerS()));
            }
            // a logarithmic axis has no place for a gap: an arm that failed somewhere is left out of the chart
            if (values.size() == groups.size()) {
                CategorySeries series = chart.addSeries(arm, groups, values);
                series.setFillColor(colorOf(arm));
            }
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * One colour family per kind of arm, so the chart reads at a glance: greys for the baselines (and the store ceilings), blues and greens
     * for this library's arms, reds and oranges for Camel's; RabbitMQ arms lighter than their Kafka kin.
     */
    static Color colorOf(String arm) {
        return switch (arm) {
            case "baseline" -> new Color(90, 90, 90);
            case "baseline-rabbit" -> new Color(175, 175, 175);
            case "redis-ceiling" -> new Color(130, 130, 130);
            case "memory-ceiling" -> new Color(110, 110, 110);
            case "dedup-memory" -> new Color(31, 119, 180);
            case "dedup-redis" -> new Color(44, 160, 44);
            case "dedup-redis-single" -> new Color(152, 223, 138);
            case "dedup-jdbc" -> new Color(23, 190, 207);
            case "dedup-jdbc-tx" -> new Color(0, 128, 128);
            case "dedup-memory-rabbit" -> new Color(140, 180, 230);
            case "dedup-redis-rabbit" -> new Color(100, 200, 160);
            case "camel-memory" -> new Color(214, 39, 40);
            case "camel-redis" -> new Color(255, 127, 14);
            case "camel-jdbc" -> new Color(188, 120, 60);
            default -> new Color(148, 103, 189);
        };
    }

    /** {@link String#format} in {@link Locale#ROOT}. */
    private static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }
}
