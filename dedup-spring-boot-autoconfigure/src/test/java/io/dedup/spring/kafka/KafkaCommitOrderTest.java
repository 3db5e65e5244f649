package io.dedup.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupKey;
import io.dedup.spi.RecordState;
import java.time.Duration;
import org.assertj.core.api.AbstractLongAssert;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * A test that a listener's offsets are committed only after the store recorded the outcome of their records (DESIGN
 * §2, G5): the store refuses the completions the test picks ({@link RefusedCompletions}), and every offset the
 * application's consumers commit is seen ({@link CommitLog}), so that a commit past an unrecorded record fails the
 * test even when a later, lower commit hides it from the group's offset. A subclass's application imports
 * {@link Store}.
 */
@TestPropertySource(properties = "dedup.kafka.in-progress-backoff=200ms")
abstract class KafkaCommitOrderTest extends KafkaBrokerTest {
    @Autowired
    RefusedCompletions store;

    @Autowired
    KafkaListenerEndpointRegistry registry;

    /** Makes the application's consumers report every commit to {@link CommitLog}. */
    @DynamicPropertySource
    static void commitLog(DynamicPropertyRegistry registry) {
        CommitLog.install(registry);
    }

    /** Three records sent in a row, the store refusing the completion of the middle one; with their offsets. */
    record Sent(String before, String unrecorded, String after, long unrecordedAt, long afterAt) {}

    /** Makes the store refuse the completion of a new key, and sends it to {@code topic} between two others. */
    Sent sendWithUnrecordedBetween(String topic) {
        String before = TestKafka.unique("before");
        String unrecorded = TestKafka.unique("unrecorded");
        String after = TestKafka.unique("after");
        store.refuse(unrecorded);
        TestKafka.sendForOffset(template, topic, before);
        long unrecordedAt = TestKafka.sendForOffset(template, topic, unrecorded);
        long afterAt = TestKafka.sendForOffset(template, topic, after);
        return new Sent(before, unrecorded, after, unrecordedAt, afterAt);
    }

    /**
     * Starts a listener that does not start with the application, once the test sent all its records to it, so that
     * its first poll holds them all.
     */
    void startWithAllSent(String listenerId) {
        registry.getListenerContainer(listenerId).start();
    }

    /**
     * Waits until the unrecorded record came back, or until an offset past it was committed (which the test's
     * assertions then fail on), whichever comes first.
     */
    void awaitRedeliveredOrCommittedPast(String topic, Sent sent) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> calls.attempts(sent.unrecorded()) >= 2 || CommitLog.highest(topic) > sent.unrecordedAt());
    }

    /** The highest offset committed on {@code topic} so far, to hold against the unrecorded record's offset. */
    AbstractLongAssert<?> assertThatHighestCommitted(String topic, Sent sent) {
        return assertThat(CommitLog.highest(topic))
                .as(
                        "highest offset committed while the completion of %s (offset %d) is not recorded",
                        sent.unrecorded(), sent.unrecordedAt());
    }

    /** The listener ran for the unrecorded record once, and its key is still in progress in {@code group}. */
    void assertRanOnceAndNotRecorded(String group, Sent sent) {
        assertThat(calls.count(sent.unrecorded())).isEqualTo(1);
        assertThat(store.find(DedupKey.of(group, sent.unrecorded())))
                .hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(RecordState.IN_PROGRESS));
    }

    /**
     * Lets the store record the refused completion, waits until {@code group} committed all three records, and checks
     * that each ran once.
     */
    void allowAndAwaitEachRanOnce(String topic, String group, Sent sent) {
        store.allow(sent.unrecorded());
        await().atMost(Duration.ofSeconds(30)).until(() -> TestKafka.committed(group, topic) == sent.afterAt() + 1);
        assertThat(calls.count(sent.before())).isEqualTo(1);
        assertThat(calls.count(sent.unrecorded())).isEqualTo(1);
        assertThat(calls.count(sent.after())).isEqualTo(1);
    }

    /** The application's store: the starter uses it, not its own. */
    @Configuration(proxyBeanMethods = false)
    static class Store {
        @Bean
        RefusedCompletions store() {
            return new RefusedCompletions();
        }
    }
}
