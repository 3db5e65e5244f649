/** The runnable demo and worked examples. */
package io.dedup.examples;
