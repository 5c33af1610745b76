package dev.sigil.transport.https.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.SelectableChannelEndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Per client address: at most {@code max.connections.per.client} TCP connections and
 * {@code max.requests.per.client} requests in progress (HTTP/1.1 requests and HTTP/2 streams
 * alike, from the first header to the last byte of the answer). Beyond either, requests are answered
 * {@code 429} with {@code Retry-After} — a clear answer instead of a dropped connection — and a
 * connection over the limit is closed after its answer (HTTP/1.1).
 *
 * <p>Registered on the connector as a {@link Connection.Listener} (it counts network connections as
 * they open and close) and in front of every handler. The client address is the TCP peer's: behind
 * a reverse proxy every client has the proxy's address, so raise the limits there. Thread-safe.
 */
final class ClientLimits extends Handler.Wrapper implements Connection.Listener {
    private final int maxConnections;
    private final int maxRequests;
    private final ConcurrentHashMap<String, Integer> connections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> requests = new ConcurrentHashMap<>();
    /** The peer of each open network connection, noted when it opens (a closed socket has none). */
    private final ConcurrentHashMap<Connection, SocketAddress> peers = new ConcurrentHashMap<>();
    /** The remote ends (address and port) of connections opened beyond their client's limit. */
    private final Set<SocketAddress> excess = ConcurrentHashMap.newKeySet();

    ClientLimits(Handler next, int maxConnections, int maxRequests) {
        super(next);
        this.maxConnections = maxConnections;
        this.maxRequests = maxRequests;
    }

    @Override
    public void onOpened(Connection connection) {
        SocketAddress remote = networkPeer(connection);
        if (remote == null) {
            return;
        }
        peers.put(connection, remote);
        if (connections.merge(host(remote), 1, Integer::sum) > maxConnections) {
            excess.add(remote);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        SocketAddress remote = peers.remove(connection);
        if (remote != null) {
            excess.remove(remote);
            connections.computeIfPresent(host(remote), (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /**
     * The peer of a connection on the network itself: over TLS, Jetty opens a TLS connection on the
     * socket and an HTTP connection on the decrypted stream; only the first is counted.
     */
    private static SocketAddress networkPeer(Connection connection) {
        return connection.getEndPoint() instanceof SelectableChannelEndPoint e ? e.getRemoteSocketAddress() : null;
    }

    private static String host(SocketAddress address) {
        return address instanceof InetSocketAddress i && i.getAddress() != null
                ? i.getAddress().getHostAddress() : String.valueOf(address);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (excess.contains(request.getConnectionMetaData().getRemoteSocketAddress())) {
            if (request.getConnectionMetaData().getHttpVersion().getVersion() <= HttpVersion.HTTP_1_1.getVersion()) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            Router.sendError(request, response, callback, new ApiError(429, "temporarily_unavailable",
                    "Too many connections from this address (at most " + maxConnections + ")", 1));
            return true;
        }
        String client = Request.getRemoteAddr(request);
        if (requests.merge(client, 1, Integer::sum) > maxRequests) {
            release(client);
            Router.sendError(request, response, callback, new ApiError(429, "temporarily_unavailable",
                    "Too many requests in progress from this address (at most " + maxRequests + ")", 1));
            return true;
        }
        Callback releasing = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                release(client);
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                release(client);
                super.failed(x);
            }
        };
        boolean handled;
        try {
            handled = super.handle(request, response, releasing);
        } catch (Throwable x) {
            release(client);
            throw x;
        }
        if (!handled) {
            release(client);
        }
        return handled;
    }

    private void release(String client) {
        requests.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Connections open now from an address (for tests and diagnostics). */
    int connections(String address) {
        return connections.getOrDefault(address, 0);
    }
}
