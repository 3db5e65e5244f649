package io.dedup.kafka.share;

import io.dedup.DedupConsumer;
import io.dedup.kafka.internal.RunnerThreads;
import io.dedup.kafka.internal.share.ShareLoop;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A poll loop over a {@code KafkaShareConsumer} (a share group, KIP-932) in explicit acknowledgement mode, that
 * acknowledges each record only after the store recorded what became of its key:
 *
 * <ul>
 *   <li>each poll's records are claimed in one round trip through core's batch API, and the acquired ones run on the
 *       runner's handler thread, in the order polled (share groups promise no order across records);
 *   <li>processed or duplicate: ACCEPT, after the store recorded the completion; failure with deliveries left:
 *       RELEASE; key held by another consumer: the record is kept (its lock renewed) and claimed again when the
 *       holder's lease may have ended, rather than released into a loop of redeliveries; poison (failure on the last delivery), key conflict, missing or unreadable key,
 *       a record that cannot be deserialized, or the last delivery of a record that could not be handled: published
 *       to its dead-letter topic (the classic runner's format, see {@link io.dedup.kafka.DeadLetterHeaders}), then
 *       REJECT; store unavailable: nothing is acknowledged, the runner keeps the records, backs off and claims them
 *       again;
 *   <li>the store lease follows the acquisition lock ({@code acquisitionLockTimeoutMs()} minus a margin); while a
 *       handler runs longer, the runner renews the locks of the records it holds with {@code AcknowledgeType.RENEW}
 *       (the group needs {@code share.renew.acknowledge.enable=true}); without renewal the store lease is not renewed
 *       either, so a handler slower than the lock is fenced when the record was handed to another consumer;
 *   <li>acknowledgements are committed with {@code commitSync} once per poll; a partition whose commit failed gets its
 *       records back from the broker, and they are answered from the store (an accepted one as a duplicate).
 * </ul>
 *
 * <p>The runner reads raw bytes and deserializes with the given deserializers itself, so a record that cannot be
 * deserialized is dead-lettered with its exact bytes. See {@code docs/kafka-share.md} for the guarantees.
 *
 * <p>Thread-safe: {@link #close()} may be called from any thread; the loop runs on one thread.
 *
 * @param <K> the record key type the handler sees
 * @param <V> the record value type the handler sees
 */
public final class KafkaShareDedupRunner<K, V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaShareDedupRunner.class);

    private final String namespace;
    private final ShareLoop<K, V> loop;

    KafkaShareDedupRunner(String namespace, ShareLoop<K, V> loop) {
        this.namespace = namespace;
        this.loop = loop;
    }

    /**
     * A builder over a share consumer it creates from {@code consumerConfig} (which must have {@code group.id}; the
     * runner sets byte-array deserializers and {@code share.acknowledgement.mode=explicit}).
     */
    public static <K, V> KafkaShareDedupRunnerBuilder<K, V> builder(
            Map<String, ?> consumerConfig, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new KafkaShareDedupRunnerBuilder<>(consumerConfig, keyDeserializer, valueDeserializer);
    }

    /** The namespace keys are claimed in (by default the share group's id). */
    public String namespace() {
        return namespace;
    }

    /**
     * The dedup consumer the runner claims through, once the first records arrived (its lease is only known then).
     */
    public Optional<DedupConsumer<ConsumerRecord<?, ?>>> dedup() {
        return loop.dedup();
    }

    /**
     * Runs the loop on the calling thread until {@link #close()}.
     *
     * @throws IllegalStateException if the runner already runs or ran
     * @throws KafkaException if the share consumer fails fatally; the runner is then closed
     * @throws IllegalArgumentException if the {@linkplain KafkaShareDedupRunnerBuilder#dedupOptions dedup options}
     *     call {@code settings(...)} when the runner makes its dedup consumer, though they did not when {@code build()}
     *     tried them; the runner is then closed, and the records it held released
     */
    public void run() {
        loop.run();
    }

    /** Runs the loop on a new thread, {@code dedup-kafka-share-runner-<namespace>}, and returns it. */
    public Thread start() {
        return RunnerThreads.start(
                "dedup-kafka-share-runner-" + namespace,
                this::run,
                LOG,
                "dedup share runner of namespace " + namespace);
    }

    /**
     * Stops the loop: no new record is started, the handler in progress finishes and its record is acknowledged,
     * records not started are released, acknowledgements are committed, the consumer leaves the group, and what the
     * runner created is closed. Waits for that unless called from the handler or the loop itself. Idempotent.
     */
    @Override
    public void close() {
        loop.close();
    }
}
