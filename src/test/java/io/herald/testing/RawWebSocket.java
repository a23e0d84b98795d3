package io.herald.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket written by hand, frame by frame, for the fuzzer's protocol games no client library
 * lets one play: text frames of invalid UTF-8, reserved bits, unknown opcodes, unmasked frames,
 * continuations without a start, oversized or fragmented control frames, close frames with bad codes,
 * length fields that lie. A reader thread collects what the node sends back (text messages, the close).
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9, PONG = 0xA;

    private final Socket socket;
    private final OutputStream out;
    private final Random random;
    private final List<String> texts = new ArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Integer closeCode;
    private volatile String endedBy;
    private volatile String closeReason;
    private String head = "";

    private RawWebSocket(Socket socket, Random random) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.random = random;
    }

    /** Opens and upgrades; null if the node did not answer 101 (the status line goes to {@code refused}). */
    public static RawWebSocket open(int port, String pathAndQuery, Random random, List<String> refused) throws IOException {
        return open(port, pathAndQuery, random, refused, "");
    }

    /**
     * A bridge connection with this token (null: none) that the node refuses at open, read to its end by a client that
     * drops no frame: Vert.x's WebSocket client loses the err frame when the node's close comes before it has seen its
     * handshake complete (setting its handlers then throws "WebSocket is closed"), so ITs that check the err of a
     * refusal at open read it here. Answers the ended socket: {@link #texts()} holds the err, then the close's code and reason.
     */
    public static RawWebSocket refusedAtOpen(int port, String token) {
        String path = "/eventbus/websocket" + (token == null ? "" : "?token=" + java.net.URLEncoder.encode(token, StandardCharsets.UTF_8));
        List<String> refused = new java.util.ArrayList<>();
        RawWebSocket ws;
        try {
            ws = open(port, path, new Random(), refused);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (ws == null) {
            throw new AssertionError("the upgrade was refused: " + refused);
        }
        if (!ws.awaitEnd(30)) {
            ws.close();
            throw new AssertionError("the node did not close the connection within 30 s; it sent " + ws.texts());
        }
        ws.close();
        return ws;
    }

    /** As {@link #open(int, String, Random, List)}, with more request header lines ({@code "Name: value\r\n"} each). */
    public static RawWebSocket open(int port, String pathAndQuery, Random random, List<String> refused, String headers) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\n" + headers + "\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            refused.add(head.toString().lines().findFirst().orElse("(nothing)"));
            socket.close();
            return null;
        }
        RawWebSocket ws = new RawWebSocket(socket, random);
        ws.head = head.toString();
        Thread reader = new Thread(ws::read, "fuzz-raw-ws-reader");
        reader.setDaemon(true);
        reader.start();
        return ws;
    }

    /** Writes one frame as told: FIN, RSV bits, opcode, masked or not, with the payload length it says (or the real one). */
    public boolean frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload, Long claimedLength) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0xF));
        long length = claimedLength != null ? claimedLength : payload.length;
        int maskBit = masked ? 0x80 : 0;
        if (length < 126) {
            frame.write(maskBit | (int) length);
        } else if (length <= 0xFFFF) {
            frame.write(maskBit | 126);
            frame.write((int) (length >>> 8) & 0xFF);
            frame.write((int) length & 0xFF);
        } else {
            frame.write(maskBit | 127);
            frame.writeBytes(ByteBuffer.allocate(8).putLong(length).array());
        }
        byte[] body = payload.clone();
        if (masked) {
            byte[] mask = new byte[4];
            random.nextBytes(mask);
            frame.writeBytes(mask);
            for (int i = 0; i < body.length; i++) {
                body[i] ^= mask[i % 4];
            }
        }
        frame.writeBytes(body);
        try {
            out.write(frame.toByteArray());
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public boolean text(String text) {
        return frame(true, 0, TEXT, true, text.getBytes(StandardCharsets.UTF_8), null);
    }

    private void read() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                int opcode = b0 & 0xF;
                long length = b1 & 0x7F;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                if ((b1 & 0x80) != 0) {
                    in.readInt(); // a server must not mask; tolerated here, the payload is then garbled
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                if (opcode == CLOSE) {
                    closeCode = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                    closeReason = payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                    endedBy = "close frame";
                    return;
                }
                if (opcode == TEXT || opcode == CONTINUATION) {
                    message.writeBytes(payload);
                    if ((b0 & 0x80) != 0) {
                        synchronized (texts) {
                            texts.add(message.toString(StandardCharsets.UTF_8));
                        }
                        message.reset();
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            endedBy = "read timeout";
        } catch (EOFException e) {
            endedBy = "end of stream";
        } catch (IOException e) {
            endedBy = "reset";
        } finally {
            ended.countDown();
        }
    }

    /** Waits until the node closes the connection (close frame or end of stream); false if it did not within {@code seconds}. */
    public boolean awaitEnd(int seconds) {
        try {
            return ended.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The one text message a refusal at open sends before its close: its err frame. */
    public io.vertx.core.json.JsonObject refusal() {
        List<String> received = texts();
        if (received.size() != 1) {
            throw new AssertionError("one err, then the close: " + received);
        }
        io.vertx.core.json.JsonObject err = new io.vertx.core.json.JsonObject(received.get(0));
        if (!"err".equals(err.getString("type"))) {
            throw new AssertionError("an err frame: " + err.encode());
        }
        return err;
    }

    /** The text messages received so far. */
    public List<String> texts() {
        synchronized (texts) {
            return List.copyOf(texts);
        }
    }

    public Integer closeCode() {
        return closeCode;
    }

    /** The reason text of the node's close frame, if one came. */
    public String closeReason() {
        return closeReason;
    }

    /** The node's handshake response: status line and headers. */
    public String head() {
        return head;
    }

    public String endedBy() {
        return endedBy;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
