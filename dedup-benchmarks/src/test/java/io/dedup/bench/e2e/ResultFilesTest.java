package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultFilesTest {
    private static final List<Measurement> ROWS = List.of(
            new Measurement(
                    "baseline", "none", "kafka", "dup20-noop", 20000, 0.16, 125000, 0, 0, 0, 20000, 16000, 12, 3, 0.8),
            new Measurement(
                    "camel-jdbc",
                    "postgres",
                    "kafka",
                    "dup20-noop",
                    4000,
                    6.7,
                    597.0149,
                    564.25,
                    10749.5,
                    2.80075,
                    3200,
                    3200,
                    540,
                    61,
                    1234.5));

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void writes_the_csv_with_exactly_the_agreed_header_the_table_and_the_chart(@TempDir Path dir) throws Exception {
        String markdown = ResultFiles.write(dir, ROWS, "A test run.");

        List<String> csv = Files.readAllLines(dir.resolve("results.csv"));
        assertThat(csv.get(0))
                .isEqualTo("arm,store,broker,workload,messages,seconds,msgs_per_s,p50_us,p99_us,store_calls_per_msg,"
                        + "handler_runs,unique_keys,jit_ms,gc_ms,cpu_us_per_msg");
        assertThat(csv)
                .containsExactly(
                        csv.get(0),
                        "baseline,none,kafka,dup20-noop,20000,0.160,125000,0.0,0.0,0.0000,20000,16000,12,3,0.80",
                        "camel-jdbc,postgres,kafka,dup20-noop,4000,6.700,597,564.3,10749.5,2.8008,3200,3200,540,61,1234.50");
        assertThat(markdown)
                .startsWith("A test run.")
                .contains("| camel-jdbc | postgres | kafka | dup20-noop | 4000 | 6.70 | 597 |")
                .contains("| 3200 | 3200 | 540 | 61 | 1234.50 |");
        assertThat(Files.readString(dir.resolve("results.md"))).isEqualTo(markdown);
        byte[] png = Files.readAllBytes(dir.resolve("msgs_per_s.png"));
        assertThat(png).hasSizeGreaterThan(1000);
        assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("PNG");
    }

    @Test
    void an_arm_missing_a_workload_is_left_out_of_the_chart_not_the_table(@TempDir Path dir) throws Exception {
        List<Measurement> rows = List.of(
                ROWS.get(0),
                ROWS.get(1),
                new Measurement("baseline", "none", "kafka", "replay-pg", 2000, 2, 1000, 0, 0, 0, 2000, 1000, 0, 0, 1));

        String markdown = ResultFiles.write(dir, rows, "Partial.");

        assertThat(markdown).contains("replay-pg");
        assertThat(dir.resolve("msgs_per_s.png")).exists();
    }
}
