package io.dedup.spi;

import io.dedup.KeyExtractor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The one grammar of key specifications in configuration (for example {@code dedup.kafka.key} or the RabbitMQ
 * {@code key} property), shared by every transport adapter. An adapter builds one grammar with the extractors of its
 * message type and parses with it; users write the same words on every transport:
 *
 * <pre>
 * spec   := source ( "," source )*     a chain: the first source that finds a key wins
 * source := "header"                   the transport's default key header
 *         | "header:" NAME             a named header
 *         | "json-pointer:" POINTER    the scalar at an RFC 6901 pointer of the JSON body ("json:" is an alias)
 *         | "content-hash"             the SHA-256 of the body
 *         | "content-hash:" H ("+" H)* ... and of the named headers
 *         | WORD                       a source of the transport's own (record-key, message-id)
 * </pre>
 *
 * <p>Words are case-insensitive, names and pointers are not, blanks around parts are ignored. A specification that is
 * empty, names an unknown source or lacks a required argument is refused with a message that quotes it and lists the
 * accepted forms.
 *
 * <p>Immutable and thread-safe; build one per message type and reuse it.
 *
 * @param <M> the message type
 */
public final class KeySpecGrammar<M> {
    private final Function<String, KeyExtractor<M>> header;
    private final String defaultHeader;
    private final Function<String, KeyExtractor<M>> jsonPointer;
    private final Function<List<String>, KeyExtractor<M>> contentHash;
    private final Map<String, KeyExtractor<M>> words;
    private final String forms;

    private KeySpecGrammar(Builder<M> builder) {
        this.header = builder.header;
        this.defaultHeader = builder.defaultHeader;
        this.jsonPointer = builder.jsonPointer;
        this.contentHash = builder.contentHash;
        this.words = Map.copyOf(builder.words);
        this.forms = "header, header:NAME, json-pointer:/POINTER, content-hash, content-hash:HEADER+HEADER"
                + (builder.wordList.isEmpty() ? "" : ", " + String.join(", ", builder.wordList))
                + "; chain several with commas";
    }

    /** A builder; {@link Builder#header}, {@link Builder#jsonPointer} and {@link Builder#contentHash} are required. */
    public static <M> Builder<M> builder() {
        return new Builder<>();
    }

    /** The accepted forms, as error messages list them. */
    public String acceptedForms() {
        return forms;
    }

    /**
     * The extractor a specification names.
     *
     * @throws IllegalArgumentException if the specification is empty or not in this grammar; the message quotes it
     *     and lists {@link #acceptedForms()}
     * @throws NullPointerException if {@code spec} is null
     */
    public KeyExtractor<M> parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        KeyExtractor<M> chain = null;
        for (String raw : spec.split(",")) {
            String part = raw.trim();
            if (part.isEmpty()) {
                continue; // "a, b," is a chain of two: a trailing comma is not a source
            }
            KeyExtractor<M> source = source(spec, part);
            chain = chain == null ? source : chain.orElse(source);
        }
        if (chain == null) {
            throw invalid(spec, "it names no key source");
        }
        return chain;
    }

    private KeyExtractor<M> source(String spec, String part) {
        int colon = part.indexOf(':');
        String word = (colon < 0 ? part : part.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        String argument = colon < 0 ? null : part.substring(colon + 1).trim();
        try {
            switch (word) {
                case "header":
                    return header.apply(argument == null || argument.isEmpty() ? defaultHeader : argument);
                case "json-pointer":
                case "json":
                    if (argument == null || argument.isEmpty()) {
                        throw invalid(spec, "'" + part + "' needs a pointer, e.g. json-pointer:/id");
                    }
                    return jsonPointer.apply(argument);
                case "content-hash":
                    return contentHash.apply(headerNames(spec, part, argument));
                default:
                    KeyExtractor<M> own = words.get(word);
                    if (own == null) {
                        throw invalid(spec, "unknown key source '" + part + "'");
                    }
                    if (argument != null) {
                        throw invalid(spec, "'" + part + "' takes no argument");
                    }
                    return own;
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("invalid key specification")) {
                throw e;
            }
            throw invalid(spec, "'" + part + "': " + e.getMessage()); // a bad pointer, say
        }
    }

    private List<String> headerNames(String spec, String part, String argument) {
        List<String> names = new ArrayList<>();
        if (argument != null && !argument.isEmpty()) {
            for (String name : argument.split("\\+", -1)) {
                if (name.isBlank()) {
                    throw invalid(spec, "'" + part + "' names an empty header");
                }
                names.add(name.trim());
            }
        }
        return List.copyOf(names);
    }

    private IllegalArgumentException invalid(String spec, String why) {
        return new IllegalArgumentException(
                "invalid key specification \"" + spec + "\": " + why + "; accepted: " + forms);
    }

    /**
     * Builds a {@link KeySpecGrammar}. Not thread-safe.
     *
     * @param <M> the message type
     */
    public static final class Builder<M> {
        private Function<String, KeyExtractor<M>> header;
        private String defaultHeader;
        private Function<String, KeyExtractor<M>> jsonPointer;
        private Function<List<String>, KeyExtractor<M>> contentHash;
        private final Map<String, KeyExtractor<M>> words = new LinkedHashMap<>();
        private final List<String> wordList = new ArrayList<>();

        private Builder() {}

        /**
         * {@code header} and {@code header:NAME}: the extractor of the named header, and the name {@code header}
         * alone means.
         *
         * @throws IllegalArgumentException if {@code defaultName} is empty
         */
        public Builder<M> header(Function<String, KeyExtractor<M>> byName, String defaultName) {
            this.header = Objects.requireNonNull(byName, "byName");
            Objects.requireNonNull(defaultName, "defaultName");
            if (defaultName.isEmpty()) {
                throw new IllegalArgumentException("defaultName must not be empty");
            }
            this.defaultHeader = defaultName;
            return this;
        }

        /** {@code json-pointer:POINTER}: the extractor of the scalar at a pointer of the body. */
        public Builder<M> jsonPointer(Function<String, KeyExtractor<M>> byPointer) {
            this.jsonPointer = Objects.requireNonNull(byPointer, "byPointer");
            return this;
        }

        /** {@code content-hash[:H+H]}: the extractor of the body's hash and the named headers' (none: the body's). */
        public Builder<M> contentHash(Function<List<String>, KeyExtractor<M>> byHeaders) {
            this.contentHash = Objects.requireNonNull(byHeaders, "byHeaders");
            return this;
        }

        /**
         * A source of the transport's own, written as {@code word} (or any of {@code aliases}) without an argument.
         *
         * @throws IllegalArgumentException if a word is empty, has a colon or comma, or is taken
         */
        public Builder<M> source(String word, KeyExtractor<M> extractor, String... aliases) {
            Objects.requireNonNull(extractor, "extractor");
            add(word, extractor);
            for (String alias : aliases) {
                add(alias, extractor);
            }
            wordList.add(word.toLowerCase(Locale.ROOT));
            return this;
        }

        private void add(String word, KeyExtractor<M> extractor) {
            Objects.requireNonNull(word, "word");
            String lower = word.trim().toLowerCase(Locale.ROOT);
            if (lower.isEmpty() || lower.contains(":") || lower.contains(",")) {
                throw new IllegalArgumentException("a key source word must be non-empty without ':' or ',': " + word);
            }
            if (List.of("header", "json", "json-pointer", "content-hash").contains(lower)
                    || words.putIfAbsent(lower, extractor) != null) {
                throw new IllegalArgumentException("key source word '" + word + "' is taken");
            }
        }

        /**
         * The grammar.
         *
         * @throws IllegalStateException if the header, JSON pointer or content hash extractor is missing
         */
        public KeySpecGrammar<M> build() {
            if (header == null || jsonPointer == null || contentHash == null) {
                throw new IllegalStateException(
                        "a key specification grammar needs header, jsonPointer and contentHash");
            }
            return new KeySpecGrammar<>(this);
        }
    }
}
