// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas stress test: several threads run random operations on one vas at
 * once, and every result is checked against a model of guest memory.
 *
 * Stressed: memslot create, delete, move and flag changes (read-only, dirty
 * logging), sometimes vetoed by a binder, and bad requests; pread/pwrite on
 * the fd and on dup()s of it closed right after; the in-kernel vas_read()
 * and vas_write() in the owner, in a kernel thread, through
 * vas_get_from_fd() and from another process; test binder reads and
 * writes, vmaps, sgmaps and gfn->pfn caches, set up in the caller or in a
 * kernel thread, and test binders closed with their maps still set up;
 * dirty log harvests (GET, GET with VAS_DIRTY_LOG_KEEP, CLEAR); a test
 * binder that outlives every fd of its vas while the owner unmaps the
 * memory; and owners, forked children with a vas and binders of their own,
 * that exit or are killed while this process uses their vas.
 *
 * The model: each memslot id has a backing buffer of owner memory of its
 * own and a copy of what that buffer must hold. The layout is kept under a
 * test rwlock: accesses run under its read side, memslot changes under its
 * write side, so an access is checked against the layout it ran under. A
 * mutex per memslot id serializes the accesses to its bytes and its dirty
 * log, so the expected content of every byte and every dirty bit is known.
 * Reads must return the model's bytes; writes must land exactly at the
 * translated place of the backing buffer; holes fail with EFAULT, writes
 * to read-only memslots with EPERM, a vmap broken by a memslot change with
 * ESTALE; each page written through the vas while logging is on must be in
 * the next harvest, and extra dirty bits are allowed only where documented
 * (writable vmaps, sgmaps and failed writes that may have done a prefix).
 * What runs inside the kernel (kernel threads, notifiers, SRCU, other
 * processes) is not serialized by any of this.
 *
 * Bounded by wall time: -d SECONDS (default 60), -t THREADS (default 4),
 * -s SEED (default: from the clock; always printed). -M N breaks the
 * model once on purpose (1: corrupt owner memory behind the vas' back,
 * 2: skip the model update of a write, 3: forget a dirty page), to show
 * that the checks fire: the run must then fail.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/socket.h>

#include "kselftest.h"
#include "vas_util.h"

#define NSLOTS		8
#define NPOS		12
#define POS_PAGES	128ULL
#define GPA_BASE	0x40000000ULL
#define GPA_END		(GPA_BASE + NPOS * POS_PAGES * PAGE)
#define MAX_LEN		(3 * PAGE)
#define MAX_MAP		(4 * PAGE)
#define MAX_THREADS	16
#define LOG_WORDS	2
#define MAX_REPORTS	40

/* Pages of each memslot id; the 96-page one has a two-word dirty log */
static const unsigned int slot_pages[NSLOTS] = { 8, 16, 24, 12, 96, 4, 32, 20 };

struct slot {
	unsigned char *mem;	/* owner memory behind the memslot */
	unsigned char *model;	/* what it must hold */
	unsigned int npages;
	pthread_mutex_t lock;	/* bytes, dirty model, vmaps on it */
	/* under the layout lock */
	bool used;
	int pos;
	bool end;		/* at the end of its position, else its start */
	uint64_t gpa;
	uint32_t flags;
	/* under lock */
	uint64_t must[LOG_WORDS];	/* pages the next harvest must have */
	uint64_t may[LOG_WORDS];	/* pages it may have */
	uint64_t vmove[LOG_WORDS];	/* must, from vmaps a move tore down */
};

struct seg {
	int slot;
	uint64_t off;
	uint64_t len;
};

struct thr {
	int id;
	pthread_t tid;
	uint64_t rng;
	int bfd;		/* a test binder on the vas */
	int hsock;		/* a helper process of its own */
	pid_t hpid;
	struct {		/* the binder's vmap: under vmaps_lock */
		bool on, write, stale;
		int slot;
		uint64_t gpa, len, off;
	} vmap;
	struct {		/* its sgmap */
		bool on, write;
		uint64_t gpa, len;
		int nseg;
		struct seg seg[4];
	} sg;
	struct {		/* its gfn->pfn cache */
		bool on, write;
		uint64_t gpa, len;
	} gpc;
	const char *cur;	/* the op running, for the watchdog */
	unsigned long nops;
	unsigned char buf[MAX_MAP], old[MAX_MAP], got[MAX_MAP];
};

enum op {
	OP_CREATE, OP_DELETE, OP_MOVE, OP_FLAGS, OP_BAD_SET, OP_VETO,
	OP_PREAD, OP_PWRITE, OP_DUP_READ, OP_DUP_WRITE,
	OP_REMOTE_READ, OP_REMOTE_WRITE,
	/* the ones above return a byte count, the ones below an errno */
	OP_TEST_READ, OP_TEST_WRITE, OP_KTHREAD_READ, OP_KTHREAD_WRITE,
	OP_VIAFD_READ, OP_VIAFD_WRITE, OP_REMOTE_TEST_READ, OP_REMOTE_TEST_WRITE,
	OP_BINDER_READ, OP_BINDER_WRITE,
	OP_VMAP, OP_VUNMAP, OP_VMAP_READ, OP_VMAP_WRITE,
	OP_SGMAP, OP_SGUNMAP, OP_SGMAP_READ, OP_SGMAP_WRITE,
	OP_GPC_ACTIVATE, OP_GPC_DEACTIVATE, OP_GPC_READ, OP_GPC_WRITE,
	OP_REBIND, OP_DIRTY_GET, OP_DIRTY_KEEP, OP_DIRTY_CLEAR,
	OP_SCRATCH, OP_OWNER_EXIT, OP_CHECK_ALL, NR_OPS
};

static const char * const op_names[NR_OPS] = {
	"create", "delete", "move", "flags", "bad_set", "veto",
	"pread", "pwrite", "dup_pread", "dup_pwrite",
	"remote_pread", "remote_pwrite",
	"test_read", "test_write", "kthread_read", "kthread_write",
	"viafd_read", "viafd_write", "remote_test_read", "remote_test_write",
	"binder_read", "binder_write",
	"vmap", "vunmap", "vmap_read", "vmap_write",
	"sgmap", "sgunmap", "sgmap_read", "sgmap_write",
	"gpc_activate", "gpc_deactivate", "gpc_read", "gpc_write",
	"rebind", "dirty_get", "dirty_keep", "dirty_clear",
	"scratch", "owner_exit", "check_all",
};

enum kind {
	K_READ, K_WRITE, K_ERRNO, K_DIRTY_LOST, K_DIRTY_VMAP_MOVE, K_DIRTY_EXTRA,
	K_OWNER_EXIT, K_PATH, NR_KINDS
};

static const char * const kind_names[NR_KINDS] = {
	"read data", "written data", "result/errno", "lost dirty bit",
	"lost dirty bit of a vmap torn down by a move", "spurious dirty bit",
	"owner exit", "access path",
};

static struct slot slots[NSLOTS];
static pthread_rwlock_t layout;
static pthread_mutex_t vmaps_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;
static struct thr *thr[MAX_THREADS];
static int nthreads = 4, vfd, veto_bfd;
static unsigned long long seed;
static int duration = 60, break_model;
static atomic_int break_pending;
static double t_start, t_end;
static atomic_ulong op_count[NR_OPS];
static atomic_ulong kind_count[NR_KINDS];
static atomic_ulong mismatches;
static atomic_int finished;
static long forget_page = -1;	/* -M 3, under the memslot's lock */
/* No binder fd is closed while a new child may still hold a copy of it */
static pthread_mutex_t fork_lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

#define R(n)	(rnd(&t->rng) % (n))

static void report(struct thr *t, enum kind kind, const char *fmt, ...)
{
	unsigned long n = atomic_fetch_add(&mismatches, 1);
	char msg[256];
	va_list ap;

	atomic_fetch_add(&kind_count[kind], 1);
	if (n >= MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&print_lock);
	ksft_print_msg("MISMATCH %s: thread %d op #%lu %s at %.1fs: %s\n",
		       kind_names[kind], t ? t->id : -1, t ? t->nops : 0,
		       t && t->cur ? t->cur : "-", now() - t_start, msg);
	fflush(stdout);
	pthread_mutex_unlock(&print_lock);
}

/* Checks a result against the expected one; true if it matches */
static bool expect(struct thr *t, long want, long got, uint64_t gpa,
		   uint64_t len)
{
	if (want == got)
		return true;
	report(t, K_ERRNO, "gpa %#llx len %llu: want %ld (%s), got %ld (%s)",
	       (unsigned long long)gpa, (unsigned long long)len, want,
	       want < 0 ? strerror(-want) : "ok", got,
	       got < 0 ? strerror(-got) : "ok");
	return false;
}

/* ------------------------------------------------------------ layout */

static uint64_t pos_gpa(int pos, bool end, unsigned int npages)
{
	return GPA_BASE + pos * POS_PAGES * PAGE +
	       (end ? (POS_PAGES - npages) * PAGE : 0);
}

static uint64_t slot_size(int s)
{
	return (uint64_t)slots[s].npages * PAGE;
}

static bool logging(int s)
{
	return slots[s].used && (slots[s].flags & VAS_MEM_LOG_DIRTY_PAGES);
}

/* The memslot holding @gpa, or -1 */
static int slot_at(uint64_t gpa)
{
	int s;

	for (s = 0; s < NSLOTS; s++)
		if (slots[s].used && gpa >= slots[s].gpa &&
		    gpa - slots[s].gpa < slot_size(s))
			return s;
	return -1;
}

/*
 * How many bytes from @gpa on lie in memslots (writable ones for @write),
 * as segments; *err is the errno of the first byte that does not.
 */
static uint64_t prefix(uint64_t gpa, uint64_t len, bool write, int *err,
		       struct seg *seg, int *nseg)
{
	uint64_t done = 0, take;
	int s;

	*nseg = 0;
	*err = 0;
	while (done < len) {
		s = slot_at(gpa + done);
		if (s < 0) {
			*err = EFAULT;
			break;
		}
		if (write && (slots[s].flags & VAS_MEM_READONLY)) {
			*err = EPERM;
			break;
		}
		take = slots[s].gpa + slot_size(s) - (gpa + done);
		if (take > len - done)
			take = len - done;
		seg[*nseg].slot = s;
		seg[*nseg].off = gpa + done - slots[s].gpa;
		seg[*nseg].len = take;
		(*nseg)++;
		done += take;
	}
	return done;
}

static unsigned int segs_mask(const struct seg *seg, int nseg)
{
	unsigned int mask = 0;
	int i;

	for (i = 0; i < nseg; i++)
		mask |= 1U << seg[i].slot;
	return mask;
}

/* Memslot locks are taken in id order */
static void lock_slots(unsigned int mask)
{
	int s;

	for (s = 0; s < NSLOTS; s++)
		if (mask & (1U << s))
			pthread_mutex_lock(&slots[s].lock);
}

static void unlock_slots(unsigned int mask)
{
	int s;

	for (s = NSLOTS - 1; s >= 0; s--)
		if (mask & (1U << s))
			pthread_mutex_unlock(&slots[s].lock);
}

static void set_bits(uint64_t *bits, uint64_t first, uint64_t last)
{
	for (; first <= last; first++)
		bits[first / 64] |= 1ULL << (first % 64);
}

static bool bit(const uint64_t *bits, uint64_t n)
{
	return bits[n / 64] >> (n % 64) & 1;
}

/* A write through the vas reached [@off, +@len) of memslot @s */
static void mark_dirty(int s, uint64_t off, uint64_t len, bool must)
{
	if (!logging(s) || !len)
		return;
	/* -M 3: from now on the model forgets every write to one page */
	if (must && atomic_load(&break_pending) == 3 &&
	    len <= PAGE - off % PAGE &&
	    atomic_exchange(&break_pending, 0) == 3)
		forget_page = s * 1000 + off / PAGE;
	if (forget_page == s * 1000 + off / PAGE)
		return;
	if (must)
		set_bits(slots[s].must, off / PAGE, (off + len - 1) / PAGE);
	set_bits(slots[s].may, off / PAGE, (off + len - 1) / PAGE);
}

/*
 * Checks that @data landed in owner memory at @seg, then makes it the
 * model there; and that the rest of the pages touched still hold the model.
 */
static void check_written(struct thr *t, const struct seg *seg, int nseg,
			  const unsigned char *data, bool dirty)
{
	uint64_t i, first, end;
	int k, s;

	for (k = 0; k < nseg; k++) {
		s = seg[k].slot;
		for (i = 0; i < seg[k].len; i++)
			if (slots[s].mem[seg[k].off + i] != data[i])
				break;
		if (i < seg[k].len)
			report(t, K_WRITE, "slot %d offset %#llx: wrote %#x, owner memory has %#x",
			       s, (unsigned long long)(seg[k].off + i), data[i],
			       slots[s].mem[seg[k].off + i]);
		if (atomic_load(&break_pending) == 2 &&
		    atomic_exchange(&break_pending, 0) == 2)
			;	/* -M 2: the model misses this write */
		else
			memcpy(slots[s].model + seg[k].off, slots[s].mem + seg[k].off,
			       seg[k].len);
		if (dirty)
			mark_dirty(s, seg[k].off, seg[k].len, true);
		first = seg[k].off & ~(PAGE - 1);
		end = (seg[k].off + seg[k].len + PAGE - 1) & ~(PAGE - 1);
		for (i = first; i < end; i++)
			if (slots[s].mem[i] != slots[s].model[i] &&
			    (i < seg[k].off || i >= seg[k].off + seg[k].len))
				break;
		if (i < end) {
			report(t, K_WRITE, "slot %d offset %#llx changed next to a write of [%#llx, +%llu)",
			       s, (unsigned long long)i,
			       (unsigned long long)seg[k].off,
			       (unsigned long long)seg[k].len);
			memcpy(slots[s].model + first, slots[s].mem + first,
			       end - first);
		}
		data += seg[k].len;
	}
}

static void check_read(struct thr *t, const struct seg *seg, int nseg,
		       const unsigned char *got, uint64_t gpa)
{
	uint64_t i, done = 0;
	int k;

	for (k = 0; k < nseg; k++) {
		const unsigned char *want = slots[seg[k].slot].model + seg[k].off;

		for (i = 0; i < seg[k].len; i++)
			if (got[done + i] != want[i]) {
				report(t, K_READ, "gpa %#llx (slot %d offset %#llx): want %#x, read %#x",
				       (unsigned long long)(gpa + done + i),
				       seg[k].slot,
				       (unsigned long long)(seg[k].off + i),
				       want[i], got[done + i]);
				break;
			}
		done += seg[k].len;
	}
}

/* A failed write may have done a prefix: each byte old or new; adopt it */
static void check_partial_write(struct thr *t, const struct seg *seg,
				int nseg, const unsigned char *data)
{
	uint64_t i, pg;
	int k, s;

	for (k = 0; k < nseg; k++) {
		s = seg[k].slot;
		for (i = 0; i < seg[k].len; i++) {
			unsigned char m = slots[s].mem[seg[k].off + i];

			if (m != data[i] && m != slots[s].model[seg[k].off + i]) {
				report(t, K_WRITE, "slot %d offset %#llx: neither old %#x nor new %#x but %#x",
				       s, (unsigned long long)(seg[k].off + i),
				       slots[s].model[seg[k].off + i], data[i], m);
				break;
			}
		}
		for (pg = seg[k].off / PAGE; pg * PAGE < seg[k].off + seg[k].len; pg++) {
			uint64_t a = pg * PAGE > seg[k].off ? pg * PAGE : seg[k].off;
			uint64_t b = (pg + 1) * PAGE < seg[k].off + seg[k].len ?
				     (pg + 1) * PAGE : seg[k].off + seg[k].len;
			bool changed = memcmp(slots[s].mem + a, slots[s].model + a, b - a);

			mark_dirty(s, a, b - a, changed);
		}
		memcpy(slots[s].model + seg[k].off, slots[s].mem + seg[k].off,
		       seg[k].len);
		data += seg[k].len;
	}
}

/* ------------------------------------------------------- remote helper */

/* A forked child keeps only @a and @b of our fds (and 0-2) */
static void close_fds_except(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo > 3)
		syscall(__NR_close_range, 3, lo - 1, 0);
	if (hi > lo + 1)
		syscall(__NR_close_range, lo + 1, hi - 1, 0);
	syscall(__NR_close_range, hi + 1, ~0U, 0);
}

struct helper_req {
	uint32_t op;		/* OP_REMOTE_* */
	uint32_t len;
	uint64_t gpa;
};

struct helper_rep {
	int64_t ret;
	uint32_t path;
	uint32_t pad;
};

static int xfer(int fd, void *buf, size_t len, bool out)
{
	unsigned char *p = buf;
	ssize_t n;

	while (len) {
		n = out ? write(fd, p, len) : read(fd, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Another process: accesses the vas for a thread, through the remote path */
static void __noreturn helper_main(int sock)
{
	static unsigned char buf[MAX_LEN];
	struct helper_req req;
	struct helper_rep rep;
	bool wr;
	ssize_t n;

	close_fds_except(sock, vfd);
	if (write(sock, "", 1) != 1)
		_exit(1);
	while (!xfer(sock, &req, sizeof(req), false)) {
		wr = req.op == OP_REMOTE_WRITE || req.op == OP_REMOTE_TEST_WRITE;
		if (wr && xfer(sock, buf, req.len, false))
			break;
		memset(&rep, 0, sizeof(rep));
		if (req.op == OP_REMOTE_READ || req.op == OP_REMOTE_WRITE) {
			n = wr ? pwrite(vfd, buf, req.len, req.gpa) :
				    pread(vfd, buf, req.len, req.gpa);
			rep.ret = n < 0 ? -errno : n;
		} else {
			rep.ret = vas_test_access(vfd, wr ? VAS_TEST_OP_WRITE :
						  VAS_TEST_OP_READ, VAS_TEST_CALLER,
						  req.gpa, buf, req.len, &rep.path);
		}
		if (xfer(sock, &rep, sizeof(rep), true) ||
		    (!wr && xfer(sock, buf, req.len, true)))
			break;
	}
	_exit(0);
}

static long helper_call(struct thr *t, enum op op, uint64_t gpa, void *buf,
			uint64_t len, uint32_t *path)
{
	struct helper_req req = { .op = op, .len = len, .gpa = gpa };
	bool write = op == OP_REMOTE_WRITE || op == OP_REMOTE_TEST_WRITE;
	struct helper_rep rep;

	if (xfer(t->hsock, &req, sizeof(req), true) ||
	    (write && xfer(t->hsock, buf, len, true)) ||
	    xfer(t->hsock, &rep, sizeof(rep), false) ||
	    (!write && xfer(t->hsock, buf, len, false)))
		ksft_exit_fail_msg("helper process of thread %d is gone\n", t->id);
	*path = rep.path;
	return rep.ret;
}

/* ------------------------------------------------------------ accesses */

static bool op_is_write(enum op op)
{
	return (op - OP_PREAD) % 2;
}

static long issue(struct thr *t, enum op op, uint64_t gpa, void *buf,
		  uint64_t len, uint32_t *path)
{
	uint32_t rw = op_is_write(op) ? VAS_TEST_OP_WRITE : VAS_TEST_OP_READ;
	ssize_t n;
	long ret;
	int fd;

	*path = 0;
	switch (op) {
	case OP_PREAD:
	case OP_PWRITE:
	case OP_DUP_READ:
	case OP_DUP_WRITE:
		fd = op >= OP_DUP_READ ? dup(vfd) : vfd;
		if (fd < 0)
			return -errno;
		n = op_is_write(op) ? pwrite(fd, buf, len, gpa) :
				      pread(fd, buf, len, gpa);
		ret = n < 0 ? -errno : n;
		if (fd != vfd)
			close(fd);
		return ret;
	case OP_TEST_READ:
	case OP_TEST_WRITE:
		return vas_test_access(vfd, rw, VAS_TEST_CALLER, gpa, buf, len, path);
	case OP_KTHREAD_READ:
	case OP_KTHREAD_WRITE:
		return vas_test_access(vfd, rw, VAS_TEST_KTHREAD, gpa, buf, len, path);
	case OP_VIAFD_READ:
	case OP_VIAFD_WRITE:
		fd = dup(vfd);
		if (fd < 0)
			return -errno;
		ret = vas_test_ioctl(vfd, VAS_TEST_FLAG_VIA_FD, fd, rw,
				     R(2) ? VAS_TEST_CALLER : VAS_TEST_KTHREAD,
				     gpa, buf, len, NULL);
		close(fd);
		return ret;
	case OP_REMOTE_READ:
	case OP_REMOTE_WRITE:
	case OP_REMOTE_TEST_READ:
	case OP_REMOTE_TEST_WRITE:
		return helper_call(t, op, gpa, buf, len, path);
	case OP_BINDER_READ:
	case OP_BINDER_WRITE:
		return binder_ioctl(t->bfd, op == OP_BINDER_WRITE ? VAS_TEST_BINDER_WRITE :
			    VAS_TEST_BINDER_READ, 0, 0, gpa, len, buf);
	default:
		return -EINVAL;
	}
}

static int random_used_slot(struct thr *t)
{
	int s, i, start = R(NSLOTS);

	for (i = 0; i < NSLOTS; i++) {
		s = (start + i) % NSLOTS;
		if (slots[s].used)
			return s;
	}
	return -1;
}

/* A range to access: mostly in a memslot, sometimes over its end or in a hole */
static void pick_range(struct thr *t, uint64_t max, uint64_t *gpa,
		       uint64_t *len)
{
	unsigned int r = R(100), l = R(10);
	int s = random_used_slot(t);
	uint64_t size, off;

	*len = l < 5 ? 1 + R(64) : l < 8 ? 1 + R(PAGE) : 1 + R(max);
	if (s >= 0 && r < 88) {
		size = slot_size(s);
		off = r < 20 ? size - 1 - R(size < 2 * PAGE ? size : 2 * PAGE) :
			       R(size);
		*gpa = slots[s].gpa + off;
	} else {
		*gpa = GPA_BASE - 2 * PAGE + R(GPA_END - GPA_BASE + 4 * PAGE);
	}
}

static void do_access(struct thr *t, enum op op)
{
	bool write = op_is_write(op), counts = op < OP_TEST_READ;
	uint64_t gpa, len, ok, done;
	struct seg seg[8];
	unsigned int mask;
	uint32_t path;
	int err, nseg;
	long ret, want;

	pthread_rwlock_rdlock(&layout);
	pick_range(t, MAX_LEN, &gpa, &len);
	ok = prefix(gpa, len, write, &err, seg, &nseg);
	mask = segs_mask(seg, nseg);
	lock_slots(mask);
	if (write)
		for (done = 0; done < len; done++)
			t->buf[done] = rnd(&t->rng);
	else
		memset(t->buf, 0xe7, len);
	ret = issue(t, op, gpa, t->buf, len, &path);

	if (counts)
		want = ok ? (long)ok : -err;
	else
		want = ok == len ? 0 : -err;
	expect(t, want, ret, gpa, len);
	if (ret >= 0 && path && (ok || !counts)) {
		uint32_t want_path = op <= OP_TEST_WRITE ? VAS_TEST_PATH_OWNER :
				     op <= OP_KTHREAD_WRITE ? VAS_TEST_PATH_KTHREAD :
				     VAS_TEST_PATH_REMOTE;

		if (path != want_path)
			report(t, K_PATH, "want path %u, took %u", want_path, path);
	}
	/* What the kernel says it did, within what it may have done */
	done = counts ? (ret > 0 ? ((uint64_t)ret < ok ? (uint64_t)ret : ok) : 0) :
			(ret == 0 && ok == len ? len : 0);
	if (done < ok) {
		/* cut the segments down to @done */
		uint64_t left = done;
		int k;

		for (k = 0; k < nseg && left; k++) {
			if (seg[k].len > left)
				seg[k].len = left;
			left -= seg[k].len;
		}
		if (!write || counts) {
			nseg = k;
		} else {
			/* a failed vas_write(): a prefix may be done */
			prefix(gpa, len, write, &err, seg, &nseg);
			check_partial_write(t, seg, nseg, t->buf);
			nseg = 0;
		}
	}
	if (nseg && done) {
		if (write)
			check_written(t, seg, nseg, t->buf, true);
		else
			check_read(t, seg, nseg, t->buf, gpa);
	}
	unlock_slots(mask);
	pthread_rwlock_unlock(&layout);
}

/* --------------------------------------------------------------- vmaps */

static void count(struct thr *t, enum op op)
{
	t->cur = op_names[op];
	t->nops++;
	atomic_fetch_add(&op_count[op], 1);
}

static unsigned int vmap_mask(struct thr *t)
{
	return t->vmap.on && t->vmap.slot >= 0 ? 1U << t->vmap.slot : 0;
}

/*
 * The binder's vmap goes away (vunmap, or its binder is closed), under the
 * lock of its memslot: a valid writable one is reported dirty once more.
 */
static void vmap_gone(struct thr *t)
{
	pthread_mutex_lock(&vmaps_lock);
	if (t->vmap.on && t->vmap.write && !t->vmap.stale)
		mark_dirty(t->vmap.slot, t->vmap.off, t->vmap.len, true);
	t->vmap.on = false;
	pthread_mutex_unlock(&vmaps_lock);
}

static void op_vmap(struct thr *t)
{
	uint64_t gpa, len, size;
	unsigned int mask;
	bool write, cross;
	long ret, want;
	int s;

	pthread_rwlock_rdlock(&layout);
	if (t->vmap.on && R(8)) {
		count(t, OP_VUNMAP);
		mask = vmap_mask(t);
		lock_slots(mask);
		ret = binder_ioctl(t->bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, 0, NULL);
		expect(t, 0, ret, t->vmap.gpa, t->vmap.len);
		vmap_gone(t);
		unlock_slots(mask);
		goto out;
	}
	count(t, OP_VMAP);
	s = random_used_slot(t);
	if (s >= 0 && R(10))
		gpa = slots[s].gpa + R(slot_size(s));
	else
		gpa = GPA_BASE - PAGE + R(GPA_END - GPA_BASE);
	len = 1 + R(MAX_MAP - gpa % PAGE);
	write = R(2);
	s = slot_at(gpa);
	size = s >= 0 ? slot_size(s) : 0;
	cross = s >= 0 && gpa + len > slots[s].gpa + size;
	if (t->vmap.on)
		want = -EBUSY;	/* one vmap per test binder, checked first */
	else if (s < 0 || cross)
		want = -EFAULT;
	else if (write && (slots[s].flags & VAS_MEM_READONLY))
		want = -EPERM;
	else
		want = 0;
	mask = s >= 0 ? 1U << s : 0;
	lock_slots(mask);
	ret = binder_ioctl(t->bfd, VAS_TEST_BINDER_VMAP, write ? VAS_TEST_MAP_WRITE : 0,
		   R(2) ? VAS_TEST_KTHREAD : VAS_TEST_CALLER, gpa, len, NULL);
	if (!t->vmap.on && cross && write && ret == -EPERM &&
	    (slots[s].flags & VAS_MEM_READONLY))
		want = ret;	/* both apply */
	expect(t, want, ret, gpa, len);
	if (!ret && !t->vmap.on) {
		pthread_mutex_lock(&vmaps_lock);
		t->vmap.on = true;
		t->vmap.write = write;
		t->vmap.stale = s < 0;
		t->vmap.slot = s;
		t->vmap.gpa = gpa;
		t->vmap.len = len;
		t->vmap.off = s >= 0 ? gpa - slots[s].gpa : 0;
		pthread_mutex_unlock(&vmaps_lock);
	}
	unlock_slots(mask);
out:
	pthread_rwlock_unlock(&layout);
}

static void op_vmap_rw(struct thr *t, bool write)
{
	uint64_t off, len, i;
	unsigned int mask;
	struct seg seg;
	long ret, want;

	pthread_rwlock_rdlock(&layout);
	write = write && t->vmap.on && t->vmap.write;
	count(t, write ? OP_VMAP_WRITE : OP_VMAP_READ);
	if (!t->vmap.on) {
		ret = binder_ioctl(t->bfd, VAS_TEST_BINDER_VMAP_READ, 0, 0, GPA_BASE, 1, t->buf);
		expect(t, -ENOENT, ret, GPA_BASE, 1);
		goto out;
	}
	mask = vmap_mask(t);
	lock_slots(mask);
	off = R(t->vmap.len);
	len = 1 + R(t->vmap.len - off);
	want = t->vmap.stale ? -ESTALE : 0;
	if (!R(20)) {
		/* just past the end of the mapping */
		off = t->vmap.len;
		len = 1;
		want = t->vmap.stale ? -ESTALE : -EINVAL;
	}
	for (i = 0; i < len; i++)
		t->buf[i] = write ? rnd(&t->rng) : 0xe7;
	ret = binder_ioctl(t->bfd, write ? VAS_TEST_BINDER_VMAP_WRITE :
		   VAS_TEST_BINDER_VMAP_READ, 0, 0, t->vmap.gpa + off, len, t->buf);
	expect(t, want, ret, t->vmap.gpa + off, len);
	if (!ret && !want) {
		seg.slot = t->vmap.slot;
		seg.off = t->vmap.off + off;
		seg.len = len;
		/* a writable vmap's pages are in every harvest anyway */
		if (write)
			check_written(t, &seg, 1, t->buf, false);
		else
			check_read(t, &seg, 1, t->buf, t->vmap.gpa + off);
	}
	unlock_slots(mask);
out:
	pthread_rwlock_unlock(&layout);
}

/* -------------------------------------------------------------- sgmaps */

static unsigned int sg_mask(struct thr *t)
{
	unsigned int mask = segs_mask(t->sg.seg, t->sg.nseg);
	uint64_t a;
	int s;

	/* and whatever its range hits now, for the dirty log at unmap */
	for (a = t->sg.gpa & ~(PAGE - 1); a < t->sg.gpa + t->sg.len; a += PAGE) {
		s = slot_at(a);
		if (s >= 0)
			mask |= 1U << s;
	}
	return mask;
}

/*
 * The sgmap goes away, under the locks of sg_mask(): a writable one logs
 * its range, translated by the layout of now: exactly its own pages if
 * none of its memslots moved, else whatever the range hits now may be.
 */
/*
 * A writable sgmap is logged once more when it goes away, in the logs of
 * the memslots its pages came from, wherever they moved since: every
 * memslot id keeps the same backing buffer here, so that is every id of
 * its segments still in use.
 */
static void sg_gone(struct thr *t)
{
	int k;

	if (!t->sg.on)
		return;
	t->sg.on = false;
	if (!t->sg.write)
		return;
	for (k = 0; k < t->sg.nseg; k++)
		if (slots[t->sg.seg[k].slot].used)
			mark_dirty(t->sg.seg[k].slot, t->sg.seg[k].off,
				   t->sg.seg[k].len, true);
}

/* The part [@off, +@len) of the segments @in */
static int slice(const struct seg *in, int n, uint64_t off, uint64_t len,
		 struct seg *out)
{
	int k, m = 0;

	for (k = 0; k < n && len; k++) {
		if (off >= in[k].len) {
			off -= in[k].len;
			continue;
		}
		out[m] = in[k];
		out[m].off += off;
		out[m].len -= off;
		if (out[m].len > len)
			out[m].len = len;
		len -= out[m].len;
		off = 0;
		m++;
	}
	return m;
}

static void op_sgmap(struct thr *t)
{
	uint64_t gpa, len, ok;
	struct seg seg[8];
	unsigned int mask;
	int err, nseg, k;
	long ret, want;
	bool write;

	pthread_rwlock_rdlock(&layout);
	if (t->sg.on && R(6)) {
		count(t, OP_SGUNMAP);
		mask = sg_mask(t);
		lock_slots(mask);
		ret = binder_ioctl(t->bfd, VAS_TEST_BINDER_SGUNMAP, 0, 0, 0, 0, NULL);
		expect(t, 0, ret, t->sg.gpa, t->sg.len);
		sg_gone(t);
		unlock_slots(mask);
		goto out;
	}
	count(t, OP_SGMAP);
	pick_range(t, MAX_MAP, &gpa, &len);
	write = R(2);
	ok = prefix(gpa, len, write, &err, seg, &nseg);
	want = ok < len ? -err : t->sg.on ? -EBUSY : 0;
	mask = segs_mask(seg, nseg);
	lock_slots(mask);
	ret = binder_ioctl(t->bfd, VAS_TEST_BINDER_SGMAP, write ? VAS_TEST_MAP_WRITE : 0,
		   R(2) ? VAS_TEST_KTHREAD : VAS_TEST_CALLER, gpa, len, NULL);
	expect(t, want, ret, gpa, len);
	/* refused for a second sgmap after it was made: unmapped, so logged */
	for (k = 0; ret == -EBUSY && write && k < nseg; k++)
		mark_dirty(seg[k].slot, seg[k].off, seg[k].len, true);
	if (!ret && !t->sg.on && ok == len) {
		t->sg.on = true;
		t->sg.write = write;
		t->sg.gpa = gpa;
		t->sg.len = len;
		t->sg.nseg = nseg;
		for (k = 0; k < nseg; k++)
			t->sg.seg[k] = seg[k];
	}
	unlock_slots(mask);
out:
	pthread_rwlock_unlock(&layout);
}

static void op_sgmap_rw(struct thr *t, bool write)
{
	uint64_t off, len, i;
	struct seg seg[4];
	unsigned int mask;
	long ret;
	int nseg;

	pthread_rwlock_rdlock(&layout);
	write = write && t->sg.on && t->sg.write;
	count(t, write ? OP_SGMAP_WRITE : OP_SGMAP_READ);
	if (!t->sg.on) {
		ret = binder_ioctl(t->bfd, VAS_TEST_BINDER_SGMAP_READ, 0, 0, GPA_BASE, 1, t->buf);
		expect(t, -ENOENT, ret, GPA_BASE, 1);
		goto out;
	}
	/* not the layout of now: the pages pinned when it was set up */
	mask = segs_mask(t->sg.seg, t->sg.nseg);
	lock_slots(mask);
	if (!R(20)) {
		ret = binder_ioctl(t->bfd, VAS_TEST_BINDER_SGMAP_READ, 0, 0,
			   t->sg.gpa + t->sg.len, 1, t->buf);
		expect(t, -EINVAL, ret, t->sg.gpa + t->sg.len, 1);
		goto unlock;
	}
	off = R(t->sg.len);
	len = 1 + R(t->sg.len - off);
	for (i = 0; i < len; i++)
		t->buf[i] = write ? rnd(&t->rng) : 0xe7;
	ret = binder_ioctl(t->bfd, write ? VAS_TEST_BINDER_SGMAP_WRITE :
		   VAS_TEST_BINDER_SGMAP_READ, 0, 0, t->sg.gpa + off, len, t->buf);
	if (expect(t, 0, ret, t->sg.gpa + off, len)) {
		nseg = slice(t->sg.seg, t->sg.nseg, off, len, seg);
		/* logged at unmap */
		if (write)
			check_written(t, seg, nseg, t->buf, false);
		else
			check_read(t, seg, nseg, t->buf, t->sg.gpa + off);
	}
unlock:
	unlock_slots(mask);
out:
	pthread_rwlock_unlock(&layout);
}

/* ---------------------------------------------------- gfn->pfn caches */

static void op_gpc(struct thr *t)
{
	uint64_t gpa, len;
	long ret, want;
	bool write;
	int s;

	pthread_rwlock_rdlock(&layout);
	if (t->gpc.on && R(8)) {
		count(t, OP_GPC_DEACTIVATE);
		ret = binder_ioctl(t->bfd, VAS_TEST_BINDER_GPC_DEACTIVATE, 0, 0, 0, 0, NULL);
		expect(t, 0, ret, t->gpc.gpa, t->gpc.len);
		t->gpc.on = false;
		goto out;
	}
	count(t, OP_GPC_ACTIVATE);
	s = random_used_slot(t);
	if (s >= 0 && R(10))
		gpa = slots[s].gpa + R(slot_size(s));
	else
		gpa = GPA_BASE - PAGE + R(GPA_END - GPA_BASE);
	len = 1 + R(64);
	if (R(10) && gpa % PAGE + len > PAGE)
		len = PAGE - gpa % PAGE;
	write = R(2);
	s = slot_at(gpa);
	if (gpa % PAGE + len > PAGE)
		want = -EINVAL;
	else if (t->gpc.on)
		want = -EBUSY;
	else if (s < 0)
		want = -EFAULT;
	else if (write && (slots[s].flags & VAS_MEM_READONLY))
		want = -EPERM;
	else
		want = 0;
	if (t->gpc.on && want != -EBUSY) {
		/* which of two errors comes first is not documented */
		binder_ioctl(t->bfd, VAS_TEST_BINDER_GPC_DEACTIVATE, 0, 0, 0, 0, NULL);
		t->gpc.on = false;
	}
	ret = binder_ioctl(t->bfd, VAS_TEST_BINDER_GPC_ACTIVATE,
		   write ? VAS_TEST_MAP_WRITE : 0,
		   R(2) ? VAS_TEST_KTHREAD : VAS_TEST_CALLER, gpa, len, NULL);
	expect(t, want, ret, gpa, len);
	if (!ret && !t->gpc.on) {
		t->gpc.on = true;
		t->gpc.write = write;
		t->gpc.gpa = gpa;
		t->gpc.len = len;
	}
out:
	pthread_rwlock_unlock(&layout);
}

static void op_gpc_rw(struct thr *t, bool write)
{
	unsigned int mask;
	uint64_t len, i;
	struct seg seg;
	long ret, want;
	int s;

	pthread_rwlock_rdlock(&layout);
	write = write && t->gpc.on && t->gpc.write;
	count(t, write ? OP_GPC_WRITE : OP_GPC_READ);
	if (!t->gpc.on) {
		ret = binder_ioctl(t->bfd, VAS_TEST_BINDER_GPC_READ, 0, 0, 0, 1, t->buf);
		expect(t, -EINVAL, ret, 0, 1);
		goto out;
	}
	/* the cache follows its guest address into whatever is there now */
	len = 1 + R(t->gpc.len);
	s = slot_at(t->gpc.gpa);
	if (s < 0)
		want = -EFAULT;
	else if (t->gpc.write && (slots[s].flags & VAS_MEM_READONLY))
		want = -EPERM;	/* a cache for writing cannot refresh */
	else
		want = 0;
	mask = s >= 0 ? 1U << s : 0;
	lock_slots(mask);
	for (i = 0; i < len; i++)
		t->buf[i] = write ? rnd(&t->rng) : 0xe7;
	ret = binder_ioctl(t->bfd, write ? VAS_TEST_BINDER_GPC_WRITE :
		   VAS_TEST_BINDER_GPC_READ, 0, 0, 0, len, t->buf);
	if (ret > 0)
		ret = 0;	/* the number of refreshes it took */
	if (expect(t, want, ret, t->gpc.gpa, len) && !ret) {
		seg.slot = s;
		seg.off = t->gpc.gpa - slots[s].gpa;
		seg.len = len;
		if (write)
			check_written(t, &seg, 1, t->buf, true);
		else
			check_read(t, &seg, 1, t->buf, t->gpc.gpa);
	}
	unlock_slots(mask);
out:
	pthread_rwlock_unlock(&layout);
}

/* A new test binder; the old one is closed with its maps still set up */
static void op_rebind(struct thr *t)
{
	unsigned int mask;

	pthread_rwlock_rdlock(&layout);
	count(t, OP_REBIND);
	mask = vmap_mask(t) | (t->sg.on ? sg_mask(t) : 0);
	lock_slots(mask);
	pthread_mutex_lock(&fork_lock);
	close(t->bfd);
	pthread_mutex_unlock(&fork_lock);
	vmap_gone(t);
	sg_gone(t);
	t->gpc.on = false;
	t->bfd = vas_test_bind(vfd);
	if (t->bfd < 0)
		ksft_exit_fail_msg("thread %d: bind: %s\n", t->id, strerror(-t->bfd));
	unlock_slots(mask);
	pthread_rwlock_unlock(&layout);
}

/* ----------------------------------------------------------- dirty log */

static void op_dirty(struct thr *t, enum op op)
{
	uint64_t bm[LOG_WORDS + 1], vm[LOG_WORDS] = {}, lost[LOG_WORDS] = {};
	uint64_t vmove[LOG_WORDS];
	uint64_t extra[LOG_WORDS + 1] = {}, first = 0, num, p;
	unsigned int words;
	bool bad = false;
	long ret;
	int s, i, k;

	pthread_rwlock_rdlock(&layout);
	count(t, op);
	s = R(NSLOTS);
	for (i = 0; i < NSLOTS && R(5) && !logging(s); i++)
		s = (s + 1) % NSLOTS;
	pthread_mutex_lock(&slots[s].lock);
	words = (slots[s].npages + 63) / 64;
	num = slots[s].npages;
	if (op == OP_DIRTY_CLEAR) {
		for (i = 0; i <= LOG_WORDS; i++)
			bm[i] = rnd(&t->rng) & rnd(&t->rng);
		if (num > 64 && R(3)) {
			first = R(2) ? 64 : 0;
			num = first ? num - 64 : 64;
		}
		if (!R(20)) {
			bad = true;
			first = R(2);
			num = first ? 1 : slots[s].npages + 1;
		}
		ret = clear_dirty_log(vfd, s, first, num, bm);
		/* a misaligned start is refused before the memslot is looked up */
		if (!expect(t, bad && first ? -EINVAL : !logging(s) ? -ENOENT :
			    bad ? -EINVAL : 0, ret, s, num) ||
		    ret)
			goto unlock;
		for (p = 0; p < num; p++)
			if (bit(bm, p)) {
				slots[s].must[(first + p) / 64] &= ~(1ULL << ((first + p) % 64));
				slots[s].may[(first + p) / 64] &= ~(1ULL << ((first + p) % 64));
				slots[s].vmove[(first + p) / 64] &= ~(1ULL << ((first + p) % 64));
			}
		goto unlock;
	}

	memset(bm, 0, sizeof(bm));
	bm[words] = 0x5a5a5a5a5a5a5a5aULL;
	pthread_mutex_lock(&vmaps_lock);
	for (i = 0; i < nthreads; i++) {
		struct thr *o = thr[i];

		if (o->vmap.on && o->vmap.write && !o->vmap.stale && o->vmap.slot == s)
			set_bits(vm, o->vmap.off / PAGE,
				 (o->vmap.off + o->vmap.len - 1) / PAGE);
		/* so are a writable sgmap's, in the memslots they came from */
		for (k = 0; o->sg.on && o->sg.write && k < o->sg.nseg; k++)
			if (o->sg.seg[k].slot == s)
				set_bits(vm, o->sg.seg[k].off / PAGE,
					 (o->sg.seg[k].off + o->sg.seg[k].len - 1) /
					 PAGE);
	}
	pthread_mutex_unlock(&vmaps_lock);
	ret = get_dirty_log(vfd, s, op == OP_DIRTY_KEEP ? VAS_DIRTY_LOG_KEEP : 0, bm);
	if (!expect(t, logging(s) ? 0 : -ENOENT, ret, s, 0) || ret)
		goto unlock;
	if (bm[words] != 0x5a5a5a5a5a5a5a5aULL)
		report(t, K_ERRNO, "slot %d: GET_DIRTY_LOG wrote past %u words", s, words);
	for (p = 0; p < (uint64_t)words * 64; p++) {
		bool need = p < slots[s].npages &&
			    (bit(slots[s].must, p) || bit(vm, p));
		bool allow = need || (p < slots[s].npages && bit(slots[s].may, p));

		if (need && !bit(bm, p))
			lost[p / 64] |= 1ULL << (p % 64);
		if (!allow && bit(bm, p))
			extra[p / 64] |= 1ULL << (p % 64);
	}
	for (i = 0; i < (int)words; i++) {
		/* reported apart: pages only a move's vmap teardown should log */
		vmove[i] = lost[i] & slots[s].vmove[i];
		lost[i] &= ~vmove[i];
		if (vmove[i])
			report(t, K_DIRTY_VMAP_MOVE, "slot %d at %#llx word %d: pages %#llx of a writable vmap its move tore down are not in the log %#llx",
			       s, (unsigned long long)slots[s].gpa, i,
			       (unsigned long long)vmove[i], (unsigned long long)bm[i]);
		if (lost[i])
			report(t, K_DIRTY_LOST, "slot %d at %#llx word %d: pages %#llx written but not in the log %#llx (vmap pages %#llx)",
			       s, (unsigned long long)slots[s].gpa, i,
			       (unsigned long long)lost[i], (unsigned long long)bm[i],
			       (unsigned long long)vm[i]);
		if (extra[i])
			report(t, K_DIRTY_EXTRA, "slot %d at %#llx word %d: pages %#llx in the log %#llx but never written",
			       s, (unsigned long long)slots[s].gpa, i,
			       (unsigned long long)extra[i], (unsigned long long)bm[i]);
	}
	for (i = 0; i < LOG_WORDS; i++) {
		if (op == OP_DIRTY_KEEP) {
			slots[s].must[i] |= i < (int)words ? bm[i] : 0;
			slots[s].may[i] |= i < (int)words ? bm[i] : 0;
		} else {
			slots[s].must[i] = 0;
			slots[s].may[i] = 0;
			slots[s].vmove[i] = 0;
		}
	}
unlock:
	pthread_mutex_unlock(&slots[s].lock);
	pthread_rwlock_unlock(&layout);
}

/* ------------------------------------------------------ memslot changes */

static bool pos_free(int pos, int except)
{
	int s;

	for (s = 0; s < NSLOTS; s++)
		if (slots[s].used && s != except && slots[s].pos == pos)
			return false;
	return true;
}

/* Applies a change the kernel made to the model; under the write lock */
static void apply_change(int s, enum op kind, int pos, bool end, uint32_t flags)
{
	struct slot *sl = &slots[s];
	bool old_log = logging(s), made_ro;
	uint64_t old_gpa = sl->gpa, a;
	int i, s2;

	made_ro = kind == OP_FLAGS && !(sl->flags & VAS_MEM_READONLY) &&
		  (flags & VAS_MEM_READONLY);
	if (kind == OP_DELETE) {
		sl->used = false;
	} else {
		sl->used = true;
		sl->pos = pos;
		sl->end = end;
		sl->gpa = pos_gpa(pos, end, sl->npages);
		sl->flags = flags;
	}
	if (!old_log || !logging(s)) {
		memset(sl->must, 0, sizeof(sl->must));
		memset(sl->may, 0, sizeof(sl->may));
		memset(sl->vmove, 0, sizeof(sl->vmove));
	}

	/* the vmaps it broke: told before the call returned */
	for (i = 0; i < nthreads; i++) {
		struct thr *o = thr[i];

		if (!o->vmap.on || o->vmap.stale || o->vmap.slot != s)
			continue;
		if (kind != OP_DELETE && kind != OP_MOVE && !(made_ro && o->vmap.write))
			continue;
		o->vmap.stale = true;
		if (!o->vmap.write || kind == OP_DELETE)
			continue;
		/*
		 * The log survives: a writable vmap is reported once more,
		 * into the log that was on while it could write
		 */
		if (!old_log)
			continue;
		mark_dirty(s, o->vmap.off, o->vmap.len, true);
		if (kind == OP_MOVE && logging(s))
			set_bits(sl->vmove, o->vmap.off / PAGE,
				 (o->vmap.off + o->vmap.len - 1) / PAGE);
		/* wherever its old guest range lands now may be too */
		for (a = (old_gpa + o->vmap.off) & ~(PAGE - 1);
		     a < old_gpa + o->vmap.off + o->vmap.len; a += PAGE) {
			s2 = slot_at(a);
			if (s2 >= 0)
				mark_dirty(s2, a - slots[s2].gpa, 1, false);
		}
	}
}

static void op_memslot(struct thr *t)
{
	uint32_t flags = (R(10) < 3 ? VAS_MEM_READONLY : 0) |
			 (R(2) ? VAS_MEM_LOG_DIRTY_PAGES : 0);
	int s = R(NSLOTS), pos = R(NPOS), s2, i, veto = 0;
	bool end = R(2);
	unsigned int r = R(100);
	struct slot *sl = &slots[s];
	struct vas_test_event events[16];
	enum op kind;
	uint64_t gpa;
	long ret, want = 0;

	pthread_rwlock_wrlock(&layout);
	for (i = 0; i < NPOS && !pos_free(pos, s); i++)
		pos = (pos + 1) % NPOS;
	gpa = pos_gpa(pos, end, sl->npages);

	if (r < 8) {
		count(t, OP_BAD_SET);
		s2 = random_used_slot(t);
		if (!sl->used && R(2)) {
			ret = set_memslot(vfd, s, 0, 0, 0, NULL);
			want = -ENOENT;
		} else if (sl->used && R(2)) {
			ret = set_memslot(vfd, s, flags, sl->gpa, slot_size(s) + PAGE,
					  sl->mem);
			want = -EINVAL;
		} else if (s2 >= 0 && s2 != s) {
			ret = set_memslot(vfd, s, flags, slots[s2].gpa, slot_size(s),
					  sl->mem);
			want = -EEXIST;
		} else {
			ret = set_memslot(vfd, s, flags, gpa + 512, slot_size(s),
					  sl->mem);
			want = -EINVAL;
		}
		expect(t, want, ret, s, 0);
		goto out;
	}
	if (!sl->used)
		kind = OP_CREATE;
	else if (r < 30)
		kind = OP_DELETE;
	else if (r < 70)
		kind = OP_MOVE;
	else
		kind = OP_FLAGS;
	if (kind == OP_FLAGS) {
		pos = sl->pos;
		end = sl->end;
		gpa = sl->gpa;
	}
	if (kind != OP_DELETE && !pos_free(pos, s))
		goto out;	/* nowhere to go */
	if (kind == OP_MOVE && gpa == sl->gpa)
		kind = OP_FLAGS;
	if (r < 14) {
		/* a binder vetoes it: nothing changes */
		veto = R(2) ? EBUSY : EXDEV;
		ret = binder_cmd(veto_bfd, VAS_TEST_BINDER_SET_VETO, veto, 0, 0, NULL);
		expect(t, 0, ret, 0, 0);
		count(t, OP_VETO);
	} else {
		count(t, kind);
	}
	if (kind == OP_DELETE)
		ret = set_memslot(vfd, s, 0, 0, 0, NULL);
	else
		ret = set_memslot(vfd, s, flags, gpa, slot_size(s), sl->mem);
	if (veto) {
		binder_cmd(veto_bfd, VAS_TEST_BINDER_SET_VETO, 0, 0, 0, NULL);
		/* a no-op reaches no binder */
		want = kind == OP_FLAGS && flags == sl->flags ? 0 : -veto;
		expect(t, want, ret, gpa, s);
		binder_events(veto_bfd, events, ARRAY_SIZE(events));
		goto out;
	}
	if (expect(t, 0, ret, gpa, s))
		apply_change(s, kind, pos, end, flags);
out:
	pthread_rwlock_unlock(&layout);
}

/* Whole owner memory against the model; with the layout write-locked */
static void check_all(struct thr *t)
{
	uint64_t i;
	int s;

	for (s = 0; s < NSLOTS; s++) {
		for (i = 0; i < slot_size(s); i++)
			if (slots[s].mem[i] != slots[s].model[i])
				break;
		if (i == slot_size(s))
			continue;
		report(t, K_WRITE, "slot %d offset %#llx: owner memory %#x, model %#x",
		       s, (unsigned long long)i, slots[s].mem[i], slots[s].model[i]);
		memcpy(slots[s].model, slots[s].mem, slot_size(s));
	}
}

static void op_check_all(struct thr *t)
{
	pthread_rwlock_wrlock(&layout);
	count(t, OP_CHECK_ALL);
	check_all(t);
	pthread_rwlock_unlock(&layout);
}

/* ------------------------------------------- a binder outliving its fd */

#define SCRATCH_GPA	0x10000000ULL

static void op_scratch(struct thr *t)
{
	uint64_t g = SCRATCH_GPA;
	int sfd, bfd, dfd, i;
	unsigned char *mem;
	long ret;

	count(t, OP_SCRATCH);
	mem = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return;
	madvise(mem, 4 * PAGE, MADV_DONTFORK);
	fill(mem, 4 * PAGE, t->id);
	sfd = sys_vas_create(R(2) ? VAS_CLOEXEC : 0);
	if (!expect(t, 0, sfd < 0 ? sfd : 0, 0, 0))
		goto out_unmap;
	ret = set_memslot(sfd, 0, VAS_MEM_LOG_DIRTY_PAGES, g, 4 * PAGE, mem);
	expect(t, 0, ret, g, 4 * PAGE);
	/* bound through a copy of the fd; every copy is closed */
	dfd = dup(sfd);
	bfd = vas_test_bind(R(2) ? dfd : sfd);
	close(sfd);
	close(dfd);
	if (!expect(t, 0, bfd < 0 ? bfd : 0, g, 0))
		goto out_unmap;

	for (i = 0; i < 256; i++)
		t->buf[i] = rnd(&t->rng);
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_WRITE, 0, 0, g + PAGE + 5, 256, t->buf);
	if (expect(t, 0, ret, g + PAGE + 5, 256) && memcmp(mem + PAGE + 5, t->buf, 256))
		report(t, K_WRITE, "scratch vas: binder write missed owner memory");
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_READ, 0, 0, g + 2 * PAGE, 64, t->got);
	if (expect(t, 0, ret, g + 2 * PAGE, 64) && memcmp(mem + 2 * PAGE, t->got, 64))
		report(t, K_READ, "scratch vas: binder read wrong data");
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_VMAP, VAS_TEST_MAP_WRITE,
		   R(2) ? VAS_TEST_KTHREAD : VAS_TEST_CALLER, g, 2 * PAGE, NULL);
	expect(t, 0, ret, g, 2 * PAGE);
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_VMAP_WRITE, 0, 0, g + 10, 100, t->buf + 100);
	if (expect(t, 0, ret, g + 10, 100) && memcmp(mem + 10, t->buf + 100, 100))
		report(t, K_WRITE, "scratch vas: vmap write missed owner memory");
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_GPC_ACTIVATE, 0,
		   R(2) ? VAS_TEST_KTHREAD : VAS_TEST_CALLER, g + 3 * PAGE + 8, 16, NULL);
	expect(t, 0, ret, g + 3 * PAGE + 8, 16);
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_GPC_READ, 0, 0, 0, 16, t->got);
	if (expect(t, 0, ret < 0 ? ret : 0, g + 3 * PAGE + 8, 16) &&
	    memcmp(mem + 3 * PAGE + 8, t->got, 16))
		report(t, K_READ, "scratch vas: gpc read wrong data");

	/*
	 * The owner replaces memory under the vmap: it is gone at once.
	 * (Not munmap(): another thread could map something there.)
	 */
	mmap(mem + PAGE, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
	     -1, 0);
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_VMAP_READ, 0, 0, g, 1, t->got);
	expect(t, -ESTALE, ret, g, 1);
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_READ, 0, 0, g + PAGE, 1, t->got);
	expect(t, -EFAULT, ret, g + PAGE, 1);
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_READ, 0, 0, g, 8, t->got);
	expect(t, 0, ret, g, 8);
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_GPC_READ, 0, 0, 0, 16, t->got);
	expect(t, 0, ret < 0 ? ret : 0, g + 3 * PAGE + 8, 16);
	mmap(mem, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
	     -1, 0);
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_GPC_READ, 0, 0, 0, 16, t->got);
	expect(t, -EFAULT, ret, g + 3 * PAGE + 8, 16);
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, 0, NULL);
	expect(t, 0, ret, g, 0);
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_VMAP, 0, 0, g, PAGE, NULL);
	expect(t, -EFAULT, ret, g, PAGE);
	close(bfd);
out_unmap:
	munmap(mem, 4 * PAGE);
}

/* ------------------------------------------------------- owners exiting */

#define CHILD_GPA	0x20000000ULL
#define CHILD_POS	6
#define CPOS(p)		(CHILD_GPA + (p) * 4 * PAGE)

/* What every byte of a child's guest memory holds */
static unsigned char cpat(uint64_t gpa)
{
	return (gpa % PAGE) * 7 + 3;
}

/*
 * A forked child owning a vas: two memslots of 4 pages over 6 places, a
 * binder with a writable vmap. It hands its vas and binder fds over, then
 * moves, deletes, recreates and write-protects its memslots until it exits
 * or is killed. Only syscalls here: other threads may hold libc locks.
 */
static void __noreturn child_main(int sock, uint64_t rng)
{
	int cfd, cbfd, pos[2] = { 0, 2 }, i, s, p, ro[2] = {};
	unsigned char *mem, go[2];

	close_fds_except(sock, vfd);
	mem = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		_exit(10);
	for (i = 0; i < 8 * (int)PAGE; i++)
		mem[i] = cpat(i);
	cfd = sys_vas_create(0);
	if (cfd < 0 || set_memslot(cfd, 0, 0, CPOS(0), 4 * PAGE, mem) ||
	    set_memslot(cfd, 1, 0, CPOS(2), 4 * PAGE, mem + 4 * PAGE))
		_exit(11);
	cbfd = vas_test_bind(cfd);
	if (cbfd < 0 || binder_ioctl(cbfd, VAS_TEST_BINDER_VMAP, VAS_TEST_MAP_WRITE, 0,
			     CPOS(2), PAGE, NULL))
		_exit(12);
	/* a forked child of our owner may not change our memslots */
	go[0] = set_memslot(vfd, 0, 0, 0, 0, NULL) == -EPERM;
	if (send_fd(sock, cfd) || send_fd(sock, cbfd) || write(sock, go, 1) != 1)
		_exit(13);
	if (read(sock, go, 2) != 2)
		_exit(14);
	for (i = 0; i < go[0]; i++) {
		s = rnd(&rng) % 2;
		p = rnd(&rng) % CHILD_POS;
		switch (rnd(&rng) % 4) {
		case 0:
			if (pos[s] >= 0 && p != pos[!s] &&
			    !set_memslot(cfd, s, ro[s], CPOS(p), 4 * PAGE,
					 mem + s * 4 * PAGE))
				pos[s] = p;
			break;
		case 1:
			if (pos[s] >= 0 && !set_memslot(cfd, s, 0, 0, 0, NULL))
				pos[s] = -1;
			else if (pos[s] < 0 && p != pos[!s] &&
				 !set_memslot(cfd, s, 0, CPOS(p), 4 * PAGE,
					      mem + s * 4 * PAGE))
				pos[s] = p, ro[s] = 0;
			break;
		case 2:
			if (pos[s] >= 0 &&
			    !set_memslot(cfd, s, ro[s] ^ VAS_MEM_READONLY,
					 CPOS(pos[s]), 4 * PAGE, mem + s * 4 * PAGE))
				ro[s] ^= VAS_MEM_READONLY;
			break;
		default:
			/* same bytes again, through its own vmap */
			binder_ioctl(cbfd, VAS_TEST_BINDER_VMAP_WRITE, 0, 0, CPOS(2) + 64, 64,
			     mem + 4 * PAGE + 64);
			break;
		}
		usleep(rnd(&rng) % 2000);
	}
	_exit(0);
}

static void check_cpat(struct thr *t, const unsigned char *buf, uint64_t gpa,
		       uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != cpat(gpa + i)) {
			report(t, K_OWNER_EXIT, "child vas gpa %#llx: want %#x, read %#x",
			       (unsigned long long)(gpa + i), cpat(gpa + i), buf[i]);
			return;
		}
}

/* One access to a child's vas; once @dead, all fail as documented */
static void owner_access(struct thr *t, int which, int cfd, int bfd, int cbfd,
			 bool dead)
{
	uint64_t gpa = CHILD_GPA - PAGE + R((CHILD_POS + 2) * 4 * PAGE);
	uint64_t len = 1 + R(2 * PAGE), i;
	long ret = 0, alive_ok = 0;
	ssize_t n;

	memset(t->got, 0xe7, len);
	switch (which) {
	case 0:
		n = pread(cfd, t->got, len, gpa);
		ret = n < 0 ? -errno : 0;
		if (n > 0)
			check_cpat(t, t->got, gpa, n);
		break;
	case 1:
		for (i = 0; i < len; i++)
			t->buf[i] = cpat(gpa + i);
		n = pwrite(cfd, t->buf, len, gpa);
		ret = n < 0 ? -errno : 0;
		alive_ok = -EPERM;
		break;
	case 2:
	case 3:
		ret = vas_test_access(cfd, VAS_TEST_OP_READ, which == 2 ?
				      VAS_TEST_CALLER : VAS_TEST_KTHREAD,
				      gpa, t->got, len, NULL);
		break;
	case 4:
		ret = vas_test_access_via_fd(vfd, cfd, VAS_TEST_OP_READ,
					     R(2) ? VAS_TEST_CALLER : VAS_TEST_KTHREAD,
					     gpa, t->got, len);
		break;
	case 5:
	case 6:
		ret = binder_ioctl(which == 5 ? bfd : cbfd, VAS_TEST_BINDER_READ, 0, 0,
			   gpa, len, t->got);
		break;
	case 7:
		gpa = CPOS(0) + R(PAGE - 8);
		len = 1 + R(8);
		ret = binder_ioctl(bfd, VAS_TEST_BINDER_VMAP_READ, 0, 0, gpa, len, t->got);
		alive_ok = -ESTALE;
		break;
	case 8:
		gpa = CPOS(2) + R(PAGE - 8);
		len = 1 + R(8);
		ret = binder_ioctl(cbfd, VAS_TEST_BINDER_VMAP_READ, 0, 0, gpa, len, t->got);
		alive_ok = -ESTALE;
		break;
	default:
		gpa = CPOS(0) + 8;
		len = 8;
		ret = binder_ioctl(bfd, VAS_TEST_BINDER_GPC_READ, 0, 0, 0, len, t->got);
		if (ret > 0)
			ret = 0;
		break;
	}
	if (dead) {
		/*
		 * The vmaps were torn down at exit; all else has no owner,
		 * but the cache looks its memslot up first.
		 */
		expect(t, which == 7 || which == 8 ? -ESTALE :
		       which == 9 && ret == -EFAULT ? ret : -ESRCH, ret, gpa, len);
		return;
	}
	if (!ret && which && which != 1)
		check_cpat(t, t->got, gpa, len);
	if (ret && ret != -EFAULT && ret != -ESRCH && ret != alive_ok)
		report(t, K_OWNER_EXIT, "access %d to a child's vas at %#llx: %s",
		       which, (unsigned long long)gpa, strerror(-ret));
}

static void op_owner_exit(struct thr *t)
{
	int sv[2], cfd = -1, cbfd = -1, bfd = -1, status, i, mode, kill_at;
	uint64_t crng = rnd(&t->rng) | 1, bm[1];
	unsigned char go[2];
	bool reaped = false;
	pid_t pid;
	long ret;

	count(t, OP_OWNER_EXIT);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return;
	pthread_mutex_lock(&fork_lock);
	pid = fork();
	if (!pid)
		child_main(sv[1], crng);
	close(sv[1]);
	if (pid < 0) {
		pthread_mutex_unlock(&fork_lock);
		close(sv[0]);
		return;
	}
	/* it has closed what it inherited once it sends its own */
	cfd = recv_fd(sv[0]);
	pthread_mutex_unlock(&fork_lock);
	cbfd = recv_fd(sv[0]);
	if (cfd < 0 || cbfd < 0 || read(sv[0], go, 1) != 1) {
		report(t, K_OWNER_EXIT, "child owner could not set up");
		goto kill;
	}
	if (!go[0])
		report(t, K_ERRNO, "a forked child changed its parent's memslots");
	bfd = vas_test_bind(cfd);
	if (!expect(t, 0, bfd < 0 ? bfd : 0, 0, 0))
		goto kill;
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_VMAP, 0, R(2), CPOS(0), PAGE, NULL);
	expect(t, 0, ret, CPOS(0), PAGE);
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_GPC_ACTIVATE, 0, R(2), CPOS(0) + 8, 8, NULL);
	expect(t, 0, ret, CPOS(0) + 8, 8);

	/* 0: it exits by itself; 1: killed while in use; 2: killed at once */
	mode = R(3);
	kill_at = mode == 2 ? 0 : R(20);
	go[0] = 1 + R(30);
	go[1] = 0;
	if (write(sv[0], go, 2) != 2)
		report(t, K_OWNER_EXIT, "child owner died early");
	for (i = 0; !reaped && i < 400; i++) {
		if (mode && i == kill_at)
			kill(pid, SIGKILL);
		owner_access(t, R(10), cfd, bfd, cbfd, false);
		if (waitpid(pid, &status, WNOHANG) == pid)
			reaped = true;
	}
kill:
	if (!reaped) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status))
		report(t, K_OWNER_EXIT, "child owner exited with %d", WEXITSTATUS(status));
	if (cfd < 0 || cbfd < 0 || bfd < 0)
		goto out;

	/* the owner is gone: every path fails cleanly */
	for (i = 0; i < 10; i++)
		owner_access(t, i, cfd, bfd, cbfd, true);
	expect(t, -EPERM, set_memslot(cfd, 0, 0, 0, 0, NULL), 0, 0);
	/* only the owner may clear the log; anyone may read it */
	expect(t, -EPERM, get_dirty_log(cfd, 0, 0, bm), 0, 0);
	expect(t, -ENOENT, get_dirty_log(cfd, 0, VAS_DIRTY_LOG_KEEP, bm), 0, 0);
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, 0, NULL);
	expect(t, 0, ret, 0, 0);
	/* the child's last layout is unknown: its hole would say EFAULT */
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_VMAP, 0, R(2), CPOS(0), PAGE, NULL);
	expect(t, ret == -EFAULT ? ret : -ESRCH, ret, CPOS(0), PAGE);
	ret = binder_ioctl(bfd, VAS_TEST_BINDER_SGMAP, 0, R(2), CPOS(0), PAGE, NULL);
	expect(t, ret == -EFAULT ? ret : -ESRCH, ret, CPOS(0), PAGE);
	/* and the binders outlive the vas fd */
	close(cfd);
	cfd = -1;
	owner_access(t, 5, cfd, bfd, cbfd, true);
	owner_access(t, 6, cfd, bfd, cbfd, true);
	owner_access(t, 9, cfd, bfd, cbfd, true);
out:
	if (cfd >= 0)
		close(cfd);
	if (cbfd >= 0)
		close(cbfd);
	if (bfd >= 0)
		close(bfd);
	close(sv[0]);
}

/* ---------------------------------------------------------------- main */

static const struct {
	enum op op;
	unsigned int weight;
} mix[] = {
	{ OP_CREATE, 50 },	/* any memslot change */
	{ OP_DIRTY_GET, 30 }, { OP_DIRTY_KEEP, 20 }, { OP_DIRTY_CLEAR, 20 },
	{ OP_PREAD, 60 }, { OP_PWRITE, 60 }, { OP_DUP_READ, 15 }, { OP_DUP_WRITE, 15 },
	{ OP_REMOTE_READ, 12 }, { OP_REMOTE_WRITE, 12 },
	{ OP_REMOTE_TEST_READ, 12 }, { OP_REMOTE_TEST_WRITE, 12 },
	{ OP_TEST_READ, 45 }, { OP_TEST_WRITE, 45 },
	{ OP_KTHREAD_READ, 25 }, { OP_KTHREAD_WRITE, 25 },
	{ OP_VIAFD_READ, 15 }, { OP_VIAFD_WRITE, 15 },
	{ OP_BINDER_READ, 35 }, { OP_BINDER_WRITE, 35 },
	{ OP_VMAP, 50 }, { OP_VMAP_READ, 45 }, { OP_VMAP_WRITE, 45 },
	{ OP_SGMAP, 40 }, { OP_SGMAP_READ, 30 }, { OP_SGMAP_WRITE, 30 },
	{ OP_GPC_ACTIVATE, 40 }, { OP_GPC_READ, 35 }, { OP_GPC_WRITE, 35 },
	{ OP_REBIND, 8 }, { OP_SCRATCH, 8 }, { OP_OWNER_EXIT, 8 },
	{ OP_CHECK_ALL, 8 },
};

static void *thread_main(void *arg)
{
	unsigned int total = 0, r, i;
	struct thr *t = arg;
	enum op op;

	for (i = 0; i < ARRAY_SIZE(mix); i++)
		total += mix[i].weight;
	while (now() < t_end) {
		r = R(total);
		for (i = 0; r >= mix[i].weight; i++)
			r -= mix[i].weight;
		op = mix[i].op;
		switch (op) {
		case OP_CREATE:
			op_memslot(t);
			break;
		case OP_DIRTY_GET:
		case OP_DIRTY_KEEP:
		case OP_DIRTY_CLEAR:
			op_dirty(t, op);
			break;
		case OP_VMAP:
			op_vmap(t);
			break;
		case OP_VMAP_READ:
		case OP_VMAP_WRITE:
			op_vmap_rw(t, op == OP_VMAP_WRITE);
			break;
		case OP_SGMAP:
			op_sgmap(t);
			break;
		case OP_SGMAP_READ:
		case OP_SGMAP_WRITE:
			op_sgmap_rw(t, op == OP_SGMAP_WRITE);
			break;
		case OP_GPC_ACTIVATE:
			op_gpc(t);
			break;
		case OP_GPC_READ:
		case OP_GPC_WRITE:
			op_gpc_rw(t, op == OP_GPC_WRITE);
			break;
		case OP_REBIND:
			op_rebind(t);
			break;
		case OP_SCRATCH:
			op_scratch(t);
			break;
		case OP_OWNER_EXIT:
			op_owner_exit(t);
			break;
		case OP_CHECK_ALL:
			op_check_all(t);
			break;
		default:
			count(t, op);
			do_access(t, op);
			break;
		}
	}
	t->cur = "done";
	atomic_fetch_add(&finished, 1);
	return NULL;
}

/* -M 1: a byte of each memslot's owner memory changes behind the vas' back */
static void break_once(void)
{
	int s;

	if (break_model != 1) {
		atomic_store(&break_pending, break_model);
		return;
	}
	pthread_rwlock_wrlock(&layout);
	for (s = 0; s < NSLOTS; s++)
		if (slots[s].used)
			slots[s].mem[PAGE + PAGE / 2] ^= 0x5a;
	pthread_rwlock_unlock(&layout);
	ksft_print_msg("-M 1: corrupted owner memory of each memslot at %#lx\n",
		       PAGE + PAGE / 2);
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-d SECONDS] [-s SEED] [-t THREADS] [-M 1|2|3]\n",
		prog);
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	bool broke = false;
	uint64_t rng;
	double hang_at;
	int opt, i, s, sv[2];
	unsigned long total = 0;
	pthread_rwlockattr_t attr;

	/* memslot changes must not starve behind a stream of accesses */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
				      PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&layout, &attr);
	seed = (unsigned long long)time(NULL) * 1000003 ^ getpid();
	while ((opt = getopt(argc, argv, "d:s:t:M:")) != -1) {
		switch (opt) {
		case 'd':
			duration = atoi(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			nthreads = atoi(optarg);
			if (nthreads < 1 || nthreads > MAX_THREADS)
				usage(argv[0]);
			break;
		case 'M':
			break_model = atoi(optarg);
			break;
		default:
			usage(argv[0]);
		}
	}
	ksft_print_header();
	ksft_set_plan(1);
	ksft_print_msg("seed %llu, %d threads, %d s (rerun: -s %llu -d %d -t %d)\n",
		       seed, nthreads, duration, seed, duration, nthreads);
	fflush(stdout);
	rng = seed * 2 + 1;

	vfd = sys_vas_create(0);
	if (vfd < 0) {
		ksft_test_result_skip("vas_create: %s\n", strerror(errno));
		ksft_finished();
	}
	if (vas_test_access(vfd, VAS_TEST_OP_READ, VAS_TEST_CALLER, 0,
			    &opt, 0, NULL) == -ENOTTY) {
		ksft_test_result_skip("CONFIG_VAS_TEST is off\n");
		ksft_finished();
	}
	veto_bfd = vas_test_bind(vfd);
	if (veto_bfd < 0)
		ksft_exit_fail_msg("bind: %s\n", strerror(-veto_bfd));

	for (s = 0; s < NSLOTS; s++) {
		struct slot *sl = &slots[s];

		sl->npages = slot_pages[s];
		sl->mem = mmap(NULL, slot_size(s), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		sl->model = malloc(slot_size(s));
		if (sl->mem == MAP_FAILED || !sl->model)
			ksft_exit_fail_msg("out of memory\n");
		/* no fork, THP or COW may move the pages under a vmap */
		madvise(sl->mem, slot_size(s), MADV_DONTFORK);
		madvise(sl->mem, slot_size(s), MADV_NOHUGEPAGE);
		fill(sl->mem, slot_size(s), s * 37 + 1);
		memcpy(sl->model, sl->mem, slot_size(s));
		pthread_mutex_init(&sl->lock, NULL);
		if (s >= 6)
			continue;
		sl->used = true;
		sl->pos = s * 2;
		sl->end = s % 2;
		sl->gpa = pos_gpa(sl->pos, sl->end, sl->npages);
		sl->flags = rnd(&rng) % 2 ? VAS_MEM_LOG_DIRTY_PAGES : 0;
		if (set_memslot(vfd, s, sl->flags, sl->gpa, slot_size(s), sl->mem))
			ksft_exit_fail_msg("set_memslot: %s\n", strerror(errno));
	}

	for (i = 0; i < nthreads; i++) {
		struct thr *t = calloc(1, sizeof(*t));

		if (!t)
			ksft_exit_fail_msg("out of memory\n");
		thr[i] = t;
		t->id = i;
		t->rng = rnd(&rng) | 1;
		t->bfd = vas_test_bind(vfd);
		if (t->bfd < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			ksft_exit_fail_msg("bind: %s\n", strerror(-t->bfd));
		fflush(stdout);
		t->hpid = fork();
		if (!t->hpid) {
			close(sv[0]);
			helper_main(sv[1]);
		}
		close(sv[1]);
		t->hsock = sv[0];
		if (t->hpid < 0 || read(t->hsock, &opt, 1) != 1)
			ksft_exit_fail_msg("helper process: %s\n", strerror(errno));
	}

	t_start = now();
	t_end = t_start + duration;
	hang_at = t_end + 300;
	for (i = 0; i < nthreads; i++)
		pthread_create(&thr[i]->tid, NULL, thread_main, thr[i]);
	while (atomic_load(&finished) < nthreads) {
		usleep(100000);
		if (break_model && !broke && now() > t_start + duration / 3.0) {
			break_once();
			broke = true;
		}
		if (now() > hang_at) {
			for (i = 0; i < nthreads; i++)
				ksft_print_msg("thread %d stuck in op #%lu %s\n", i,
					       thr[i]->nops, thr[i]->cur);
			ksft_exit_fail_msg("no progress %d s after the end\n",
					   (int)(hang_at - t_end));
		}
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(thr[i]->tid, NULL);
		kill(thr[i]->hpid, SIGKILL);
		waitpid(thr[i]->hpid, NULL, 0);
		close(thr[i]->bfd);
	}
	check_all(NULL);

	ksft_print_msg("seed %llu: %.1f s, %d threads\n", seed, now() - t_start,
		       nthreads);
	for (i = 0; i < NR_OPS; i++) {
		total += op_count[i];
		ksft_print_msg("  %-20s %lu\n", op_names[i], op_count[i]);
	}
	ksft_print_msg("  %-20s %lu\n", "total", total);
	for (i = 0; i < NR_KINDS; i++)
		if (kind_count[i])
			ksft_print_msg("mismatches (%s): %lu\n", kind_names[i],
				       kind_count[i]);
	ksft_print_msg("mismatches: %lu\n", atomic_load(&mismatches));
	ksft_test_result(!atomic_load(&mismatches),
			 "random operations agree with the model (seed %llu)\n", seed);
	ksft_finished();
}
