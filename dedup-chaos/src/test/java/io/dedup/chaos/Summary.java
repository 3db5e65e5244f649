package io.dedup.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The suite's result table: one row per scenario run, rewritten to {@code target/chaos/summary.csv} after each row
 * (so it is complete whenever the JVM stops) and printed as a table. Thread-safe.
 */
final class Summary {
    static final String HEADER =
            "scenario,mode,store,broker,keys,deliveries,effects,duplicate_effects,lost,invocations,stuck_in_progress,seed";

    /** One scenario's figures. */
    record Row(
            String scenario,
            String mode,
            String store,
            String broker,
            long keys,
            long deliveries,
            long effects,
            long duplicateEffects,
            long lost,
            long invocations,
            long stuckInProgress,
            long seed) {
        List<String> cells() {
            return List.of(
                    scenario,
                    mode,
                    store,
                    broker,
                    String.valueOf(keys),
                    String.valueOf(deliveries),
                    String.valueOf(effects),
                    String.valueOf(duplicateEffects),
                    String.valueOf(lost),
                    String.valueOf(invocations),
                    String.valueOf(stuckInProgress),
                    String.valueOf(seed));
        }
    }

    private static final List<Row> ROWS = new ArrayList<>();

    private Summary() {}

    static Path directory() {
        return Path.of(System.getProperty("chaos.output", "target/chaos"));
    }

    static synchronized void add(Row row) {
        ROWS.add(row);
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        for (Row r : ROWS) {
            csv.append(String.join(",", r.cells())).append('\n');
        }
        try {
            Files.createDirectories(directory());
            Files.writeString(directory().resolve("summary.csv"), csv, StandardCharsets.UTF_8);
            Files.writeString(directory().resolve("summary.txt"), table(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chaos summary", e);
        }
        System.out.println(table());
    }

    static synchronized String table() {
        List<List<String>> lines = new ArrayList<>();
        lines.add(List.of(HEADER.split(",")));
        ROWS.forEach(r -> lines.add(r.cells()));
        int[] widths = new int[lines.get(0).size()];
        for (List<String> line : lines) {
            for (int i = 0; i < line.size(); i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder("chaos summary (profile ")
                .append(ChaosProfile.current().name())
                .append(")\n");
        for (int l = 0; l < lines.size(); l++) {
            List<String> line = lines.get(l);
            for (int i = 0; i < line.size(); i++) {
                String cell = line.get(i);
                boolean numeric = i >= 4;
                out.append(
                        numeric
                                ? " ".repeat(widths[i] - cell.length()) + cell
                                : cell + " ".repeat(widths[i] - cell.length()));
                out.append(i + 1 < line.size() ? "  " : "\n");
            }
            if (l == 0) {
                int total = 0;
                for (int w : widths) {
                    total += w + 2;
                }
                out.append("-".repeat(total - 2)).append('\n');
            }
        }
        return out.toString();
    }
}
