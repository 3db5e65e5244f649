package io.dedup.kafka.internal.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Lock renewal of held records, against a share consumer that refuses some acknowledgements. No broker. */
class ShareAcknowledgerTest {
    private final HeldRecords held = new HeldRecords("ns");
    private final List<Long> renewed = new ArrayList<>();

    @Test
    void a_waiting_record_whose_renewal_fails_is_forgotten_and_the_others_are_still_renewed() {
        held.received(records(0, 1, 2));
        ShareAcknowledger acks = new ShareAcknowledger(refusing(0), state(), true);

        acks.renewHeld(); // it threw ConcurrentModificationException: the loop removed from the map it walked

        assertThat(renewed).containsExactly(1L, 2L);
        assertThat(held.get("t-0@0"))
                .as("not started: forgotten, the broker hands it out again")
                .isNull();
        assertThat(held.ids()).containsExactly("t-0@1", "t-0@2");
    }

    @Test
    void a_running_record_whose_renewal_fails_stays_held_and_is_marked_lost() {
        held.received(records(0, 1));
        held.takeWaiting(); // both in a batch now
        ShareAcknowledger acks = new ShareAcknowledger(refusing(0), state(), true);

        acks.renewHeld();

        assertThat(renewed).containsExactly(1L);
        assertThat(held.isLost("t-0@0")).isTrue();
        assertThat(held.ids()).containsExactly("t-0@0", "t-0@1");
    }

    private ShareLoopState state() {
        return new ShareLoopState(held, ShareMetrics.NOOP, "ns", () -> false);
    }

    private static ConsumerRecords<byte[], byte[]> records(long... offsets) {
        List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>();
        for (long offset : offsets) {
            list.add(new ConsumerRecord<>("t", 0, offset, null, null));
        }
        return new ConsumerRecords<>(Map.of(new TopicPartition("t", 0), list));
    }

    /** A share consumer whose acknowledgement of the record at {@code offset} fails as for a lost lock. */
    @SuppressWarnings("unchecked")
    private ShareConsumer<byte[], byte[]> refusing(long offset) {
        return (ShareConsumer<byte[], byte[]>) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ShareConsumer.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "acknowledge" -> {
                            ConsumerRecord<?, ?> record = (ConsumerRecord<?, ?>) args[0];
                            assertThat(args[1]).isEqualTo(AcknowledgeType.RENEW);
                            if (record.offset() == offset) {
                                throw new IllegalStateException("record not acquired by this consumer");
                            }
                            renewed.add(record.offset());
                            return null;
                        }
                        case "commitSync" -> {
                            return Map.of();
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    }
                });
    }
}
