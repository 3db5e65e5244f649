package io.dedup.bench.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One closed-loop run: {@code concurrency} virtual clients, each with one request in flight at a time on its own
 * kept-alive connection, until {@code total} requests were answered. A share of the requests are retries: they reuse
 * the key and body of a recent request, which may still be running (409) or done (replay).
 *
 * <p>Latency is measured from sending a request to receiving its whole response. Closed-loop generators hide
 * queueing before a request is sent (coordinated omission): figures are per answered request, not per intended
 * arrival time.
 */
final class LoadPhase {
    /**
     * How many recent keys a retry may pick from: recent enough that some retries arrive while the original is still in
     * flight (the 409 case), enough that most find it completed (the replay case).
     */
    private static final int RECENT_KEYS = 8192;

    private final HttpClient client;
    private final URI uri;
    /**
     * The share of requests that repeat a recent key instead of using a new one, as a client retrying after a timeout.
     */
    private final double retryShare;
    /** A ring of the latest keys sent, shared by the senders; a lost race just retries a slightly older key. */
    private final AtomicReferenceArray<String> recent = new AtomicReferenceArray<>(RECENT_KEYS);
    /** Keys written to {@link #recent} so far; its position modulo the ring size is the next slot. */
    private final AtomicLong recentCount = new AtomicLong();

    LoadPhase(HttpClient client, URI uri, double retryShare) {
        this.client = client;
        this.uri = uri;
        this.retryShare = retryShare;
    }

    /**
     * The outcome of one run. Latencies in nanoseconds, sorted.
     *
     * @param concurrency requests in flight at once
     * @param latencies every request's time from send to whole response, sorted
     * @param elapsedNanos the run's wall time
     * @param originals 201 answers the endpoint produced (not replayed)
     * @param replayed 201 answers the filter replayed from the store
     * @param inProgress 409 answers: a retry met its original still running
     * @param other failures and unexpected answers
     * @param newKeys requests sent with a key never sent before
     */
    record Result(
            int concurrency,
            long[] latencies,
            long elapsedNanos,
            long originals,
            long replayed,
            long inProgress,
            long other,
            long newKeys) {
        /** Answered requests per second of the run's wall time. */
        double throughput() {
            return latencies.length / (elapsedNanos / 1e9);
        }

        /** The {@code p}-th percentile latency in milliseconds (nearest rank; 100 is the maximum). */
        double percentileMillis(double p) {
            int index = (int) Math.min(latencies.length - 1, Math.ceil(p / 100.0 * latencies.length) - 1);
            return latencies[Math.max(0, index)] / 1e6;
        }
    }

    /**
     * Sends {@code total} requests with {@code concurrency} in flight at any time (a closed loop: a sender sends its
     * next request when its last one was answered) and returns what came back.
     *
     * @throws Exception if a request fails without a response (connection refused, timeout)
     */
    Result run(int total, int concurrency) throws Exception {
        long[] latencies = new long[total];
        AtomicInteger issued = new AtomicInteger();
        AtomicInteger idle = new AtomicInteger();
        AtomicLong originals = new AtomicLong();
        AtomicLong replayed = new AtomicLong();
        AtomicLong inProgress = new AtomicLong();
        AtomicLong other = new AtomicLong();
        AtomicLong newKeys = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        long start = System.nanoTime();
        // each answer sends the next request from the client's own thread: `concurrency` chains, no sender threads
        // of ours competing with the client and the server for the cores
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            int i = issued.getAndIncrement();
            // past the last request a chain ends; the last chain to end completes the run
            if (i >= total) {
                if (idle.incrementAndGet() == concurrency) {
                    done.complete(null);
                }
                return;
            }
            // a retry repeats a recent key, as a client does after a timeout; otherwise a new key, remembered for
            // retries
            String key = retryKey();
            if (key == null) {
                key = UUID.randomUUID().toString();
                newKeys.incrementAndGet();
                recent.set((int) (recentCount.getAndIncrement() % RECENT_KEYS), key);
            }
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofMinutes(2))
                    .header("Idempotency-Key", key)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"order\":\"" + key + "\",\"amount\":10}"))
                    .build();
            long sent = System.nanoTime();
            client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) -> {
                latencies[i] = System.nanoTime() - sent;
                if (error != null) {
                    if (other.incrementAndGet() <= 3) {
                        System.out.println("request failed: " + error);
                    }
                    // only the first few failures are printed: a broken server would otherwise flood the table
                } else if (response.statusCode() == 409) {
                    inProgress.incrementAndGet();
                    // the original is still running: the filter answers 409 rather than run it twice
                } else if (response.statusCode() == 201
                        && response.headers().firstValue("Idempotent-Replayed").isPresent()) {
                    replayed.incrementAndGet();
                } else if (response.statusCode() == 201) {
                    originals.incrementAndGet();
                } else {
                    if (other.incrementAndGet() <= 3) {
                        System.out.println("unexpected answer: " + response.statusCode() + " "
                                + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
                next[0].run();
            });
        };
        for (int c = 0; c < concurrency; c++) {
            next[0].run();
        }
        done.get();
        long elapsed = System.nanoTime() - start;
        Arrays.sort(latencies);
        return new Result(
                concurrency,
                latencies,
                elapsed,
                originals.get(),
                replayed.get(),
                inProgress.get(),
                other.get(),
                newKeys.get());
    }

    /**
     * A recent key to retry ({@code retryShare} of the time, once any key was sent), or null for a new request. Recent
     * keys are drawn uniformly from the ring, so some retries meet an original still in flight.
     */
    private String retryKey() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long count = recentCount.get();
        if (count == 0 || random.nextDouble() >= retryShare) {
            return null;
        }
        long back = 1 + random.nextLong(Math.min(count, RECENT_KEYS));
        return recent.get((int) ((count - back) % RECENT_KEYS));
    }
}
