package dev.sigil.transport.https.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a POST request's whole body before the wrapped handler runs, without holding a thread or a
 * slot of the concurrency limit while the bytes arrive (Jetty calls back when content is there).
 * The body is bounded three ways: in size ({@code max.body.bytes}: 413), in total time
 * ({@code body.timeout.ms}: 408) and in rate ({@code min.request.data.rate}: after the first second
 * the body must have arrived at that many bytes per second on average since the request began, or
 * 408). So a client that sends one byte now and then ties up nothing but its own request for a
 * second or two.
 *
 * <p>The wrapped handler then finds the bytes with {@link #body(Request)}. Other methods pass
 * through unread (the router refuses bodies on them). Thread-safe; each request has its own state.
 */
final class BodyReader extends Handler.Wrapper {
    /** How much of an oversized body is read and discarded before answering 413 (as Tomcat swallows). */
    static final long MAX_DRAIN_BYTES = 16L * 1024 * 1024;
    /** How often a body in progress is checked against the time limits. */
    private static final long CHECK_MS = 250;
    /** The first second of a body is not held against its rate (TLS records, a client's first write). */
    private static final long RATE_GRACE_MS = 1000;
    private static final String ATTRIBUTE = "dev.sigil.body";
    private static final int INITIAL_BUFFER = 16 * 1024;

    private final int maxBytes;
    private final long timeoutMs;
    private final long minBytesPerSecond;

    /**
     * @param maxBytes          largest body accepted
     * @param timeoutMs         longest time for the whole body, from the request's start
     * @param minBytesPerSecond slowest average rate accepted after the first second; 0: none
     */
    BodyReader(Handler next, int maxBytes, long timeoutMs, long minBytesPerSecond) {
        super(next);
        this.maxBytes = maxBytes;
        this.timeoutMs = timeoutMs;
        this.minBytesPerSecond = minBytesPerSecond;
    }

    /** The body read for this request; empty if there was none (or the method carries none). */
    static byte[] body(Request request) {
        Object body = request.getAttribute(ATTRIBUTE);
        return body instanceof byte[] ? (byte[]) body : new byte[0];
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!HttpMethod.POST.is(request.getMethod())) {
            return super.handle(request, response, callback);
        }
        new Read(request, response, callback).start();
        return true;
    }

    /** One body being read: the demand callback reads, a timer checks the limits; the first to finish wins. */
    private final class Read implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final long startNanos = System.nanoTime();
        private final AtomicBoolean finished = new AtomicBoolean();
        private final ByteArrayOutputStream bytes;
        /** Written by the reading thread only; read by the timer. */
        private volatile long received;
        private boolean oversized;
        private volatile Scheduler.Task timer;

        Read(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            long declared = request.getLength();
            oversized = declared > maxBytes;
            // Grown as bytes arrive: a Content-Length alone must not make the server allocate a megabyte.
            bytes = new ByteArrayOutputStream(oversized ? 0 : (int) Math.min(Math.max(declared, 256), INITIAL_BUFFER));
        }

        void start() {
            schedule(CHECK_MS);
            run();
        }

        /** Reads what has arrived; asks to be called again when more comes. */
        @Override
        public void run() {
            while (!finished.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    chunk.release();
                    refuse(ApiError.invalidRequest("The request body could not be read"));
                    return;
                }
                ByteBuffer buffer = chunk.getByteBuffer();
                int n = buffer.remaining();
                received += n;
                if (!oversized && received > maxBytes) {
                    oversized = true;
                    bytes.reset();
                }
                if (!oversized) {
                    byte[] copy = new byte[n];
                    buffer.get(copy);
                    bytes.write(copy, 0, n);
                }
                boolean last = chunk.isLast();
                chunk.release();
                if (oversized && (last || received > MAX_DRAIN_BYTES)) {
                    refuse(new ApiError(413, "invalid_request", "Request body exceeds " + maxBytes + " bytes"));
                    return;
                }
                if (last) {
                    deliver();
                    return;
                }
            }
        }

        private void deliver() {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            cancelTimer();
            request.setAttribute(ATTRIBUTE, bytes.toByteArray());
            try {
                if (!getHandler().handle(request, response, callback)) {
                    Response.writeError(request, response, callback, 404);
                }
            } catch (Throwable x) {
                Response.writeError(request, response, callback, x);
            }
        }

        /**
         * Answers before the body is complete. On HTTP/1.1 the connection is closed after the answer:
         * the rest of the body would otherwise be taken for the next request.
         */
        private void refuse(ApiError error) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            cancelTimer();
            if (request.getConnectionMetaData().getHttpVersion().getVersion() <= HttpVersion.HTTP_1_1.getVersion()) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            Router.sendError(request, response, callback, error);
        }

        /** The timer: ends a body that is too slow in total or on average. */
        private void check() {
            if (finished.get()) {
                return;
            }
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            if (elapsed >= timeoutMs) {
                refuse(new ApiError(408, "invalid_request", "The request body did not arrive within "
                        + timeoutMs + " ms"));
                return;
            }
            if (minBytesPerSecond > 0 && elapsed > RATE_GRACE_MS
                    && received < minBytesPerSecond * (elapsed - RATE_GRACE_MS) / 1000) {
                refuse(new ApiError(408, "invalid_request", "The request body arrived slower than "
                        + minBytesPerSecond + " bytes per second"));
                return;
            }
            schedule(Math.min(CHECK_MS, timeoutMs - elapsed));
        }

        private void schedule(long delayMs) {
            timer = request.getComponents().getScheduler().schedule(this::check, delayMs, TimeUnit.MILLISECONDS);
        }

        private void cancelTimer() {
            Scheduler.Task t = timer;
            if (t != null) {
                t.cancel();
            }
        }
    }
}
