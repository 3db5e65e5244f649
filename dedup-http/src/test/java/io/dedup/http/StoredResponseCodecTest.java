package io.dedup.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoredResponseCodecTest {
    private final StoredResponseCodec codec = new StoredResponseCodec();

    @Test
    void a_response_round_trips_with_header_order_repeated_values_and_binary_body() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of("application/json;charset=UTF-8"));
        headers.put("Set-Cookie", List.of("a=1", "b=2"));
        headers.put("Location", List.of("/orders/ü"));
        byte[] body = new byte[70_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        StoredResponse response = StoredResponse.of(201, headers, body);
        StoredResponse decoded = codec.decode(codec.encode(response));
        assertThat(decoded).isEqualTo(response);
        assertThat(decoded.headers().keySet()).containsExactly("Content-Type", "Set-Cookie", "Location");
        assertThat(decoded.header("set-cookie")).containsExactly("a=1", "b=2");
        assertThat(decoded.bodyStored()).isTrue();
    }

    @Test
    void a_response_without_its_body_round_trips_as_not_stored() {
        StoredResponse response = StoredResponse.withoutBody(200, Map.of("ETag", List.of("\"x\"")));
        StoredResponse decoded = codec.decode(codec.encode(response));
        assertThat(decoded.bodyStored()).isFalse();
        assertThat(decoded.bodyLength()).isZero();
        assertThat(decoded).isEqualTo(response);
    }

    @Test
    void foreign_truncated_or_padded_bytes_are_refused() {
        byte[] good = codec.encode(StoredResponse.of(200, Map.of(), new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> codec.decode(new byte[] {'{', '}'})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(good, good.length + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(good, 3))).isInstanceOf(IllegalArgumentException.class);
        byte[] future = good.clone();
        future[1] = 9;
        assertThatThrownBy(() -> codec.decode(future)).hasMessageContaining("version 9");
    }

    @Test
    void stored_responses_are_immutable_and_validated() {
        byte[] body = {1};
        StoredResponse response = StoredResponse.of(200, Map.of(), body);
        body[0] = 9;
        response.body()[0] = 7;
        assertThat(response.body()).containsExactly(1);
        assertThatThrownBy(() -> StoredResponse.of(42, Map.of(), body)).hasMessageContaining("status");
        assertThatThrownBy(() -> StoredResponse.of(200, Map.of("X", List.of()), body))
                .hasMessageContaining("header X");
    }
}
