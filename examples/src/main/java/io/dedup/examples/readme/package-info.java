/**
 * The README's code blocks, compiled so that the README cannot show code that does not compile.
 *
 * <p>Each method holds one block as the README prints it ({@code ReadmeSnippetsTest} checks that every block appears
 * here, whitespace aside). The empty methods at the end of each class stand for the application's own work the
 * blocks call. Change a block here and in the README together; comments inside a block would have to be in the
 * README too.
 */
package io.dedup.examples.readme;
