package io.dedup.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One of the store's Lua scripts: its source (a resource next to this class, after the shared {@code record.lua}) and the SHA-1 digest EVALSHA names it
 * by. Each script touches exactly one record, so it runs on the one node that owns the record's slot.
 *
 * @param name the resource's base name, e.g. {@code claim}
 * @param source the Lua source
 * @param sha1 the lower-case hex SHA-1 of the source, as Redis computes it
 */
record Script(String name, String source, String sha1) {
    /** The record's formats and how to read and write them, put before every script's own text. */
    private static final String RECORD = text("record.lua");

    // Read from the jar once, with the class; every call then sends the same text and digest.
    static final Script CLAIM = load("claim");
    static final Script COMPLETE = load("complete");
    static final Script RENEW = load("renew");
    static final Script RELEASE = load("release");
    static final Script FIND = load("find");

    /**
     * The script {@code name}.lua after {@code record.lua}: one source, so that Redis caches and runs it as one
     * script and every helper is local to it.
     *
     * @throws IllegalStateException if the resource is missing from the jar
     */
    static Script load(String name) {
        String source = RECORD + text(name + ".lua");
        return new Script(name, source, sha1(source));
    }

    private static String text(String resource) {
        try (InputStream in = Script.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("script resource missing from the jar: " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read script resource " + resource, e);
        }
    }

    /** The digest EVALSHA names a script by: SHA-1 of its UTF-8 source, lower-case hex. */
    private static String sha1(String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-1", e);
        }
    }
}
