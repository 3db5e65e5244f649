/** How dedup works inside. Not API: may change in any release; other modules must not import it. */
package io.dedup.internal;
