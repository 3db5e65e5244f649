package io.dedup.bench.e2e;

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
import org.knowm.xchart.style.Styler;

/**
 * Writes the results: {@value #CSV} (one row per arm and workload), {@value #MARKDOWN} (the same as a table, with
 * the run's description above it and the {@link Targets} below) and {@value #CHART} (messages per second per arm, grouped by workload).
 */
final class ResultFiles {
    static final String CSV = "results.csv";
    static final String MARKDOWN = "results.md";
    static final String CHART = "msgs_per_s.png";
    static final String CSV_HEADER = "arm,store,broker,workload,messages,seconds,msgs_per_s,p50_us,p99_us,"
            + "store_calls_per_msg,handler_runs,unique_keys";

    private ResultFiles() {}

    /** Writes the three files into {@code directory}, creating it; returns the Markdown text. */
    static String write(Path directory, List<Measurement> rows, String description) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(CSV), csv(rows));
        String targets = Targets.markdown(Targets.check(rows));
        String markdown = description + "\n\n" + markdownTable(rows)
                + (targets.isEmpty() ? "" : "\nTargets (ratios of msgs/s in this run):\n\n" + targets);
        Files.writeString(directory.resolve(MARKDOWN), markdown);
        chart(directory.resolve(CHART), rows);
        return markdown;
    }

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
                            Long.toString(m.uniqueKeys())))
                    .append('\n');
        }
        return out.toString();
    }

    static String markdownTable(List<Measurement> rows) {
        StringBuilder out = new StringBuilder();
        out.append("| arm | store | broker | workload | messages | seconds | msgs/s | p50 µs | p99 µs "
                + "| store calls/msg | handler runs | unique keys |\n");
        out.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement m : rows) {
            out.append(format(
                    "| %s | %s | %s | %s | %d | %.2f | %,.0f | %.1f | %.1f | %.3f | %d | %d |\n",
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
                    m.uniqueKeys()));
        }
        return out.toString();
    }

    /** A grouped bar chart: one group per workload, one bar per arm, logarithmic axis (arms differ 100-fold). */
    static void chart(Path file, List<Measurement> rows) throws IOException {
        Set<String> workloads = new LinkedHashSet<>();
        Set<String> arms = new LinkedHashSet<>();
        rows.forEach(m -> {
            workloads.add(m.workload());
            arms.add(m.arm());
        });
        CategoryChart chart = new CategoryChartBuilder()
                .width(Math.max(900, 120 * workloads.size() * Math.max(1, arms.size()) / 3))
                .height(560)
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
                chart.addSeries(arm, groups, values);
            }
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }
}
