/* SPDX-License-Identifier: MIT */
/*
 * top-web.c: `ctrctl top --web`, a small HTTP/1.1 server on poll(): one
 * process, one thread, non-blocking sockets, so an idle or slow client
 * never holds up another.  GET only; the Host header must name the
 * address served (or localhost on a loopback one; on 0.0.0.0 or :: the
 * address the connection came to) against DNS rebinding;
 * no CORS header, so no other origin's page can read the figures.
 *   /                the page (top-page.html, embedded at build time)
 *   /api/containers  the last sample: a JSON array, the rows of --json
 *   /api/events      server-sent events: "sample" (that array) every
 *                    refresh, "event" (started, stopped, oom_kill,
 *                    mem_max, mem_high, pids_max) as they happen, each
 *                    with an "id:"; on connect the last events (on a
 *                    reconnect, only those after its Last-Event-ID),
 *                    "history" (CPU% and memory of the last five
 *                    minutes) and the current sample
 * Serves until SIGINT or SIGTERM, then closes everything and exits 0.
 */
#include <arpa/inet.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>

#include "top.h"
#include "util.h"

#define WEB_DEFAULT "127.0.0.1:7397"
#define WEB_MAX_CLIENTS 128
#define WEB_REQ_MAX 8192
#define WEB_REQ_TIMEOUT_S 10.0      /* for the request's head to arrive */
#define WEB_OUT_MAX (1 << 20)       /* an SSE reader this far behind is dropped */
#define WEB_EVENTS_KEPT 200
#define WEB_HISTORY_S 300           /* the page's sparklines: five minutes */
#define WEB_HISTORY_MAX 3000        /* samples kept at most (-d 0.1) */

extern const char top_page[];            /* top-page.S */
extern const unsigned long top_page_size;

struct client {
	int fd;
	char req[WEB_REQ_MAX];
	size_t req_len;
	char *out;
	size_t out_len, out_off;
	bool sse, closing;
	double since;
	size_t burst;               /* the catch-up sent on connect: not lag */
};

struct server {
	int lfd, sigfd;
	char host[80];              /* ADDR:PORT as served */
	char port[8];
	bool loopback;
	bool wildcard;              /* 0.0.0.0 or ::: each connection's own address */
	struct client *c[WEB_MAX_CLIENTS];
	char *sample_json;          /* the last /api/containers body */
	char *events[WEB_EVENTS_KEPT];
	size_t n_events, ev_next;
	unsigned long long ev_seq;  /* the id of the newest event (SSE "id:") */
	/* The last five minutes, for a page that opens now: per sample
	 * {"t":TIME,"r":[[NAME,CPU%,MEM],...]} (running containers). */
	char *history[WEB_HISTORY_MAX];
	double history_t[WEB_HISTORY_MAX];
	size_t n_history, hist_first;
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ listening */

/* LEN bytes of SRC into DST (of SIZE) as a string; false when too long:
 * a part that does not fit is refused, never cut short. */
static bool copy_part(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		return false;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return true;
}

/* "ADDR:PORT", "[V6]:PORT" or "PORT" into addr and port. */
static int split_listen(const char *spec, char *addr, size_t asz, char *port, size_t psz)
{
	const char *colon = strrchr(spec, ':');
	bool ok;

	if (!colon) {
		ok = copy_part(addr, asz, "127.0.0.1", 9) && copy_part(port, psz, spec, strlen(spec));
	} else if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (!close || close + 1 != colon)
			return -EINVAL;
		ok = copy_part(addr, asz, spec + 1, (size_t)(close - spec - 1)) &&
		     copy_part(port, psz, colon + 1, strlen(colon + 1));
	} else {
		ok = copy_part(addr, asz, spec, (size_t)(colon - spec)) &&
		     copy_part(port, psz, colon + 1, strlen(colon + 1));
	}
	if (!ok || !*addr || !*port || strspn(port, "0123456789") != strlen(port) || atoi(port) > 65535)
		return -EINVAL;
	return 0;
}

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

static int web_listen(struct server *srv, const struct top_opts *o)
{
	const char *spec = o->listen ? o->listen : WEB_DEFAULT;
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char addr[64], port[8], name[64];
	int one = 1, fd, r;

	if (split_listen(spec, addr, sizeof(addr), port, sizeof(port)) < 0)
		return ctr_failx(-EINVAL, "--listen %s: not ADDR:PORT (a numeric address)", spec);
	if (getaddrinfo(addr, port, &hints, &ai) != 0 || !ai)
		return ctr_failx(-EINVAL, "%s: not a numeric IPv4 or IPv6 address", addr);
	srv->loopback = is_loopback(ai->ai_addr);
	if (!srv->loopback && !o->listen_given) {
		freeaddrinfo(ai);
		return ctr_failx(-EPERM, "%s: not a loopback address: the monitor has no authentication; "
				 "to serve it beyond this machine anyway, give --listen %s", addr, spec);
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(ai);
		return ctr_fail(-errno, "socket");
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	r = bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 64) < 0 ? -errno : 0;
	freeaddrinfo(ai);
	if (r < 0) {
		close(fd);
		return ctr_fail(r, "listen on %s", spec);
	}
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	getnameinfo((struct sockaddr *)&ss, sl, name, sizeof(name), port, sizeof(port),
		    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(srv->port, sizeof(srv->port), "%s", port);
	srv->wildcard = strcmp(name, "0.0.0.0") == 0 || strcmp(name, "::") == 0;
	snprintf(srv->host, sizeof(srv->host), strchr(name, ':') ? "[%s]:%s" : "%s:%s", name, port);
	srv->lfd = fd;
	return 0;
}

/* ------------------------------------------------------------ clients */

static void client_close(struct server *srv, size_t i)
{
	close(srv->c[i]->fd);
	free(srv->c[i]->out);
	free(srv->c[i]);
	srv->c[i] = NULL;
}

/* Append to what c is sent; once closing, nothing more (a reader that
 * fell behind is dropped whole, never sent a stream with a hole). */
static void client_queue(struct client *c, const char *data, size_t len)
{
	if (c->closing)
		return;
	if (c->out_len - c->out_off + len > WEB_OUT_MAX + c->burst) {   /* too far behind */
		c->closing = true;
		c->out_len = c->out_off;
		return;
	}
	if (c->out_off) {   /* keep only the unsent part: the buffer stays bounded */
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	c->out = realloc(c->out, c->out_len + len);
	if (!c->out)
		abort();
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

/* Write what the socket takes now; false when the client is done. */
static bool client_flush(struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n <= 0)
			return false;
		c->out_off += (size_t)n;
	}
	return !c->closing;
}

static void respond(struct client *c, int code, const char *reason, const char *type,
		    const char *extra, const char *body, size_t len)
{
	char head[1024];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
			 "Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; "
			 "style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; "
			 "form-action 'none'; frame-ancestors 'none'\r\n"
			 "%sConnection: close\r\n\r\n",
			 code, reason, type, len, extra ? extra : "");

	client_queue(c, head, (size_t)n);
	client_queue(c, body, len);
	c->closing = true;
}

static void respond_text(struct client *c, int code, const char *reason, const char *extra)
{
	char body[128];
	int n = snprintf(body, sizeof(body), "%d %s\n", code, reason);

	respond(c, code, reason, "text/plain; charset=utf-8", extra, body, (size_t)n);
}

/* The value of header NAME in the request head; NULL when absent. */
static const char *header(const char *req, const char *name, char *buf, size_t size)
{
	size_t nlen = strlen(name);

	for (const char *l = strstr(req, "\r\n"); l && l[2] && !(l[2] == '\r'); l = strstr(l + 2, "\r\n")) {
		const char *h = l + 2;

		if (strncasecmp(h, name, nlen) == 0 && h[nlen] == ':') {
			const char *v = h + nlen + 1;
			size_t len;

			v += strspn(v, " \t");
			len = strcspn(v, "\r\n");
			while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
				len--;
			snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), v);
			return buf;
		}
	}
	return NULL;
}

/* Host names the address connection fd came to (an IP literal and the
 * port): what a wildcard bind serves. */
static bool host_is_local_address(int fd, const char *host)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char name[64], port[8], want[80];
	const char *a = name;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, name, sizeof(name), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return false;
	if (strncmp(a, "::ffff:", 7) == 0 && strchr(a + 7, '.'))
		a += 7;   /* IPv4 on a :: socket */
	snprintf(want, sizeof(want), strchr(a, ':') ? "[%s]:%s" : "%s:%s", a, port);
	return strcasecmp(host, want) == 0;
}

static bool host_allowed(const struct server *srv, const struct client *c, const char *host)
{
	char alt[80];

	if (strcasecmp(host, srv->host) == 0)
		return true;
	if (srv->wildcard)
		return host_is_local_address(c->fd, host);
	if (!srv->loopback)
		return false;
	snprintf(alt, sizeof(alt), "localhost:%s", srv->port);
	if (strcasecmp(host, alt) == 0)
		return true;
	snprintf(alt, sizeof(alt), "127.0.0.1:%s", srv->port);
	if (strcmp(host, alt) == 0)
		return true;
	snprintf(alt, sizeof(alt), "[::1]:%s", srv->port);
	return strcmp(host, alt) == 0;
}

/* The id of the last event a reconnecting EventSource saw (its
 * Last-Event-ID header); 0 for a first connection, or for an id this server
 * never gave (a server started again counts from 1). */
static unsigned long long last_event_seen(const struct server *srv, const struct client *c)
{
	char buf[32], *end;
	unsigned long long id;

	if (!header(c->req, "Last-Event-ID", buf, sizeof(buf)))
		return 0;
	errno = 0;
	id = strtoull(buf, &end, 10);
	if (errno || end == buf || *end || id > srv->ev_seq)
		return 0;
	return id;
}

/* A new stream: the kept events this client has not seen (all of them
 * unless it reconnects), the history, the last sample. */
static void sse_start(struct server *srv, struct client *c)
{
	unsigned long long last_seen = last_event_seen(srv, c);
	static const char head[] =
		"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
		"X-Content-Type-Options: nosniff\r\nConnection: keep-alive\r\n\r\nretry: 1000\n\n";

	c->burst = SIZE_MAX / 2;    /* the catch-up below is sent whole */
	client_queue(c, head, sizeof(head) - 1);
	c->sse = true;
	for (size_t i = 0; i < srv->n_events; i++) {
		const char *e = srv->events[(srv->ev_next + WEB_EVENTS_KEPT - srv->n_events + i) % WEB_EVENTS_KEPT];

		if (srv->ev_seq - srv->n_events + 1 + i > last_seen)
			client_queue(c, e, strlen(e));
	}
	if (srv->n_history) {
		static const char hist_head[] = "event: history\ndata: [";

		client_queue(c, hist_head, sizeof(hist_head) - 1);
		for (size_t i = 0; i < srv->n_history; i++) {
			const char *h = srv->history[(srv->hist_first + i) % WEB_HISTORY_MAX];

			if (i)
				client_queue(c, ",", 1);
			client_queue(c, h, strlen(h));
		}
		client_queue(c, "]\n\n", 3);
	}
	if (srv->sample_json) {
		_cleanup_free_ char *m = xasprintf("event: sample\ndata: %s\n\n", srv->sample_json);

		client_queue(c, m, strlen(m));
	}
	c->burst = c->out_len - c->out_off;
}

static void handle_request(struct server *srv, struct client *c)
{
	char method[16], path[256], host[128];

	if (sscanf(c->req, "%15s %255s HTTP/1.%*c", method, path) != 2) {
		respond_text(c, 400, "Bad Request", NULL);
		return;
	}
	if (strcmp(method, "GET") != 0) {
		respond_text(c, 405, "Method Not Allowed", "Allow: GET\r\n");
		return;
	}
	if (!header(c->req, "Host", host, sizeof(host)) || !host_allowed(srv, c, host)) {
		respond_text(c, 403, "Forbidden", NULL);
		return;
	}
	path[strcspn(path, "?#")] = '\0';
	if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)
		respond(c, 200, "OK", "text/html; charset=utf-8", NULL, top_page, top_page_size);
	else if (strcmp(path, "/api/containers") == 0)
		respond(c, 200, "OK", "application/json", NULL, srv->sample_json ? srv->sample_json : "[]",
			srv->sample_json ? strlen(srv->sample_json) : 2);
	else if (strcmp(path, "/api/events") == 0)
		sse_start(srv, c);
	else
		respond_text(c, 404, "Not Found", NULL);
}

/* Read what came; false when the client is gone. */
static bool client_read(struct server *srv, struct client *c)
{
	char drain[512];
	ssize_t n;

	if (c->sse || c->closing) {   /* nothing more is read: a close shows as 0 */
		n = recv(c->fd, drain, sizeof(drain), 0);
		return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
	}
	n = recv(c->fd, c->req + c->req_len, sizeof(c->req) - 1 - c->req_len, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false;
	c->req_len += (size_t)n;
	c->req[c->req_len] = '\0';
	if (strstr(c->req, "\r\n\r\n"))
		handle_request(srv, c);
	else if (c->req_len + 1 >= sizeof(c->req))
		respond_text(c, 431, "Request Header Fields Too Large", NULL);
	return true;
}

static void accept_clients(struct server *srv)
{
	int fd;

	while ((fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		size_t i = 0;

		while (i < WEB_MAX_CLIENTS && srv->c[i])
			i++;
		if (i == WEB_MAX_CLIENTS) {
			static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

			send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		srv->c[i] = xcalloc(1, sizeof(*srv->c[i]));
		srv->c[i]->fd = fd;
		srv->c[i]->since = mono();
	}
}

/* ------------------------------------------------------------ samples */

static void broadcast(struct server *srv, const char *msg)
{
	for (size_t i = 0; i < WEB_MAX_CLIENTS; i++)
		if (srv->c[i] && srv->c[i]->sse)
			client_queue(srv->c[i], msg, strlen(msg));
}

/* Add smp to the history; drop what is older than five minutes. */
static void remember(struct server *srv, const struct top_opts *o, const struct top_sample *smp)
{
	char *buf = NULL;
	size_t len = 0, n = 0, slot;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	fprintf(f, "{\"t\":%.3f,\"r\":[", smp->time);
	for (size_t i = 0; i < smp->n; i++) {
		const struct top_row *r = &smp->rows[i];

		if (!r->running || !top_row_selected(o, r))
			continue;
		fprintf(f, "%s[\"%s\",", n++ ? "," : "", r->name);   /* names are [A-Za-z0-9_.-] */
		if (r->cpu_percent < 0)
			fputs("null,", f);
		else
			fprintf(f, "%.1f,", r->cpu_percent);
		if (r->mem_used < 0)
			fputs("null]", f);
		else
			fprintf(f, "%lld]", (long long)r->mem_used);
	}
	fputs("]}", f);
	fclose(f);
	while (srv->n_history && (srv->n_history == WEB_HISTORY_MAX ||
				  srv->history_t[srv->hist_first] < smp->time - WEB_HISTORY_S)) {
		free(srv->history[srv->hist_first]);
		srv->history[srv->hist_first] = NULL;
		srv->hist_first = (srv->hist_first + 1) % WEB_HISTORY_MAX;
		srv->n_history--;
	}
	slot = (srv->hist_first + srv->n_history++) % WEB_HISTORY_MAX;
	srv->history[slot] = buf;
	srv->history_t[slot] = smp->time;
}

static void publish(struct server *srv, const struct top_opts *o, struct top_sample *smp)
{
	char *buf = NULL, *msg;
	size_t len = 0, n = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	top_sort(smp->rows, smp->n, COL_NAME, false);
	fputc('[', f);
	for (size_t i = 0; i < smp->n; i++) {
		if (!top_row_selected(o, &smp->rows[i]))
			continue;
		if (n++)
			fputc(',', f);
		top_row_json(f, &smp->rows[i]);
	}
	fputc(']', f);
	fclose(f);
	free(srv->sample_json);
	srv->sample_json = buf;
	for (size_t i = 0; i < smp->n_events; i++) {
		char *ev = NULL;
		size_t evlen = 0;

		f = open_memstream(&ev, &evlen);
		if (!f)
			abort();
		fprintf(f, "id: %llu\nevent: event\ndata: ", ++srv->ev_seq);
		top_event_json(f, &smp->events[i]);
		fputs("\n\n", f);
		fclose(f);
		broadcast(srv, ev);
		free(srv->events[srv->ev_next]);
		srv->events[srv->ev_next] = ev;
		srv->ev_next = (srv->ev_next + 1) % WEB_EVENTS_KEPT;
		if (srv->n_events < WEB_EVENTS_KEPT)
			srv->n_events++;
	}
	msg = xasprintf("event: sample\ndata: %s\n\n", srv->sample_json);
	broadcast(srv, msg);
	free(msg);
	remember(srv, o, smp);
}

static int signals_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return ctr_fail(-errno, "block signals");
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void server_free(struct server *srv)
{
	for (size_t i = 0; i < WEB_MAX_CLIENTS; i++)
		if (srv->c[i])
			client_close(srv, i);
	for (size_t i = 0; i < WEB_EVENTS_KEPT; i++)
		free(srv->events[i]);
	for (size_t i = 0; i < WEB_HISTORY_MAX; i++)
		free(srv->history[i]);
	free(srv->sample_json);
	if (srv->lfd >= 0)
		close(srv->lfd);
	if (srv->sigfd >= 0)
		close(srv->sigfd);
}

static void serve(struct server *srv, const struct top_opts *o, struct top_sampler *s)
{
	double next = mono();

	for (;;) {
		struct pollfd p[WEB_MAX_CLIENTS + 2];
		size_t map[WEB_MAX_CLIENTS + 2], np = 2;
		double now = mono(), wait = next - now;

		if (wait <= 0) {
			struct top_sample *smp;

			top_sampler_read(s, &smp);
			publish(srv, o, smp);
			top_sample_free(smp);
			next = now + o->delay;
			wait = o->delay;
		}
		p[0] = (struct pollfd){ srv->sigfd, POLLIN, 0 };
		p[1] = (struct pollfd){ srv->lfd, POLLIN, 0 };
		for (size_t i = 0; i < WEB_MAX_CLIENTS; i++) {
			struct client *c = srv->c[i];

			if (!c)
				continue;
			if ((c->out_off < c->out_len && !client_flush(c)) || (c->closing && c->out_off == c->out_len) ||
			    (!c->sse && !c->closing && now - c->since > WEB_REQ_TIMEOUT_S)) {
				client_close(srv, i);
				continue;
			}
			p[np] = (struct pollfd){ c->fd, (short)(POLLIN | (c->out_off < c->out_len ? POLLOUT : 0)), 0 };
			map[np++] = i;
		}
		if (poll(p, np, (int)ceil(fmin(wait, 1.0) * 1000)) < 0 && errno != EINTR)
			return;
		if (p[0].revents)
			return;   /* SIGINT, SIGTERM, SIGHUP */
		if (p[1].revents & POLLIN)
			accept_clients(srv);
		for (size_t k = 2; k < np; k++) {
			struct client *c = srv->c[map[k]];

			if (!c || !p[k].revents)
				continue;
			if ((p[k].revents & (POLLIN | POLLHUP | POLLERR)) && !client_read(srv, c))
				client_close(srv, map[k]);
		}
	}
}

int top_run_web(const struct top_opts *o)
{
	struct server srv = { .lfd = -1, .sigfd = -1 };
	int r;
	struct top_sampler *s = top_sampler_start(o, &r);

	if (!s)
		return r;
	srv.sigfd = signals_fd();
	if (srv.sigfd < 0 || web_listen(&srv, o) < 0) {
		fprintf(stderr, TOP_PROG ": %s\n", ctr_errmsg()[0] ? ctr_errmsg() : strerror(errno));
		server_free(&srv);
		top_sampler_free(s);
		return 1;
	}
	/* The first sample's CPU% is measured over this much, not a few ms;
	 * a request that comes meanwhile waits in the listen queue. */
	poll(NULL, 0, (int)(fmin(o->delay, TOP_PRIME_S) * 1000));
	printf("ctr-top: serving http://%s/ (Ctrl-C stops)\n", srv.host);
	fflush(stdout);
	serve(&srv, o, s);
	server_free(&srv);
	top_sampler_free(s);
	return 0;
}
