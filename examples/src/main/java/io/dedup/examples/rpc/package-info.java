/** Worked example: a RabbitMQ RPC service whose duplicate requests get the stored reply. */
package io.dedup.examples.rpc;
