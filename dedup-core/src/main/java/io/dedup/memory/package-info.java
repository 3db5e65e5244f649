/** The in-memory store: the embedded default when no store module is on the classpath. */
package io.dedup.memory;
