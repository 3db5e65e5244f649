package io.dedup.internal;

import io.dedup.DedupKey;
import java.nio.charset.StandardCharsets;

/** The rule for which keys are stored raw and which as a digest; see {@link DedupKey}. */
public final class KeyDigests {
    public static final String PREFIX = "#sha256:";

    private KeyDigests() {}

    /** Whether {@code key} is at most {@link DedupKey#MAX_RAW_KEY_BYTES} bytes of UTF-8, without encoding it. */
    public static boolean fitsRaw(String key) {
        int length = key.length();
        if (length * 3 <= DedupKey.MAX_RAW_KEY_BYTES) {
            return true; // no char takes more than 3 bytes; a surrogate pair takes 4 for 2 chars
        }
        if (length > DedupKey.MAX_RAW_KEY_BYTES) {
            return false;
        }
        int bytes = 0;
        for (int i = 0; i < length; i++) {
            char c = key.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(key.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3; // lone surrogates encode as '?' (1 byte); counting 3 only errs towards digesting
            }
            if (bytes > DedupKey.MAX_RAW_KEY_BYTES) {
                return false;
            }
        }
        return true;
    }

    public static boolean looksDigested(String key) {
        return key.startsWith(PREFIX);
    }

    public static String digest(String rawKey) {
        return PREFIX + Sha256.base64url(Sha256.of(rawKey.getBytes(StandardCharsets.UTF_8)));
    }
}
