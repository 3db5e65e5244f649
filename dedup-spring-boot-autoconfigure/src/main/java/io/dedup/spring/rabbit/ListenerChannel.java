package io.dedup.spring.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.LongString;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.amqp.core.Address;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.util.ClassUtils;

/**
 * The channel a deduplicated listener is given for one delivery: the container's own channel, seen through a proxy
 * with the same interfaces (so that Spring's {@code ChannelProxy} checks still hold), which
 *
 * <ul>
 *   <li>notes the reply the listener publishes (to the request's reply-to, or with its correlation id), so that it
 *       can be stored with the key and replayed for duplicates;
 *   <li>in MANUAL ack mode, holds the listener's own {@code basicAck}/{@code basicNack}/{@code basicReject} of this
 *       delivery until dedup has recorded the key, so that the ack never precedes the completion.
 * </ul>
 *
 * Everything else goes straight to the container's channel. Not thread-safe: one delivery on one consumer thread;
 * once {@link #settle} ran, calls pass through as they come.
 */
final class ListenerChannel implements InvocationHandler {
    private final Channel target;
    private final long deliveryTag;
    private final Address replyTo;
    private final String correlation;
    private final boolean holdAcks;
    // The listener's own ack, nack or reject of this delivery, in the order it called them, until settle().
    private final List<Object[]> held = new ArrayList<>();
    private final List<Method> heldMethods = new ArrayList<>();
    private volatile boolean settled;
    private boolean rejectedByListener;
    private StoredReply reply;

    ListenerChannel(Channel target, MessageProperties request, boolean holdAcks) {
        this.target = Objects.requireNonNull(target, "target");
        this.deliveryTag = request.getDeliveryTag();
        this.replyTo = request.getReplyTo() == null ? null : new Address(request.getReplyTo());
        this.correlation = correlationOf(request);
        this.holdAcks = holdAcks;
    }

    /** The correlation id Spring gives a reply to {@code request}: its correlation id, else its message id. */
    static String correlationOf(MessageProperties request) {
        return request.getCorrelationId() != null ? request.getCorrelationId() : request.getMessageId();
    }

    /**
     * The channel to give the listener: a JDK proxy with every interface of the container's channel, since Spring
     * AMQP checks the channel it passed for {@code ChannelProxy} (and a {@code PublisherCallbackChannel}).
     */
    Channel proxy() {
        Class<?>[] interfaces = ClassUtils.getAllInterfacesForClass(target.getClass(), Channel.class.getClassLoader());
        return (Channel) Proxy.newProxyInstance(Channel.class.getClassLoader(), interfaces, this);
    }

    /** The reply the listener sent, if any. */
    StoredReply reply() {
        return reply;
    }

    /** Whether the listener nacked or rejected its own delivery (MANUAL ack mode). */
    boolean rejectedByListener() {
        return rejectedByListener;
    }

    /**
     * Ends the delivery: the held acks are sent ({@code send}) or dropped, and from now on calls pass through.
     *
     * @throws Throwable whatever the channel threw for a held call
     */
    void settle(boolean send) throws Throwable {
        settled = true;
        if (send) {
            for (int i = 0; i < held.size(); i++) {
                invokeTarget(heldMethods.get(i), held.get(i));
            }
        }
        held.clear();
        heldMethods.clear();
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (!settled) {
            if (name.equals("basicPublish")) {
                noteReply(args);
            } else if (holdAcks && ofThisDelivery(name, args)) {
                if (!name.equals("basicAck")) {
                    rejectedByListener = true;
                }
                held.add(args.clone());
                heldMethods.add(method);
                return null;
            }
        }
        // The proxy answers equals and hashCode itself, by identity: forwarded, they would make it equal to the
        // channel it wraps while being another object.
        if (name.equals("equals") && args != null && args.length == 1) {
            return proxy == args[0];
        }
        if (name.equals("hashCode") && (args == null || args.length == 0)) {
            return System.identityHashCode(proxy);
        }
        return invokeTarget(method, args);
    }

    /** Calls the container's channel; the channel's own exception is rethrown, not its reflective wrapper. */
    private Object invokeTarget(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Whether a call settles this delivery: an ack, nack or reject of its tag, or a multiple ack or nack of a later
     * tag (which covers this one too; the listener may batch its acks).
     */
    private boolean ofThisDelivery(String name, Object[] args) {
        if (!(name.equals("basicAck") || name.equals("basicNack") || name.equals("basicReject"))
                || args == null
                || args.length < 2
                || !(args[0] instanceof Long tag)) {
            return false;
        }
        boolean multiple = !name.equals("basicReject") && Boolean.TRUE.equals(args[1]);
        return tag == deliveryTag || (multiple && tag > deliveryTag);
    }

    /**
     * Notes a publish that is the listener's reply: to the request's reply-to, or (without one) carrying the
     * request's correlation id. Other publishes of the listener are its own business and not stored. The arguments
     * are {@code basicPublish(exchange, routingKey, [mandatory, [immediate,]] props, body)}.
     */
    private void noteReply(Object[] args) {
        if (args == null || args.length < 4 || !(args[args.length - 1] instanceof byte[] body)) {
            return;
        }
        Object props = args[args.length - 2];
        if (!(props instanceof AMQP.BasicProperties properties)) {
            return;
        }
        String exchange = (String) args[0];
        String routingKey = (String) args[1];
        boolean toReplyTo = replyTo != null
                && Objects.equals(nullToEmpty(replyTo.getExchangeName()), nullToEmpty(exchange))
                && Objects.equals(replyTo.getRoutingKey(), routingKey);
        boolean correlated =
                replyTo == null && correlation != null && correlation.equals(properties.getCorrelationId());
        if (toReplyTo || correlated) {
            reply = new StoredReply(
                    exchange,
                    routingKey,
                    properties.getContentType(),
                    properties.getContentEncoding(),
                    textHeaders(properties.getHeaders()),
                    body.clone());
        }
    }

    /**
     * The reply's text headers only: those are what a replayed reply needs (content and type hints of the message
     * converter), and anything else (nested tables, dates) has no stable stored form.
     */
    private static Map<String, String> textHeaders(Map<String, Object> headers) {
        Map<String, String> text = new LinkedHashMap<>();
        if (headers != null) {
            headers.forEach((name, value) -> {
                if (value instanceof String || value instanceof LongString) {
                    text.put(name, value.toString());
                }
            });
        }
        return text;
    }

    /** The default exchange is written as {@code ""} or as no exchange at all; both mean the same. */
    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }
}
