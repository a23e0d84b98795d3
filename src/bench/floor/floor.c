/*
 * The floor of Herald's benchmark: the least a server can do to fan an event out over WebSocket.
 * One thread, epoll, level-triggered. GET /health answers 200; a GET with Sec-WebSocket-Key is upgraded
 * (RFC 6455 handshake, SHA-1 and base64 from OpenSSL's libcrypto) and subscribed to every event; what a
 * WebSocket client sends is read and dropped (no parsing, no pong); POST /api/events ({"type":..,"data":{..}})
 * wraps data in {"id","type","ts","seq","data"} as Herald, the stock bridge and the Socket.IO peer do, encodes ONE
 * text frame and write()s it once to each subscribed socket (what a write leaves over is kept for EPOLLOUT, so
 * nothing is lost), then answers 202. HTTP/1.1 keep-alive, one request after the other on a connection.
 * Built by the bench: gcc -O2 -o target/bench/floor src/bench/floor/floor.c -lcrypto; run: floor <port>
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define IN_CAP 65536

typedef struct {
    int open, ws, sub_index;
    char *in; size_t in_len;          /* HTTP connections only */
    char *out; size_t out_len, out_cap; /* what a write() left over */
} conn_t;

static conn_t *conns;
static int *subs, nsubs, epfd;
static size_t max_fds;
static unsigned long seq;

static void watch(int fd, unsigned events, int op) {
    struct epoll_event ev = {.events = events, .data.fd = fd};
    epoll_ctl(epfd, op, fd, &ev);
}

static void drop(int fd) {
    conn_t *c = &conns[fd];
    if (c->ws && c->sub_index >= 0) {
        int last = subs[--nsubs];
        subs[c->sub_index] = last;
        conns[last].sub_index = c->sub_index;
    }
    free(c->in); free(c->out);
    memset(c, 0, sizeof *c);
    c->sub_index = -1;
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
}

/* One write; what it does not take waits in the connection's buffer for EPOLLOUT. */
static void send_bytes(int fd, const char *data, size_t len) {
    conn_t *c = &conns[fd];
    ssize_t n = 0;
    if (c->out_len == 0) {
        n = write(fd, data, len);
        if (n < 0) {
            if (errno != EAGAIN) { drop(fd); return; }
            n = 0;
        }
        if ((size_t) n == len) return;
        watch(fd, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
    }
    size_t rest = len - (size_t) n;
    if (c->out_len + rest > c->out_cap) {
        c->out_cap = (c->out_len + rest) * 2;
        c->out = realloc(c->out, c->out_cap);
    }
    memcpy(c->out + c->out_len, data + n, rest);
    c->out_len += rest;
}

static void flush_out(int fd) {
    conn_t *c = &conns[fd];
    ssize_t n = write(fd, c->out, c->out_len);
    if (n < 0) { if (errno != EAGAIN) drop(fd); return; }
    memmove(c->out, c->out + n, c->out_len - (size_t) n);
    c->out_len -= (size_t) n;
    if (c->out_len == 0) watch(fd, EPOLLIN, EPOLL_CTL_MOD);
}

static void respond(int fd, const char *status, const char *body) {
    char buf[512];
    int len = snprintf(buf, sizeof buf, "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                       status, strlen(body), body);
    send_bytes(fd, buf, (size_t) len);
}

static long long now_ms(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void publish(int fd, const char *body, size_t body_len) {
    const char *data = memmem(body, body_len, "\"data\":", 7);
    const char *end = body + body_len;
    while (end > body && end[-1] != '}') end--;
    if (!data || end <= body) { respond(fd, "400 Bad Request", "{}"); return; }
    data += 7;
    end--; /* the closing brace of the request's object */
    size_t data_len = (size_t) (end - data);
    static char frame[IN_CAP + 256];
    char prefix[160];
    unsigned long n = ++seq;
    int prefix_len = snprintf(prefix, sizeof prefix, "{\"id\":\"%lu\",\"type\":\"order:created\",\"ts\":%lld,\"seq\":%lu,\"data\":",
                              n, now_ms(), n);
    size_t payload = (size_t) prefix_len + data_len + 1;
    size_t h = 0;
    frame[h++] = (char) 0x81; /* FIN, text */
    if (payload < 126) {
        frame[h++] = (char) payload;
    } else {
        frame[h++] = 126;
        frame[h++] = (char) (payload >> 8);
        frame[h++] = (char) (payload & 0xff);
    }
    memcpy(frame + h, prefix, (size_t) prefix_len);
    memcpy(frame + h + prefix_len, data, data_len);
    frame[h + payload - 1] = '}';
    size_t frame_len = h + payload;
    for (int i = nsubs - 1; i >= 0; i--) { /* from the end: a drop moves the last one into i */
        send_bytes(subs[i], frame, frame_len);
    }
    char answer[64];
    snprintf(answer, sizeof answer, "{\"seq\":%lu}", n);
    respond(fd, "202 Accepted", answer);
}

static void upgrade(int fd, const char *key, size_t key_len) {
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    char input[256];
    unsigned char digest[SHA_DIGEST_LENGTH];
    unsigned char accept[64];
    if (key_len > 128) { drop(fd); return; }
    memcpy(input, key, key_len);
    memcpy(input + key_len, guid, sizeof guid - 1);
    SHA1((unsigned char *) input, key_len + sizeof guid - 1, digest);
    EVP_EncodeBlock(accept, digest, SHA_DIGEST_LENGTH);
    char buf[256];
    int len = snprintf(buf, sizeof buf, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
    conn_t *c = &conns[fd];
    c->ws = 1;
    free(c->in); c->in = NULL; c->in_len = 0;
    send_bytes(fd, buf, (size_t) len);
    if (!conns[fd].open) return;
    c->sub_index = nsubs;
    subs[nsubs++] = fd;
}

/* Handles every whole request in the connection's buffer. */
static void on_http(int fd) {
    conn_t *c = &conns[fd];
    while (c->open && !c->ws && c->in_len > 0) {
        char *head_end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
        if (!head_end) {
            if (c->in_len >= IN_CAP) drop(fd);
            return;
        }
        size_t head_len = (size_t) (head_end - c->in) + 4;
        *head_end = '\0';
        size_t body_len = 0;
        char *cl = strcasestr(c->in, "\r\nContent-Length:");
        if (cl) body_len = strtoul(cl + 17, NULL, 10);
        if (head_len + body_len > IN_CAP) { drop(fd); return; }
        if (c->in_len < head_len + body_len) { *head_end = '\r'; return; }
        char *key = strcasestr(c->in, "\r\nSec-WebSocket-Key:");
        if (strncmp(c->in, "GET ", 4) == 0 && key) {
            key += 20;
            while (*key == ' ') key++;
            size_t key_len = strcspn(key, "\r\n ");
            upgrade(fd, key, key_len);
            return;
        }
        if (strncmp(c->in, "GET /health ", 12) == 0) {
            respond(fd, "200 OK", "{\"status\":\"UP\"}");
        } else if (strncmp(c->in, "POST /api/events ", 17) == 0) {
            publish(fd, c->in + head_len, body_len);
        } else {
            respond(fd, "404 Not Found", "{}");
        }
        if (!c->open) return;
        memmove(c->in, c->in + head_len + body_len, c->in_len - head_len - body_len);
        c->in_len -= head_len + body_len;
    }
}

static void on_readable(int fd) {
    conn_t *c = &conns[fd];
    static char sink[65536];
    for (;;) {
        char *into = c->ws ? sink : c->in + c->in_len;
        size_t room = c->ws ? sizeof sink : IN_CAP - c->in_len;
        if (room == 0) { drop(fd); return; }
        ssize_t n = read(fd, into, room);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) { drop(fd); return; }
        if (n < 0) break;
        if (!c->ws) c->in_len += (size_t) n;
        if ((size_t) n < room) break;
    }
    if (!c->ws) on_http(fd);
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 8080;
    signal(SIGPIPE, SIG_IGN);
    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    max_fds = limit.rlim_cur > 1048576 ? 1048576 : limit.rlim_cur;
    conns = calloc(max_fds, sizeof *conns);
    subs = calloc(max_fds, sizeof *subs);
    for (size_t i = 0; i < max_fds; i++) conns[i].sub_index = -1;

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(listener, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(listener, 4096) < 0) {
        perror("floor: bind/listen");
        return 1;
    }
    epfd = epoll_create1(0);
    watch(listener, EPOLLIN, EPOLL_CTL_ADD);
    printf("floor up on port %d, %zu fds\n", port, max_fds);
    fflush(stdout);
    struct epoll_event events[512];
    for (;;) {
        int ready = epoll_wait(epfd, events, 512, -1);
        for (int i = 0; i < ready; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                int client;
                while ((client = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if ((size_t) client >= max_fds) { close(client); continue; }
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conns[client].open = 1;
                    conns[client].in = malloc(IN_CAP);
                    watch(client, EPOLLIN, EPOLL_CTL_ADD);
                }
                continue;
            }
            if (!conns[fd].open) continue;
            if (events[i].events & (EPOLLERR | EPOLLHUP)) { drop(fd); continue; }
            if (events[i].events & EPOLLOUT) flush_out(fd);
            if (conns[fd].open && (events[i].events & EPOLLIN)) on_readable(fd);
        }
    }
}
