package io.dedup.spring.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.dedup.ClaimedBatch;
import io.dedup.DedupResult;
import io.dedup.Disposition;
import io.dedup.rabbitmq.DedupHeaders;
import io.dedup.spring.observation.DedupOutcomes;
import io.dedup.spring.transaction.ClaimScope;
import io.micrometer.observation.Observation;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.amqp.core.Address;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.support.ListenerExecutionFailedException;

/**
 * The deduplication of a {@code @RabbitListener} container, as the outermost advice of its advice chain: it claims
 * the message's key once, then lets the rest of the chain (the application's advices, Boot's retry interceptor) and
 * the listener run under that claim. The container's listener is wrapped ({@link #recording}) to tell it how the
 * listener's last attempt ended, since a retry recoverer may swallow the failure.
 *
 * <p>Why outermost: a retry of the listener happens inside the one claim (the key is ours during every attempt and
 * its lease is renewed through the retry's back-off), so an attempt never re-claims a key our own claim holds; a
 * duplicate or a key held elsewhere is answered before the retry interceptor sees the message, so neither is ever
 * retried nor reaches its recoverer (a held key is never dead-lettered).
 *
 * <ul>
 *   <li>processed: the listener's reply (if it sent one) is stored with the key; the container acks (AUTO), or the
 *       listener's own ack, held until the key was recorded, is sent (MANUAL);
 *   <li>duplicate: the listener is not called; the stored reply is sent to the duplicate's reply-to; acked;
 *   <li>key held elsewhere, lease lost, store down (fail-closed): the consumer waits the back-off, then the message
 *       is requeued ({@link ImmediateRequeueAmqpException}, which wins over {@code default-requeue-rejected=false});
 *   <li>the listener failed: the key is released; its exception goes on to the container unchanged (requeue or
 *       dead-letter exchange, as the application configured). When the retry recoverer took the message (a {@code
 *       RepublishMessageRecoverer} that returns), the key is released and the container acks as it would;
 *   <li>no key, or a key reused for other content: rejected without requeue ({@link
 *       AmqpRejectAndDontRequeueException}, also in MANUAL), so it goes to the queue's dead-letter exchange.
 * </ul>
 *
 * <p>Thread-safe: the container calls it on its consumer threads, one message at a time per thread.
 */
final class DedupRabbitAdvice implements MethodInterceptor {
    private static final ThreadLocal<Attempts> CURRENT = new ThreadLocal<>();

    private final RabbitGuards guards;

    DedupRabbitAdvice(RabbitGuards guards) {
        this.guards = Objects.requireNonNull(guards, "guards");
    }

    /**
     * Wraps a container's listener so that each call of it (each attempt of a retry) is noted for the claim around
     * it. A listener wrapper, not an inner advice: Spring AMQP 4's stateless retry interceptor repeats {@code
     * proceed()} on one invocation, which skips the advices after it on every attempt but the first.
     */
    static org.springframework.amqp.core.MessageListener recording(
            org.springframework.amqp.core.MessageListener listener) {
        if (listener instanceof RecordingListener) {
            return listener;
        }
        return new RecordingListener(listener);
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Object[] args = invocation.getArguments();
        if (args.length < 2 || !(args[0] instanceof Channel channel) || !(args[1] instanceof Message message)) {
            return invocation.proceed();
        }
        Optional<QueueGuard> found =
                guards.forQueue(message.getMessageProperties().getConsumerQueue());
        if (found.isEmpty()) {
            return invocation.proceed();
        }
        QueueGuard guard = found.get();
        ListenerChannel listenerChannel =
                new ListenerChannel(channel, message.getMessageProperties(), guard.manualAcks());
        args[0] = listenerChannel.proxy();
        Observation observation = guard.observe();
        Attempts attempts = new Attempts();
        Attempts outer = CURRENT.get();
        CURRENT.set(attempts);
        Throwable[] thrown = new Throwable[1];
        DedupResult<?> result;
        try {
            ClaimScope.Settled<Void> settled = guard.scope().claim(guard.dedup(), List.of(message), batch -> {
                ClaimedBatch.Entry<Message> entry = batch.entries().get(0);
                if (entry.mayRun()) {
                    batch.run(entry, m -> runChain(invocation, attempts, listenerChannel, thrown), StoredReply.CODEC);
                }
                return null;
            });
            result = settled.results().get(0);
        } catch (RuntimeException | Error e) {
            if (observation != null) {
                observation.error(e).stop();
            }
            throw e;
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
        if (observation != null) {
            DedupOutcomes.stop(observation, result);
        }
        return answer(guard, channel, message, listenerChannel, result, thrown[0]);
    }

    /** Runs the rest of the chain; a listener failure the chain swallowed still counts as a failure of the key. */
    private static StoredReply runChain(
            MethodInvocation invocation, Attempts attempts, ListenerChannel channel, Throwable[] thrown)
            throws Exception {
        try {
            invocation.proceed();
        } catch (Exception | Error e) {
            thrown[0] = e;
            throw e;
        } catch (Throwable t) {
            thrown[0] = t;
            throw new UndeclaredThrowableException(t);
        }
        if (attempts.count == 0) {
            throw new ListenerNotCalledException("the advice chain returned without calling the listener");
        }
        if (attempts.lastFailure != null) {
            throw new ListenerNotCalledException(
                    "the listener failed and the retry recoverer took the message", attempts.lastFailure);
        }
        if (channel.rejectedByListener()) {
            throw new ListenerNotCalledException("the listener nacked or rejected its message");
        }
        return channel.reply();
    }

    private Object answer(
            QueueGuard guard,
            Channel channel,
            Message message,
            ListenerChannel listenerChannel,
            DedupResult<?> result,
            Throwable listenerFailure)
            throws Throwable {
        long tag = message.getMessageProperties().getDeliveryTag();
        Disposition disposition = result.disposition();
        switch (disposition) {
            case ACK -> {
                listenerChannel.settle(true);
                if (result instanceof DedupResult.Duplicate<?> duplicate) {
                    replay(
                            channel,
                            message.getMessageProperties(),
                            StoredReply.CODEC.decode(duplicate.outcome().body()));
                    if (guard.manualAcks()) {
                        channel.basicAck(tag, false);
                    }
                }
                return null;
            }
            case DEFER, BACK_OFF -> {
                listenerChannel.settle(false);
                backOff(guard);
                if (guard.manualAcks()) {
                    channel.basicNack(tag, false, true);
                    return null;
                }
                // Wrapped as a listener failure: anything else thrown from the chain restarts the consumer.
                throw new ListenerExecutionFailedException(
                        "@RabbitListener '" + guard.listenerId() + "': requeued",
                        new ImmediateRequeueAmqpException("the key of this message is held elsewhere (or the store is "
                                + "unavailable): requeued after " + guard.inProgressBackoff() + " ("
                                + outcome(result) + ")"),
                        message);
            }
            case RETRY_OR_DEAD_LETTER -> {
                listenerChannel.settle(true);
                if (listenerFailure instanceof ListenerExecutionFailedException || listenerFailure instanceof Error) {
                    throw listenerFailure;
                }
                if (listenerFailure != null) {
                    throw new ListenerExecutionFailedException(
                            "@RabbitListener '" + guard.listenerId() + "' failed", listenerFailure, message);
                }
                return null; // the retry recoverer (or the listener itself) settled the message
            }
            default -> {
                listenerChannel.settle(false);
                throw new AmqpRejectAndDontRequeueException(
                        "@RabbitListener '" + guard.listenerId() + "': message rejected by dedup (" + outcome(result)
                                + ")",
                        true,
                        rejection(result));
            }
        }
    }

    private static String outcome(DedupResult<?> result) {
        return DedupOutcomes.outcome(result);
    }

    private static Throwable rejection(DedupResult<?> result) {
        if (result instanceof DedupResult.Rejected<?> rejected) {
            return rejected.reason();
        }
        if (result instanceof DedupResult.Conflict<?> conflict) {
            return new io.dedup.IdempotencyConflictException(conflict.key());
        }
        return null;
    }

    private static void backOff(QueueGuard guard) {
        try {
            Thread.sleep(guard.inProgressBackoff().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends the stored reply to the duplicate's reply-to (or where the first reply went), as Spring replies. */
    private static void replay(Channel channel, MessageProperties request, StoredReply reply) throws Exception {
        if (reply == null) {
            return;
        }
        String exchange = reply.exchange();
        String routingKey = reply.routingKey();
        if (request.getReplyTo() != null) {
            Address address = new Address(request.getReplyTo());
            exchange = address.getExchangeName();
            routingKey = address.getRoutingKey();
        }
        Map<String, Object> headers = new LinkedHashMap<>(reply.headers());
        headers.put(DedupHeaders.REPLAYED, Boolean.TRUE);
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType(reply.contentType())
                .contentEncoding(reply.contentEncoding())
                .headers(headers)
                .correlationId(ListenerChannel.correlationOf(request))
                .deliveryMode(2)
                .build();
        channel.basicPublish(exchange == null ? "" : exchange, routingKey, false, properties, reply.body());
    }

    /** The listener was not called, or its failure was settled by the chain: the key must be released. */
    private static final class ListenerNotCalledException extends Exception {
        ListenerNotCalledException(String message) {
            super(message, null, false, false);
        }

        ListenerNotCalledException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /** How the listener's attempts of one message ended. */
    static final class Attempts {
        int count;
        Throwable lastFailure;
    }

    /** The container's listener, noting each of its calls in the current {@link Attempts}. */
    private static final class RecordingListener
            implements org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener {
        private final org.springframework.amqp.core.MessageListener delegate;

        RecordingListener(org.springframework.amqp.core.MessageListener delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        @Override
        public void onMessage(Message message, Channel channel) throws Exception {
            Attempts attempts = CURRENT.get();
            if (attempts != null) {
                attempts.count++;
            }
            try {
                if (delegate
                        instanceof org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener aware) {
                    aware.onMessage(message, channel);
                } else {
                    delegate.onMessage(message);
                }
                if (attempts != null) {
                    attempts.lastFailure = null;
                }
            } catch (Exception | Error e) {
                if (attempts != null) {
                    attempts.lastFailure = e;
                }
                throw e;
            }
        }

        @Override
        public void onMessage(Message message) {
            throw new UnsupportedOperationException("called with a channel");
        }

        @Override
        public void containerAckMode(org.springframework.amqp.core.AcknowledgeMode mode) {
            delegate.containerAckMode(mode);
        }

        @Override
        public boolean isAsyncReplies() {
            return delegate.isAsyncReplies();
        }
    }
}
