/** Implementation of {@code io.dedup.http}; not API. */
package io.dedup.http.internal;
