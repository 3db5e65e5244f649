/**
 * The store and the settings every integration reads. {@link io.dedup.spring.autoconfigure.DedupAutoConfiguration}
 * provides the {@code DedupStore} unless the application has its own; {@link
 * io.dedup.spring.autoconfigure.DedupProperties} and its groups bind {@code dedup.*}.
 *
 * <p>The property types are public because Spring binds them and an application may inject {@code
 * DedupProperties} to read the effective settings. They are immutable records, bound through their constructors.
 */
package io.dedup.spring.autoconfigure;
