package io.dedup.spring.kafka;

import org.springframework.boot.test.context.SpringBootTest;

/** {@link KafkaListenerOwnAcksTest} in MANUAL_IMMEDIATE mode: the listener's ack commits at once. */
@SpringBootTest(
        classes = KafkaListenerOwnAcksTest.App.class,
        properties = "spring.kafka.listener.ack-mode=manual_immediate")
class KafkaListenerOwnAcksManualImmediateTest extends KafkaListenerOwnAcksTest {}
