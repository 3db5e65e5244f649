package io.dedup.bench;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.MessageHandler;
import io.dedup.kafka.KafkaDedup;
import io.dedup.kafka.PollOutcome;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import io.dedup.testkit.ForwardingStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One Kafka poll of {@value #POLL} records with new keys, time per record: a bare loop calling the handler (the
 * baseline), the wrapped record handler (one claim and one completion round trip per record), and {@code
 * KafkaDedup.process} (one {@code claimAll} and one {@code completeAll} per poll), over the in-memory store with a
 * simulated store round trip of {@code roundTripMicros} (0: the in-memory store's own cost; 100: a nearby Redis or
 * database). No broker: this measures what dedup adds per poll.
 *
 * <p>Not thread-safe: JMH state, one instance per trial and thread (see {@link InProcessBenchmark}).
 */
public class KafkaPollBenchmark extends InProcessBenchmark {
    /** Records per poll: Kafka's default {@code max.poll.records}, the batch the runner hands core. */
    static final int POLL = 500;

    /** The one partition every poll comes from; partitions do not matter to dedup's cost. */
    private static final TopicPartition PARTITION = new TopicPartition("orders", 0);

    /** bare: the handler alone; perRecord: the wrapped handler per record; perPoll: KafkaDedup.process. */
    @Param({"bare", "perRecord", "perPoll"})
    public String mode;

    /**
     * The simulated store round trip: 0 shows the library's own CPU cost, 100 what batching saves on a real network.
     */
    @Param({"0", "100"})
    public int roundTripMicros;

    /** This iteration's dedup over the round-trip store. */
    private KafkaDedup dedup;
    /** The per-record wrapper of the same handler, for the {@code perRecord} mode. */
    private MessageHandler<ConsumerRecord<String, String>> wrapped;

    /** The handler every mode runs: it only feeds the blackhole. */
    private MessageHandler<ConsumerRecord<String, String>> handler;
    /** The next offset; also the record's key, so every record of every poll is new. */
    private long next;

    /**
     * A fresh store and dedup per iteration; the handler only feeds the blackhole, so all three modes run the same work.
     */
    @Setup(Level.Iteration)
    public void setUp(Blackhole blackhole) {
        dedup = KafkaDedup.builder()
                .store(new RoundTripStore(InMemoryDedupStore.create(), roundTripMicros))
                .groupId("bench")
                .build();
        handler = record -> blackhole.consume(record.value());
        wrapped = dedup.wrap(handler);
    }

    /** Closes this iteration's dedup. */
    @TearDown(Level.Iteration)
    public void tearDown() {
        dedup.close();
    }

    /** Builds one poll of new records (inside the timed part in every mode alike) and runs it through the mode. */
    @Benchmark
    @OperationsPerInvocation(POLL)
    public Object poll() throws Exception {
        List<ConsumerRecord<String, String>> records = new ArrayList<>(POLL);
        for (int i = 0; i < POLL; i++) {
            long offset = next++;
            // the key in the default header, as the runner reads it; offsets double as keys, so all are new
            RecordHeaders headers = new RecordHeaders();
            headers.add("idempotency-key", Long.toString(offset).getBytes(StandardCharsets.UTF_8));
            records.add(new ConsumerRecord<>(
                    "orders", 0, offset, 0L, TimestampType.CREATE_TIME, -1, -1, null, "v", headers, Optional.empty()));
        }
        // the records are built above for every mode alike, so the modes differ only in what handles them
        switch (mode) {
            case "bare" -> {
                for (ConsumerRecord<String, String> record : records) {
                    handler.handle(record);
                }
                return records;
            }
            case "perRecord" -> {
                // a claim and a completion round trip for each record: dedup without batching
                for (ConsumerRecord<String, String> record : records) {
                    wrapped.handle(record);
                }
                return records;
            }
            default -> {
                // one claimAll and one completeAll for the whole poll: the batching the runner does
                PollOutcome outcome =
                        dedup.process(new ConsumerRecords<>(Map.of(PARTITION, records), Map.of()), handler);
                // with new keys and a healthy store every record must be done: anything else would flatter the time
                if (!outcome.allDone()) {
                    throw new IllegalStateException(
                            "not all records were done: " + outcome.records().get(0));
                }
                return outcome;
            }
        }
    }

    /**
     * The in-memory store, with every call (a batch call counts once) taking a network round trip: what separates the
     * per-record and per-poll modes on a real store is the number of round trips, and this makes them cost what they
     * would on a nearby Redis or database without the noise of one. Thread-safe.
     */
    static final class RoundTripStore extends ForwardingStore {
        private final long nanos;

        RoundTripStore(DedupStore delegate, int micros) {
            super(delegate);
            this.nanos = TimeUnit.MICROSECONDS.toNanos(micros);
        }

        /** Waits off-CPU, as a thread waiting for a network answer does (at least {@code nanos}, often more). */
        private void roundTrip() {
            if (nanos > 0) {
                long until = System.nanoTime() + nanos;
                for (long left = nanos; left > 0; left = until - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
            }
        }

        @Override
        public ClaimResult claim(ClaimRequest request) {
            roundTrip();
            return super.claim(request);
        }

        @Override
        public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
            roundTrip();
            return super.claimAll(requests);
        }

        @Override
        public WriteResult complete(Completion completion) {
            roundTrip();
            return super.complete(completion);
        }

        @Override
        public List<WriteResult> completeAll(List<Completion> completions) {
            roundTrip();
            return super.completeAll(completions);
        }

        @Override
        public WriteResult renew(DedupKey key, long token, Duration lease) {
            roundTrip();
            return super.renew(key, token, lease);
        }

        @Override
        public List<WriteResult> renewAll(List<Claim> claims, Duration lease) {
            roundTrip();
            return super.renewAll(claims, lease);
        }

        @Override
        public WriteResult release(DedupKey key, long token, Duration retention) {
            roundTrip();
            return super.release(key, token, retention);
        }

        @Override
        public Optional<StoredRecord> find(DedupKey key) {
            roundTrip();
            return super.find(key);
        }
    }
}
