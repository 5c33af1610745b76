package dev.sigil.transport.https.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Clients that send request bodies slowly, as an attacker does: real TLS connections from a
 * loopback address of their own (127.0.0.2, so that the server sees another client than the test's
 * normal requests from 127.0.0.1), speaking HTTP/2 frame by frame or HTTP/1.1 on a raw socket.
 */
final class SlowClients {
    /** The attacker's own address; Linux routes all of 127.0.0.0/8 to the loopback interface. */
    static final String ATTACKER = "127.0.0.2";

    /** How one slow request ended, as the client saw it. */
    record Outcome(int status, String body, String reset, long millis) {
        @Override
        public String toString() {
            return reset != null ? "reset " + reset + " after " + millis + " ms"
                    : status + " after " + millis + " ms " + body;
        }
    }

    private SlowClients() {
    }

    /** One HTTP/2 connection carrying many slow POST streams. */
    static final class Http2 implements AutoCloseable {
        private final HTTP2Client client;
        private final Session session;
        private final List<Stream> streams = new ArrayList<>();
        final List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
        private final int port;

        Http2(SSLContext trust, int port) throws Exception {
            this.port = port;
            ClientConnector connector = new ClientConnector();
            connector.setBindAddress(new InetSocketAddress(InetAddress.getByName(ATTACKER), 0));
            SslContextFactory.Client tls = new SslContextFactory.Client();
            tls.setSslContext(trust);
            connector.setSslContextFactory(tls);
            client = new HTTP2Client(connector);
            client.start();
            session = client.connect(tls, new InetSocketAddress("localhost", port), new Session.Listener() {
            }).get(10, TimeUnit.SECONDS);
        }

        /**
         * Opens {@code count} POST streams that announce {@code contentLength} bytes and send the
         * first one. Streams the client may not open (beyond the server's SETTINGS) count as reset.
         */
        void open(int count, String path, int contentLength) throws Exception {
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                CompletableFuture<Outcome> outcome = new CompletableFuture<>();
                outcomes.add(outcome);
                HttpFields fields = HttpFields.build().put(HttpHeader.CONTENT_TYPE, "application/json")
                        .put(HttpHeader.CONTENT_LENGTH, Integer.toString(contentLength));
                MetaData.Request request = new MetaData.Request("POST",
                        HttpURI.from("https://localhost:" + port + path), HttpVersion.HTTP_2, fields, contentLength);
                Stream stream;
                try {
                    stream = session.newStream(new HeadersFrame(request, null, false), listener(outcome, start))
                            .get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    outcome.complete(new Outcome(0, null, "not opened: " + e.getCause().getMessage(), 0));
                    continue;
                }
                streams.add(stream);
                stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(new byte[] {'{'}), false), Callback.NOOP);
            }
        }

        /** Sends one more byte on every stream still open. */
        void trickle() {
            for (Stream s : streams) {
                if (!s.isReset() && !s.isClosed()) {
                    s.data(new DataFrame(s.getId(), ByteBuffer.wrap(new byte[] {' '}), false), Callback.NOOP);
                }
            }
        }

        private static Stream.Listener listener(CompletableFuture<Outcome> outcome, long start) {
            return new Stream.Listener() {
                private int status;
                private final StringBuilder body = new StringBuilder();

                private long millis() {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                }

                @Override
                public void onHeaders(Stream stream, HeadersFrame frame) {
                    if (frame.getMetaData() instanceof MetaData.Response r) {
                        status = r.getStatus();
                    }
                    if (frame.isEndStream()) {
                        outcome.complete(new Outcome(status, body.toString(), null, millis()));
                    } else {
                        stream.demand();
                    }
                }

                @Override
                public void onDataAvailable(Stream stream) {
                    Stream.Data data = stream.readData();
                    if (data == null) {
                        stream.demand();
                        return;
                    }
                    body.append(StandardCharsets.UTF_8.decode(data.frame().getByteBuffer()));
                    data.release();
                    if (data.frame().isEndStream()) {
                        outcome.complete(new Outcome(status, body.toString(), null, millis()));
                    } else {
                        stream.demand();
                    }
                }

                @Override
                public void onReset(Stream stream, ResetFrame frame, Callback callback) {
                    // A reset after a complete answer (the server discards the unread body) changes nothing.
                    outcome.complete(new Outcome(status, body.toString(), "error " + frame.getError(), millis()));
                    callback.succeeded();
                }
            };
        }

        @Override
        public void close() throws IOException {
            try {
                client.stop();
            } catch (Exception e) {
                throw new IOException("stopping the HTTP/2 client failed", e);
            }
        }
    }

    /** An HTTP/1.1 POST on a raw TLS socket whose body is sent one byte at a time. */
    static final class Http11 implements AutoCloseable {
        final SSLSocket socket;
        private final long start = System.nanoTime();

        Http11(SSLContext trust, int port, String path, int contentLength) throws IOException {
            socket = (SSLSocket) trust.getSocketFactory().createSocket("localhost", port,
                    InetAddress.getByName(ATTACKER), 0);
            socket.setSoTimeout(30_000);
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + contentLength + "\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Sends one more byte; false when the server has closed the connection. */
        boolean trickle() {
            return send(1);
        }

        /** Sends {@code n} more bytes of the body; false when the server has closed the connection. */
        boolean send(int n) {
            try {
                socket.getOutputStream().write(" ".repeat(n).getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        /** Reads whatever the server answers until it closes the connection (or the timeout). */
        Outcome answer() {
            try {
                InputStream in = socket.getInputStream();
                String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                if (!all.startsWith("HTTP/1.1 ")) {
                    return new Outcome(0, all, "closed without an answer", ms);
                }
                int status = Integer.parseInt(all.substring(9, 12));
                int split = all.indexOf("\r\n\r\n");
                String body = split < 0 ? "" : all.substring(split + 4);
                return new Outcome(status, body.startsWith("{") ? body : all, null, ms);
            } catch (SocketException e) {
                return new Outcome(0, null, "socket: " + e.getMessage(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            } catch (IOException e) {
                return new Outcome(0, null, e.getClass().getSimpleName() + ": " + e.getMessage(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
