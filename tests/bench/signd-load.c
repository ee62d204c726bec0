// SPDX-License-Identifier: GPL-2.0
/*
 * Load generator of fwverify-signd in C, for tests/bench/signd-bench.sh:
 * the same requests and the same output line as signd-load.py, at about half
 * of its CPU per request, so that on a small machine the server, not the
 * generator beside it, sets the rate.
 *
 *   signd-load --port P --cert C --tls-key K --ca CA [--host H] [--key NAME]
 *              [--clients N] [--requests R] [--size BYTES] [--server-pid PID]
 *
 * CLIENTS threads, each with one persistent TLS 1.3 connection (client
 * certificate), send back-to-back sign requests, REQUESTS in all.  The
 * clock starts once every connection has finished its handshake and stops
 * at the last reply.  Every reply must be "ok" with a signature (exit 1).
 *
 *   LOAD clients=N requests=R seconds=S rps=X p50_ms=A p99_ms=B max_ms=C client_cpu_us=U procs=1
 *
 * With --server-pid, over the same span: the server's CPU per request, and
 * the shares of the machine's CPU time that other processes took and that
 * stayed idle, appended as " server_cpu_us=U others_pct=P idle_pct=I".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static const char *host = "127.0.0.1", *cert, *tls_key, *ca, *key = "fw-dev";
static int port, clients = 1, requests = 400, size = 4096, server_pid;
static SSL_CTX *ctx;
static pthread_barrier_t ready;
static double *lat;		/* seconds, one per request */
static double last_end;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int failed;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_all(SSL *ssl, void *buf, size_t len)
{
	size_t got;

	while (len) {
		if (SSL_read_ex(ssl, buf, len, &got) <= 0)
			return -1;
		buf = (char *)buf + got;
		len -= got;
	}
	return 0;
}

static SSL *connect_tls(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	SSL *ssl;

	if (fd < 0 || inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd) || !SSL_set_tlsext_host_name(ssl, "localhost") ||
	    SSL_connect(ssl) != 1) {
		SSL_free(ssl);
		close(fd);
		return NULL;
	}
	return ssl;
}

/*
 * Request @i of client @idx in @req, framed: a digest that differs per
 * request (the server signs whatever it is sent).  Return: its length.
 */
static size_t make_request(char *req, size_t room, long idx, int i)
{
	static const char digits[] = "0123456789abcdef";
	unsigned long long x = (unsigned long long)idx << 32 | (unsigned)i;
	char hex[65];
	size_t n;

	for (int j = 0; j < 64; j++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		hex[j] = digits[x >> 60];
	}
	hex[64] = '\0';
	n = snprintf(req + 4, room - 4,
		     "{\"op\":\"sign\",\"key\":\"%s\",\"name\":\"bench/%ld.bin\",\"sha256\":\"%s\",\"size\":%d}",
		     key, idx * 1000000 + i, hex, size);
	req[0] = n >> 24, req[1] = n >> 16, req[2] = n >> 8, req[3] = n;
	return n + 4;
}

static void *client(void *arg)
{
	long idx = (long)arg;
	int count = requests / clients + (idx < requests % clients), first = 0;
	unsigned char hdr[4];
	char req[512], *rep = NULL;
	SSL *ssl = connect_tls();
	double t;
	size_t n;

	for (long i = 0; i < idx; i++)
		first += requests / clients + (i < requests % clients);
	if (!ssl)
		fprintf(stderr, "signd-load: client %ld: cannot connect\n", idx);
	pthread_barrier_wait(&ready);
	if (!ssl)
		goto fail;
	for (int i = 0; i < count; i++) {
		n = make_request(req, sizeof(req), idx, i);
		t = now();
		if (SSL_write(ssl, req, n) != (int)n || read_all(ssl, hdr, 4))
			goto fail;
		n = (size_t)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
		rep = realloc(rep, n + 1);
		if (!rep || read_all(ssl, rep, n))
			goto fail;
		rep[n] = '\0';
		lat[first + i] = now() - t;
		if (!strstr(rep, "\"status\":\"ok\"") || !strstr(rep, "\"signature\":\"")) {
			fprintf(stderr, "signd-load: client %ld: %.200s\n", idx, rep);
			goto fail;
		}
	}
	SSL_shutdown(ssl);
	close(SSL_get_fd(ssl));
	SSL_free(ssl);
	free(rep);
	pthread_mutex_lock(&lock);
	if (now() > last_end)
		last_end = now();
	pthread_mutex_unlock(&lock);
	return NULL;
fail:
	pthread_mutex_lock(&lock);
	failed = 1;
	pthread_mutex_unlock(&lock);
	free(rep);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* CPU time in seconds: the machine's (/proc/stat) and the server's (/proc/PID/stat). */
struct machine {
	double busy;		/* user, nice, system, steal: processes, and another guest */
	double idle;		/* idle, iowait */
	double all;		/* every state: CPUs x elapsed */
	double server;
};

static int machine_sample(struct machine *m)
{
	unsigned long long v[8], ut, st;
	double tick = sysconf(_SC_CLK_TCK);
	char path[64], buf[1024], *p;
	FILE *f = fopen("/proc/stat", "r");
	int ok = f && fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
			     &v[4], &v[5], &v[6], &v[7]) == 8;

	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/stat", server_pid);
	f = ok ? fopen(path, "r") : NULL;
	ok = f && fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
	     sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2;
	if (f)
		fclose(f);
	if (!ok)
		return -1;
	m->busy = (v[0] + v[1] + v[2] + v[7]) / tick;
	m->idle = (v[3] + v[4]) / tick;
	m->all = (v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]) / tick;
	m->server = (ut + st) / tick;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", 1, NULL, 'H' }, { "port", 1, NULL, 'p' }, { "cert", 1, NULL, 'c' },
		{ "tls-key", 1, NULL, 'k' }, { "ca", 1, NULL, 'a' }, { "key", 1, NULL, 'K' },
		{ "clients", 1, NULL, 'n' }, { "requests", 1, NULL, 'r' }, { "size", 1, NULL, 's' },
		{ "server-name", 1, NULL, 'S' }, { "server-pid", 1, NULL, 'P' }, {}
	};
	struct machine m0, m1;
	pthread_t *th;
	double t0, c0, c1, secs, others;
	bool sampled;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'H': host = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'c': cert = optarg; break;
		case 'k': tls_key = optarg; break;
		case 'a': ca = optarg; break;
		case 'K': key = optarg; break;
		case 'n': clients = atoi(optarg); break;
		case 'r': requests = atoi(optarg); break;
		case 's': size = atoi(optarg); break;
		case 'S': break;	/* the certificate is checked against the CA only */
		case 'P': server_pid = atoi(optarg); break;
		default: return 2;
		}
	}
	if (!port || !cert || !tls_key || !ca || clients < 1 || requests < clients) {
		fprintf(stderr, "signd-load: need --port, --cert, --tls-key, --ca and 1 <= clients <= requests\n");
		return 2;
	}
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_file(ctx, ca) != 1) {
		ERR_print_errors_fp(stderr);
		return 2;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	/* A reply in one read(), not one for the record's header and one for the rest. */
	SSL_CTX_set_read_ahead(ctx, 1);
	lat = calloc(requests, sizeof(*lat));
	th = calloc(clients, sizeof(*th));
	if (!lat || !th)
		return 2;
	pthread_barrier_init(&ready, NULL, clients + 1);
	for (long i = 0; i < clients; i++)
		if (pthread_create(&th[i], NULL, client, (void *)i))
			return 2;
	pthread_barrier_wait(&ready);
	t0 = now();
	c0 = cpu();
	sampled = server_pid && !machine_sample(&m0);
	for (int i = 0; i < clients; i++)
		pthread_join(th[i], NULL);
	if (failed)
		return 1;
	sampled = sampled && !machine_sample(&m1);
	c1 = cpu();
	secs = last_end - t0;
	qsort(lat, requests, sizeof(*lat), cmp);
	printf("LOAD clients=%d requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
	       "client_cpu_us=%.0f procs=1", clients, requests, secs, requests / secs,
	       lat[requests / 2] * 1e3, lat[requests * 99 / 100] * 1e3, lat[requests - 1] * 1e3,
	       (c1 - c0) * 1e6 / requests);
	if (sampled) {
		/* What the machine's other processes took meanwhile: CPU the server could not have. */
		others = (m1.busy - m0.busy) - (m1.server - m0.server) - (c1 - c0);
		printf(" server_cpu_us=%.0f others_pct=%.1f idle_pct=%.1f", (m1.server - m0.server) * 1e6 / requests,
		       others > 0 ? 100 * others / (m1.all - m0.all) : 0.0,
		       100 * (m1.idle - m0.idle) / (m1.all - m0.all));
	}
	putchar('\n');
	SSL_CTX_free(ctx);
	free(lat);
	free(th);
	return 0;
}
