package dev.sigil.itest;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.hpack.HpackDecoder;

/**
 * Requests that no well-behaved client library sends, written byte by byte over TLS: HTTP/1.1 with
 * conflicting framing headers, and HTTP/2 frames with abused pseudo-headers (HPACK literals without
 * Huffman coding; the answer's headers decoded with Jetty's HPACK decoder).
 */
final class RawTls {
    /**
     * What came back on the connection.
     *
     * @param status  the HTTP status, or -1 if there was none
     * @param headers the answer's headers, names in lower case
     * @param body    the answer's body as UTF-8
     * @param outcome for HTTP/2: {@code response}, {@code RST_STREAM <code>} or {@code GOAWAY <code>};
     *                for HTTP/1.1: {@code response} or {@code closed}
     */
    record Answer(int status, Map<String, String> headers, String body, String outcome) {
    }

    private final SSLContext tls;
    private final String host;
    private final int port;

    RawTls(SSLContext tls, URI base) {
        this.tls = tls;
        this.host = base.getHost();
        this.port = base.getPort();
    }

    private SSLSocket connect(String alpn) throws IOException {
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(host, port);
        SSLParameters p = s.getSSLParameters();
        p.setApplicationProtocols(new String[] {alpn});
        s.setSSLParameters(p);
        s.setSoTimeout(10_000);
        s.startHandshake();
        if (!alpn.equals(s.getApplicationProtocol())) {
            s.close();
            throw new IOException("the server did not negotiate " + alpn + " but " + s.getApplicationProtocol());
        }
        return s;
    }

    /**
     * Sends the bytes as they are on an HTTP/1.1 connection and reads the first answer; the outcome
     * says whether anything followed it within a second ({@code then more}: a second request was
     * read from the bytes, which a smuggling case must never achieve).
     */
    Answer http1(byte[] request) throws IOException {
        try (SSLSocket s = connect("http/1.1")) {
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            Answer first = readHttp1(s.getInputStream());
            if (first.status() < 0) {
                return first;
            }
            s.setSoTimeout(1000);
            String next;
            try {
                next = line(s.getInputStream());
            } catch (SocketTimeoutException quiet) {
                return new Answer(first.status(), first.headers(), first.body(), "response then silence");
            }
            return new Answer(first.status(), first.headers(), first.body(),
                    next == null ? "response then closed" : "response then more: " + next);
        }
    }

    private static Answer readHttp1(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            return new Answer(-1, Map.of(), "", "closed");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).trim(), 16); size > 0;
                 size = Integer.parseInt(line(in).trim(), 16)) {
                out.write(in.readNBytes(size));
                line(in);
            }
            body = out.toByteArray();
        } else {
            body = readToEnd(in);
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8), "response");
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (SocketTimeoutException e) {
            return new byte[0];
        }
    }

    /** A CRLF-terminated line, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        try {
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    b.write(c);
                }
            }
        } catch (javax.net.ssl.SSLException | java.net.SocketException closed) {
            c = -1;
        }
        if (c < 0 && b.size() == 0) {
            return null;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    // HTTP/2 (RFC 9113): frame types and flags used here.
    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int RST_STREAM = 3;
    private static final int SETTINGS = 4;
    private static final int GOAWAY = 7;
    private static final int CONTINUATION = 9;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * Sends one request on stream 1 of a new HTTP/2 connection: the header fields in the given order
     * (pseudo-headers included, exactly as given), then the body as one DATA frame if not null.
     */
    Answer http2(List<String[]> fields, byte[] body) throws IOException {
        try (SSLSocket s = connect("h2")) {
            OutputStream out = s.getOutputStream();
            out.write(PREFACE);
            frame(out, SETTINGS, 0, 0, new byte[0]);
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            for (String[] f : fields) {
                block.write(0x00); // literal header field without indexing, new name
                hpackString(block, f[0]);
                hpackString(block, f[1]);
            }
            frame(out, HEADERS, END_HEADERS | (body == null ? END_STREAM : 0), 1, block.toByteArray());
            if (body != null) {
                frame(out, DATA, END_STREAM, 1, body);
            }
            out.flush();
            return readHttp2(new DataInputStream(s.getInputStream()), out);
        }
    }

    private static void hpackString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        // 7-bit prefix integer (RFC 7541 5.1), Huffman bit clear
        int n = b.length;
        if (n < 127) {
            out.write(n);
        } else {
            out.write(127);
            n -= 127;
            while (n >= 128) {
                out.write((n & 0x7f) | 0x80);
                n >>>= 7;
            }
            out.write(n);
        }
        out.write(b, 0, b.length);
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        int n = payload.length;
        out.write(new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n, (byte) type, (byte) flags,
                (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream});
        out.write(payload);
    }

    private static Answer readHttp2(DataInputStream in, OutputStream out) throws IOException {
        HpackDecoder hpack = new HpackDecoder(64 * 1024, System::nanoTime);
        ByteArrayOutputStream headerBlock = new ByteArrayOutputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        MetaData.Response response = null;
        List<String> seen = new ArrayList<>();
        try {
            while (true) {
                int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = in.readNBytes(length);
                seen.add(type + "/" + stream);
                if (type == SETTINGS && (flags & ACK) == 0) {
                    frame(out, SETTINGS, ACK, 0, new byte[0]);
                    out.flush();
                } else if (type == GOAWAY) {
                    int code = ByteBuffer.wrap(payload, 4, 4).getInt();
                    return answer(response, body, "GOAWAY " + code);
                } else if (type == RST_STREAM && stream == 1) {
                    return answer(response, body, "RST_STREAM " + ByteBuffer.wrap(payload).getInt());
                } else if ((type == HEADERS || type == CONTINUATION) && stream == 1) {
                    headerBlock.write(payload);
                    if ((flags & END_HEADERS) != 0) {
                        try {
                            response = (MetaData.Response) hpack.decode(ByteBuffer.wrap(headerBlock.toByteArray()));
                        } catch (Exception e) {
                            throw new IOException("undecodable answer headers", e);
                        }
                        headerBlock.reset();
                    }
                    if ((flags & END_STREAM) != 0) {
                        return answer(response, body, "response");
                    }
                } else if (type == DATA && stream == 1) {
                    body.write(payload);
                    if ((flags & END_STREAM) != 0) {
                        return answer(response, body, "response");
                    }
                }
            }
        } catch (EOFException | SocketTimeoutException | javax.net.ssl.SSLException | java.net.SocketException e) {
            return answer(response, body, "closed after frames " + seen);
        }
    }

    private static Answer answer(MetaData.Response response, ByteArrayOutputStream body, String outcome) {
        if (response == null) {
            return new Answer(-1, Map.of(), body.toString(StandardCharsets.UTF_8), outcome);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpField f : response.getHttpFields()) {
            headers.put(f.getLowerCaseName(), f.getValue());
        }
        return new Answer(response.getStatus(), headers, body.toString(StandardCharsets.UTF_8),
                outcome.equals("response") ? outcome : "response then " + outcome);
    }
}
