package io.dedup.bench.http;

import io.dedup.bench.RedisBench;
import io.dedup.testkit.LocalServices;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Load on {@code POST /orders} of an embedded Jetty 12 (child JVM), without the Idempotency-Key filter and with it on
 * the in-memory and the Redis store: throughput and latency percentiles at several concurrencies, with a
 * share of retries. Prints one table; see docs/benchmarks.md for the command and the figures.
 *
 * <p>Options: {@code --concurrency N,N,..} (10000,64,1: a measured run at each; the warm-up uses the first),
 * {@code --requests N} per measured run (100000; a tenth at concurrency 1), {@code --warmup N} (30000),
 * {@code --retry-share F} (0.2), {@code --arms a,b} (none,memory,redis),
 * {@code --server-threads N} (200).
 *
 * <p>Not thread-safe: a command-line benchmark, run once per JVM; its load threads share only thread-safe counters.
 */
public final class HttpBench {
    private HttpBench() {}

    /**
     * Parses the options, runs every arm in turn and prints the table.
     *
     * @throws IllegalArgumentException for an unknown option
     * @throws Exception if a server does not start or a request fails outright
     */
    public static void main(String[] args) throws Exception {
        // a burst far beyond the server's threads, a busy client pool, and one request at a time (pure latency)
        int[] concurrencies = {10_000, 64, 1};
        int requests = 100_000;
        int warmup = 30_000;
        // one request in five a retry: enough to exercise replay and 409, few enough that most work is new
        double retryShare = 0.2;
        // Jetty's default maximum: the server as deployed, not tuned for the benchmark
        int serverThreads = 200;
        List<String> arms = List.of("none", "memory", "redis");
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--concurrency" -> concurrencies = java.util.Arrays.stream(value.split(","))
                        .mapToInt(Integer::parseInt)
                        .toArray();
                case "--requests" -> requests = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--retry-share" -> retryShare = Double.parseDouble(value);
                case "--server-threads" -> serverThreads = Integer.parseInt(value);
                case "--arms" -> arms = List.of(value.split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++; // every option takes a value
        }
        System.out.printf(
                Locale.ROOT,
                "HTTP benchmark: %d requests per run after %d warm-up, %.0f%% retries, concurrency %s, "
                        + "%d server threads, %d cores%n",
                requests,
                warmup,
                retryShare * 100,
                java.util.Arrays.toString(concurrencies),
                serverThreads,
                Runtime.getRuntime().availableProcessors());
        // one table for every arm, header first, so the arms' rows can be compared line by line
        List<String> rows = new ArrayList<>();
        rows.add(String.format(
                Locale.ROOT,
                "| %-7s | %6s | %9s | %7s | %7s | %7s | %8s | %7s | %7s | %6s | %5s | %-18s | %-5s |",
                "arm",
                "conc.",
                "req/s",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "max ms",
                "201",
                "replay",
                "409",
                "other",
                "executions/keys",
                "load"));
        for (String arm : arms) {
            rows.addAll(runArm(arm, concurrencies, requests, warmup, retryShare, serverThreads));
        }
        System.out.println();
        rows.forEach(System.out::println);
    }

    /**
     * One arm: a server JVM of its own (so one arm's heap and JIT never carry over to the next), a warm-up at the
     * first concurrency, then a measured run per concurrency; returns one table row per run. The endpoint's own
     * execution count is read at the end and compared with the first answers: with the filter on, the endpoint
     * must have run exactly once per key, or the arm's speed would not count.
     */
    private static List<String> runArm(
            String arm, int[] concurrencies, int requests, int warmup, double retryShare, int serverThreads)
            throws Exception {
        // a key prefix of this run's own, deleted afterwards: the Redis is shared with other engineers' tests
        String prefix = "dedup-http-bench:" + UUID.randomUUID().toString().substring(0, 8) + ":";
        String redis = arm.equals("redis") ? LocalServices.redis().uri() : "-";
        // the child prints "PORT n" once Jetty listens; closing its stdin stops it
        Process server = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        HttpBenchServer.class.getName(),
                        arm,
                        redis,
                        prefix,
                        String.valueOf(serverThreads))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        ExecutorService executor = Executors.newFixedThreadPool(2);
        List<String> rows = new ArrayList<>();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("PORT ")) {
                throw new IllegalStateException("the benchmark server did not start: " + line);
            }
            int port = Integer.parseInt(line.substring(5));
            // HTTP/1.1 keeps one request per connection in flight, so concurrency is the number of connections, as
            // with the clients that send idempotency keys in practice
            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .executor(executor)
                    .connectTimeout(Duration.ofSeconds(60))
                    .build();
            URI orders = URI.create("http://127.0.0.1:" + port + "/orders");
            LoadPhase load = new LoadPhase(client, orders, retryShare);
            // new keys sent and first answers received, over warm-up and runs: with the filter, the endpoint must run
            // once per new key, whatever the retries did
            long keys = 0;
            long answered = 0;
            System.out.printf("%s: warming up (%d requests at concurrency %d)%n", arm, warmup, concurrencies[0]);
            LoadPhase.Result warm = load.run(warmup, concurrencies[0]);
            System.out.printf(
                    Locale.ROOT,
                    "%s: warm-up done, %.0f req/s, p99 %.1f ms; 201 %d, replayed %d, 409 %d, other %d%n",
                    arm,
                    warm.throughput(),
                    warm.percentileMillis(99),
                    warm.originals(),
                    warm.replayed(),
                    warm.inProgress(),
                    warm.other());
            keys += warm.newKeys();
            answered += warm.originals();
            List<LoadPhase.Result> measured = new ArrayList<>();
            List<String> loads = new ArrayList<>();
            for (int c : concurrencies) {
                // At concurrency 1 a run is sequential: a tenth of the requests says as much.
                int n = c == 1 ? Math.max(1, requests / 10) : requests;
                System.out.printf("%s: measuring %d requests at concurrency %d%n", arm, n, c);
                LoadPhase.Result result = load.run(n, c);
                loads.add(loadAverage());
                keys += result.newKeys();
                answered += result.originals();
                measured.add(result);
            }
            // the server's own count, not the client's: a retry the filter let through twice would show only here
            HttpResponse<String> executions = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/executions"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            long ran = Long.parseLong(executions.body().strip());
            for (int m = 0; m < measured.size(); m++) {
                LoadPhase.Result r = measured.get(m);
                rows.add(String.format(
                        Locale.ROOT,
                        "| %-7s | %6d | %9.0f | %7.2f | %7.2f | %7.2f | %8.1f | %7d | %7d | %6d | %5d | %-18s | %-5s |",
                        arm,
                        r.concurrency(),
                        r.throughput(),
                        r.percentileMillis(50),
                        r.percentileMillis(90),
                        r.percentileMillis(99),
                        r.percentileMillis(100),
                        r.originals(),
                        r.replayed(),
                        r.inProgress(),
                        r.other(),
                        arm.equals("none") ? ran + " (no filter)" : ran + "/" + keys,
                        loads.get(m)));
            }
            if (!arm.equals("none") && ran != answered) {
                System.out.printf(
                        "%s: WARNING the endpoint ran %d times for %d first answers (201 without replay)%n",
                        arm, ran, answered);
            }
        } finally {
            // closing the child's stdin is its stop signal; a child that ignores it is killed
            server.getOutputStream().close();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            executor.shutdownNow();
            if (arm.equals("redis")) {
                RedisBench.deleteAll(redis, prefix);
            }
        }
        return rows;
    }

    /** The machine's one-minute load average after a run (other engineers' builds share it). */
    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }
}
