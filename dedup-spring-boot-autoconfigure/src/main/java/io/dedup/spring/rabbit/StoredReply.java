package io.dedup.spring.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.dedup.OutcomeCodec;
import io.dedup.rabbitmq.DedupHeaders;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.amqp.core.Address;
import org.springframework.amqp.core.MessageProperties;

/**
 * The RPC reply a {@code @RabbitListener} sent, as it is stored with the key so that a duplicate gets it again: where
 * it went, its content type and encoding, its text headers (a JSON converter's type headers among them) and its
 * body. Encoded by {@link #CODEC} in a small versioned binary form, never with Java serialization: a stored reply
 * outlives the application version that wrote it, and deserializing what a store hands back must never run code.
 *
 * <p>Immutable and thread-safe, except that {@link #body()} is the stored array itself (not copied, as replies may be
 * large): do not modify it.
 */
record StoredReply(
        String exchange,
        String routingKey,
        String contentType,
        String contentEncoding,
        Map<String, String> headers,
        byte[] body) {
    private static final int VERSION = 1;

    /** Stores a null reply (the listener sent none) as no bytes, and reads no bytes back as null. */
    static final OutcomeCodec<StoredReply> CODEC = new OutcomeCodec<>() {
        @Override
        public byte[] encode(StoredReply reply) {
            return reply == null ? new byte[0] : reply.toBytes();
        }

        @Override
        public StoredReply decode(byte[] bytes) {
            return bytes == null || bytes.length == 0 ? null : fromBytes(bytes);
        }
    };

    /**
     * Sends this reply for a duplicate of {@code request}, as Spring AMQP sends a listener's reply: to the duplicate's
     * reply-to when it has one (its sender waits there, not where the first reply went), else where the first reply
     * went; with the duplicate's correlation id, and the {@value DedupHeaders#REPLAYED} header so that a caller can
     * tell a replay from a fresh answer.
     *
     * @throws IOException if the channel refuses the publish
     */
    void replayTo(Channel channel, MessageProperties request) throws IOException {
        String targetExchange = exchange;
        String targetRoutingKey = routingKey;
        if (request.getReplyTo() != null) {
            Address address = new Address(request.getReplyTo());
            targetExchange = address.getExchangeName();
            targetRoutingKey = address.getRoutingKey();
        }
        Map<String, Object> replyHeaders = new LinkedHashMap<>(headers);
        replyHeaders.put(DedupHeaders.REPLAYED, Boolean.TRUE);
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType(contentType)
                .contentEncoding(contentEncoding)
                .headers(replyHeaders)
                .correlationId(ListenerChannel.correlationOf(request))
                .deliveryMode(2)
                .build();
        channel.basicPublish(targetExchange == null ? "" : targetExchange, targetRoutingKey, false, properties, body);
    }

    private byte[] toBytes() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(body.length + 128);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(VERSION);
            writeText(out, exchange);
            writeText(out, routingKey);
            writeText(out, contentType);
            writeText(out, contentEncoding);
            out.writeInt(headers.size());
            for (Map.Entry<String, String> header : headers.entrySet()) {
                writeText(out, header.getKey());
                writeText(out, header.getValue());
            }
            out.writeInt(body.length);
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    private static StoredReply fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("stored reply of unknown version " + version);
            }
            String exchange = readText(in);
            String routingKey = readText(in);
            String contentType = readText(in);
            String contentEncoding = readText(in);
            int count = in.readInt();
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                headers.put(readText(in), readText(in));
            }
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            return new StoredReply(exchange, routingKey, contentType, contentEncoding, headers, body);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable stored reply", e);
        }
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        out.writeBoolean(text != null);
        if (text != null) {
            byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(utf8.length);
            out.write(utf8);
        }
    }

    private static String readText(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        byte[] utf8 = new byte[in.readInt()];
        in.readFully(utf8);
        return new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
    }
}
