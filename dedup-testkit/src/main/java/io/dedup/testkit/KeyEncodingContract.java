package io.dedup.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.StoredRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Odd keys (DESIGN §8): unicode keys, very long keys stored as digests, binary keys, and text that is not valid
 * UTF-16 each land on their own record, and no two spaces (text, binary, digest) can collide; an empty key is
 * refused before it reaches the store; namespaces never share a record.
 *
 * <p>One layer of {@link DedupStoreContract}; not thread-safe, one instance per test.
 */
public abstract class KeyEncodingContract extends StoredRecordContract {
    /** Keys are whatever producers send; no character may be lost or folded on the way into the store. */
    @Test
    void unicode_keys_are_distinct_and_found_as_written() {
        List<String> ids = List.of("zahlung-ü", "支付-42", "платёж", "emoji-\uD83D\uDCB8", "tab\tand space", "a/b:c");
        for (String id : ids) {
            acquire(request(key(id)));
        }
        for (String id : ids) {
            assertThat(store.find(key(id))).as(id).map(StoredRecord::key).contains(key(id));
            assertThat(store.claim(request(key(id)))).as(id).isInstanceOf(ClaimResult.InProgress.class);
        }
    }

    /** Long keys are stored as digests (DESIGN §2); two that share a long prefix must still be two records. */
    @Test
    void ten_kibibyte_keys_are_claimed_as_digests_and_do_not_collide() {
        String base = "x".repeat(10 * 1024);
        DedupKey a = key(base + "a");
        DedupKey b = key(base + "b");
        // the key itself says it will be stored as a digest; the store must keep the two digests apart
        assertThat(a.isDigest()).isTrue();
        assertThat(a).isNotEqualTo(b);
        Claim claim = acquire(request(a));
        complete(claim, new byte[0]);
        assertThat(store.claim(request(b))).isInstanceOf(ClaimResult.Acquired.class);
        assertThat(store.claim(request(key(base + "a")))).isInstanceOf(ClaimResult.Duplicate.class);
    }

    /**
     * Text, binary and digest keys live in disjoint spaces (DESIGN §8): no text can pose as another space's stored form.
     */
    @Test
    void binary_text_and_invalid_utf16_keys_are_distinct_records_on_the_store() {
        List<DedupKey> keys = List.of(
                key("a\uD800"), // a lone surrogate: drivers would write "a?"
                key("a\uDBFF"), // another lone surrogate: both would collapse into one "a?" if not digested
                key("a?"),
                DedupKey.ofBytes(ns, new byte[] {(byte) 0xFF}),
                key("#bin:_w"), // text that looks like a stored binary key must stay text
                key("base64:_w"));
        for (DedupKey key : keys) {
            assertThat(store.claim(request(key))).as("%s", key).isInstanceOf(ClaimResult.Acquired.class);
        }
        // each found under its own key: none overwrote another
        for (DedupKey key : keys) {
            assertThat(store.find(key)).as("%s", key).map(StoredRecord::key).contains(key);
        }
    }

    /** An empty key would make every keyless message one key; it is refused where the key is made, before any store. */
    @Test
    void an_empty_key_is_refused_with_a_clear_error() {
        assertThatThrownBy(() -> DedupKey.of(ns, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> new DedupKey(ns, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be empty");
    }

    /** Two consumer groups (namespaces) never see each other's keys. */
    @Test
    void namespaces_are_isolated() {
        DedupKey one = DedupKey.of(ns + "-one", "same-id");
        DedupKey two = DedupKey.of(ns + "-two", "same-id");
        complete(acquire(request(one)), new byte[] {1});
        assertThat(store.claim(request(two))).isInstanceOf(ClaimResult.Acquired.class);
        assertThat(store.claim(request(one))).isInstanceOf(ClaimResult.Duplicate.class);
    }
}
