package io.dedup.spi;

import java.util.Collection;
import java.util.Optional;

/**
 * Finds the known setting a mistyped one was probably meant to be, so that {@link SettingsReader#rejectUnknown} can
 * say "did you mean ...?" rather than only "unknown".
 *
 * <p>Thread-safe: stateless.
 */
final class NearestName {
    private NearestName() {}

    /**
     * The known key nearest to {@code name} by edit distance, if it is close enough to be a likely typo (at most a
     * third of the name's length, and at most 3 edits): further than that, a suggestion misleads more than it helps.
     */
    static Optional<String> among(String name, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = editDistance(name, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        int allowed = Math.min(3, Math.max(1, name.length() / 3));
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance, keeping two rows of the table rather than all of it. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
