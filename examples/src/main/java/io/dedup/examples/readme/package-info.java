/** The README's code blocks, compiled so that the README cannot show code that does not compile. */
package io.dedup.examples.readme;
