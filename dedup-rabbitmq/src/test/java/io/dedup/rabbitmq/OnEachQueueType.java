package io.dedup.rabbitmq;

import io.dedup.rabbitmq.RabbitBroker.QueueType;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A test that runs once on a classic and once on a quorum queue: the method takes the {@link QueueType} and declares
 * its queue with {@link RabbitBroker#queue(QueueType)}. The two queue types store and redeliver messages
 * differently, so behaviour that touches redelivery is checked on both.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest
@EnumSource(QueueType.class)
@interface OnEachQueueType {}
