package io.dedup.spring.rabbit;

import com.rabbitmq.client.Channel;
import io.dedup.ClaimedBatch;
import io.dedup.DedupResult;
import io.dedup.spring.observation.DedupOutcomes;
import io.dedup.spring.transaction.ClaimScope;
import io.micrometer.observation.Observation;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.amqp.core.Message;

/**
 * The deduplication of a {@code @RabbitListener} container, as the outermost advice of its advice chain: it claims
 * the message's key once, then lets the rest of the chain (the application's advices, Boot's retry interceptor) and
 * the listener run under that claim. The container's listener is wrapped ({@link ListenerAttempts#recording}) to tell
 * it how the listener's last attempt ended, since a retry recoverer may swallow the failure. What the container is
 * told afterwards is {@link DeliveryAnswer}'s part; the wait and requeue of a held key is {@link HeldKeyRequeue}'s.
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
 * <p>Why a {@link ListenerNotCalledException} inside the claim: the claim completes the key when the work returns and
 * releases it when the work throws, and the chain returning normally does not mean that the listener succeeded.
 *
 * <p>Thread-safe: the container calls it on its consumer threads, one message at a time per thread.
 */
final class DedupRabbitAdvice implements MethodInterceptor {
    private final RabbitGuards guards;

    DedupRabbitAdvice(RabbitGuards guards) {
        this.guards = Objects.requireNonNull(guards, "guards");
    }

    /**
     * Claims the message's key around the rest of the chain, then answers the container.
     *
     * @throws Throwable what {@link DeliveryAnswer#answer} throws, or a store failure the claim could not turn into a
     *     result (the observation records it as its error)
     */
    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Object[] args = invocation.getArguments();
        // The container's invoker is (Channel, Message); anything else is not a delivery we guard.
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
        // The listener gets the proxy, which notes its reply and holds its acks until the key is recorded.
        args[0] = listenerChannel.proxy();
        Observation observation = guard.observe();
        ListenerAttempts attempts = ListenerAttempts.begin();
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
            attempts.end();
        }
        if (observation != null) {
            DedupOutcomes.stop(observation, result);
        }
        return DeliveryAnswer.answer(guard, channel, message, listenerChannel, result, thrown[0]);
    }

    /**
     * Runs the rest of the chain; a listener failure the chain swallowed still counts as a failure of the key. What
     * the chain threw is kept in {@code thrown} because the claim wraps it, and the container must see the original.
     */
    private static StoredReply runChain(
            MethodInvocation invocation, ListenerAttempts attempts, ListenerChannel channel, Throwable[] thrown)
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
        if (!attempts.called()) {
            throw new ListenerNotCalledException("the advice chain returned without calling the listener");
        }
        if (attempts.lastFailure() != null) {
            throw new ListenerNotCalledException(
                    "the listener failed and the retry recoverer took the message", attempts.lastFailure());
        }
        if (channel.rejectedByListener()) {
            throw new ListenerNotCalledException("the listener nacked or rejected its message");
        }
        return channel.reply();
    }

    /**
     * The listener was not called, or its failure was settled by the chain: the key must be released. Without a
     * stack trace, since it is control flow that never reaches a log.
     */
    private static final class ListenerNotCalledException extends Exception {
        ListenerNotCalledException(String message) {
            super(message, null, false, false);
        }

        ListenerNotCalledException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }
}
