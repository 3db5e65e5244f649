package io.dedup.spring.kafka;

import org.springframework.boot.test.context.SpringBootTest;

/** {@link KafkaListenerOwnAcksTest} in MANUAL mode: the listener's ack is committed with the container's next commit. */
@SpringBootTest(classes = KafkaListenerOwnAcksTest.App.class, properties = "spring.kafka.listener.ack-mode=manual")
class KafkaListenerOwnAcksManualTest extends KafkaListenerOwnAcksTest {}
