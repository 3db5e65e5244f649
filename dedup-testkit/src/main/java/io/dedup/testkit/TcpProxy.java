package io.dedup.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a free loopback port that forwards to a target, for outage tests: put a client behind it, then
 * {@link #cut()} its connections, {@link #refuse()} new ones, or {@link #stall()} traffic so that requests go
 * unanswered, and {@link #restore()} normal forwarding. Thread-safe; {@link #close()} stops it.
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.start("127.0.0.1", 6379)) {
 *     DedupStore store = RedisDedupStore.create("redis://127.0.0.1:" + proxy.port());
 *     proxy.refuse();
 *     proxy.cut();   // the store now throws DedupStoreUnavailableException
 *     proxy.restore(); // and answers again once its client has reconnected
 * }
 * }</pre>
 *
 * <p>A proxy rather than stopping the service: the service is shared by every test on the machine, and a proxy can
 * also produce the faults a stopped service cannot, a half-open connection and a network that stops answering
 * without closing anything.
 */
public final class TcpProxy implements AutoCloseable {
    /** What the proxy does with traffic: pass it, reset new connections, or hold bytes in flight (a frozen network). */
    private enum Mode {
        /** Pass bytes both ways. */
        FORWARD,
        /** Reset new connections at once: the service looks down. */
        REFUSE,
        /** Accept, but hold bytes in flight: a network that froze, the hardest fault for a client's timeouts. */
        STALL
    }

    /** Where connections are forwarded to. */
    private final String targetHost;

    private final int targetPort;
    /** The loopback listener clients connect to instead of the target. */
    private final ServerSocket server;
    /** Both ends of every open connection, so {@link #cut()} can reset them all at once. */
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    /** Pump threads wait on this while stalled; {@link #restore()} wakes them. */
    private final Object stallLock = new Object();

    /** What new traffic meets; switched by the test while connections run. */
    private volatile Mode mode = Mode.FORWARD;
    /** Set once by {@link #close()}; ends the accept loop and frees stalled pumps. */
    private volatile boolean closed;

    /**
     * Binds a free loopback port and starts accepting on a daemon thread, so a forgotten proxy never keeps a JVM alive.
     */
    private TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Starts forwarding from a free loopback port to {@code targetHost:targetPort}.
     *
     * @throws UncheckedIOException if no port can be bound
     */
    public static TcpProxy start(String targetHost, int targetPort) {
        try {
            return new TcpProxy(targetHost, targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a TCP proxy to " + targetHost + ":" + targetPort, e);
        }
    }

    /** The loopback address the proxy listens on. */
    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    /** The port the proxy listens on. */
    public int port() {
        return server.getLocalPort();
    }

    /** Resets every open connection through the proxy (the clients see the peer go away). */
    public void cut() {
        for (Socket socket : sockets) {
            reset(socket);
        }
        sockets.clear();
    }

    /** New connections are accepted and reset at once, as a server that is down behind a load balancer. */
    public void refuse() {
        mode = Mode.REFUSE;
    }

    /** Open connections stay up but nothing is forwarded in either direction: requests go unanswered. */
    public void stall() {
        mode = Mode.STALL;
    }

    /** Forward again; stalled bytes flow on. */
    public void restore() {
        mode = Mode.FORWARD;
        synchronized (stallLock) {
            stallLock.notifyAll();
        }
    }

    /** How many connections are currently open through the proxy. */
    public int openConnections() {
        return sockets.size();
    }

    /** Stops accepting and resets every connection; stalled bytes are dropped. */
    @Override
    public void close() {
        closed = true;
        restore();
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        cut();
    }

    /**
     * Accepts clients until closed: refused ones are reset at once (a service that is down), the others get a connection
     * to the target and a pump each way.
     */
    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            // refusing still accepts first: a reset after accept is what a client of a crashed service sees
            if (mode == Mode.REFUSE) {
                reset(client);
                continue;
            }
            try {
                Socket target = new Socket();
                // one target connection per client connection, so cutting one never disturbs another
                target.connect(new InetSocketAddress(targetHost, targetPort), 2000);
                client.setTcpNoDelay(true);
                target.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(target);
                pump(client, target);
                pump(target, client);
            } catch (IOException e) {
                reset(client);
            }
        }
    }

    /**
     * Copies bytes from {@code from} to {@code to} on a daemon thread, holding them while the proxy stalls; when either
     * side ends, both are reset, so a half-closed connection never lingers.
     */
    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            // bytes already read wait here while stalled: they are in flight, as on a frozen network
                            awaitForwarding();
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // the other side went away or was cut
                    } finally {
                        reset(from);
                        reset(to);
                    }
                },
                "tcp-proxy-pump-" + port());
        thread.setDaemon(true);
        thread.start();
    }

    /** Blocks while stalled; wakes every 100 ms as well, so a close is noticed even without a notify. */
    private void awaitForwarding() throws InterruptedException {
        synchronized (stallLock) {
            while (mode == Mode.STALL && !closed) {
                stallLock.wait(100);
            }
        }
    }

    /** Closes {@code socket} with a reset and forgets it. */
    private void reset(Socket socket) {
        sockets.remove(socket);
        try {
            socket.setSoLinger(true, 0); // RST rather than FIN: the peer sees the connection break
        } catch (SocketException e) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
