// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the vbus core through its echo device: every ioctl of /dev/vbus
 * and each of its errors, calls and ioq rings with shm-signals driven by a
 * userspace guest whose memory is reached at guest-physical addresses that
 * differ from its own (vbus_guest.h), the dirty log, memslot changes under
 * live shared memory, the bus closed mid-call, calls from a process that
 * is not the vas owner, and module unload while devices exist.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vbus_guest.h"

#define NUM		64			/* descriptors per ring */
#define REQ_RING	(VBG_MEM_GPA + 0x0000)
#define REP_RING	(VBG_MEM_GPA + 0x1000)
#define CALL_DATA	(VBG_MEM_GPA + 0x2000)
#define STATS_DATA	(VBG_MEM_GPA + 0x2100)
#define REQ_BUF		(VBG_MEM_GPA + 0x10000)	/* NUM pages */
#define REP_BUF		(VBG_MEM_GPA + 0x100000)	/* NUM pages */
#define UNTOUCHED	(VBG_MEM_GPA + 0x200000)
#define COPY_SRC	(VBG_MEM_GPA + 0x300000)
#define COPY_DST	(VBG_MEM_GPA + 0x310000)
#define HOLE		(VBG_MEM_GPA + VBG_MEM_SIZE)
#define WAIT_MS		10000

static void fill(void *buf, size_t len, unsigned int seed)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

/* Reads (and so clears) the dirty log of guest memory into @bitmap */
static int harvest(struct vbg *g, uint64_t *bitmap)
{
	struct vas_dirty_log log = {
		.size = sizeof(log),
		.slot = VBG_SLOT,
		.bitmap = (uintptr_t)bitmap,
	};

	return ioctl(g->vas, VAS_GET_DIRTY_LOG, &log) ? -errno : 0;
}

/* Deletes a module without waiting: -EWOULDBLOCK while it is in use */
static int unload(const char *name)
{
	return syscall(__NR_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

FIXTURE(echo) {
	struct vbg g;
	uint32_t dev, conn;
	int err_fd;
	struct vbg_ring req, rep;
};

FIXTURE_SETUP(echo)
{
	ASSERT_EQ(0, vbg_open(&self->g));
	ASSERT_EQ(0, vbg_load_module("vbus_echo"));
	ASSERT_EQ(0, vbg_set_memslot_flags(&self->g, VBG_MEM_SIZE,
					   VAS_MEM_LOG_DIRTY_PAGES));
	ASSERT_EQ(0, vbg_dev_create(&self->g, VBUS_ECHO_CLASS, &self->dev));
	self->err_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, self->err_fd);
	ASSERT_EQ(0, vbg_conn_open(&self->g, self->dev, VBUS_ECHO_INTF,
				   VBUS_ECHO_VERSION, self->err_fd,
				   &self->conn));
	ASSERT_EQ(0, vbg_ring_init(&self->g, &self->req, REQ_RING, NUM));
	ASSERT_EQ(0, vbg_ring_init(&self->g, &self->rep, REP_RING, NUM));
}

FIXTURE_TEARDOWN(echo)
{
	vbg_close(&self->g);
	vbg_ring_fini(&self->req);
	vbg_ring_fini(&self->rep);
	close(self->err_fd);
}

static int attach_rings(FIXTURE_DATA(echo) *self)
{
	int ret = vbg_ring_attach(&self->g, self->conn, VBUS_ECHO_SHM_REQUEST,
				  &self->req);

	return ret ?: vbg_ring_attach(&self->g, self->conn,
				      VBUS_ECHO_SHM_REPLY, &self->rep);
}

/* Posts @n requests of @len bytes (and as many reply buffers if @replies) */
static void post(FIXTURE_DATA(echo) *self, int n, uint32_t len, bool replies)
{
	int i;

	for (i = 0; i < n; i++) {
		uint32_t slot = self->req.next % NUM;

		fill(vbg_host(&self->g, REQ_BUF + slot * 0x1000), len,
		     self->req.next);
		vbg_ring_post(&self->req, REQ_BUF + slot * 0x1000, len,
			      self->req.next);
		if (replies)
			vbg_ring_post(&self->rep, REP_BUF +
				      (self->rep.next % NUM) * 0x1000, 0x1000,
				      self->rep.next);
	}
	vbg_ring_kick(&self->req);
	vbg_ring_kick(&self->rep);
}

/* Reaps @n replies and their requests and checks every byte */
static int reap(FIXTURE_DATA(echo) *self, int n, uint32_t len)
{
	struct ioq_ring_desc rq, rp;
	uint8_t want[0x1000];
	int i;

	for (i = 0; i < n; i++) {
		if (!vbg_ring_wait(&self->rep, WAIT_MS, NULL))
			return -ETIMEDOUT;
		if (!vbg_ring_reap(&self->rep, &rp))
			return -EIO;
		if (!vbg_ring_wait(&self->req, WAIT_MS, NULL) ||
		    !vbg_ring_reap(&self->req, &rq))
			return -EIO;
		if (rp.used != len || rq.used != len)
			return -EBADMSG;
		fill(want, len, rq.cookie);
		if (memcmp(vbg_host(&self->g, rp.ptr), want, len))
			return -EILSEQ;
	}
	return 0;
}

/* ------------------------------------------------------------ the bus */

TEST(set_vas_errors)
{
	struct vbus_set_vas args = { .size = sizeof(args) };
	struct { struct vbus_set_vas a; uint64_t tail; } big = {
		.a.size = sizeof(big), .tail = 1,
	};
	struct vbg g;
	int bus, efd;

	ASSERT_EQ(0, vbg_open(&g));
	bus = open("/dev/vbus", O_RDWR);
	ASSERT_LE(0, bus);
	efd = eventfd(0, 0);

	args.vas_fd = -1;
	EXPECT_EQ(-EBADF, ioctl(bus, VBUS_SET_VAS, &args) ? -errno : 0);
	args.vas_fd = efd;
	EXPECT_EQ(-EINVAL, ioctl(bus, VBUS_SET_VAS, &args) ? -errno : 0);
	args.vas_fd = g.vas;
	args.flags = 1;
	EXPECT_EQ(-EINVAL, ioctl(bus, VBUS_SET_VAS, &args) ? -errno : 0);
	args.flags = 0;
	args.size = 8;
	EXPECT_EQ(-EINVAL, ioctl(bus, VBUS_SET_VAS, &args) ? -errno : 0);
	big.a.vas_fd = g.vas;
	EXPECT_EQ(-E2BIG, ioctl(bus, VBUS_SET_VAS, &big) ? -errno : 0);
	big.tail = 0;
	EXPECT_EQ(0, ioctl(bus, VBUS_SET_VAS, &big) ? -errno : 0);
	/* bound once: g.bus was bound by vbg_open() */
	EXPECT_EQ(-EBUSY, vbg_set_vas(bus, g.vas));
	EXPECT_EQ(-EBUSY, vbg_set_vas(g.bus, g.vas));
	EXPECT_EQ(-ENOTTY, ioctl(bus, _IO(VBUS_TYPE, 0x4f)) ? -errno : 0);
	close(efd);
	close(bus);
	vbg_close(&g);
}

TEST(dev_create_errors)
{
	struct vbus_dev_create args = { .size = sizeof(args) };
	struct vbg g;
	uint32_t id;

	ASSERT_EQ(0, vbg_open(&g));
	ASSERT_EQ(0, vbg_load_module("vbus_echo"));
	EXPECT_EQ(-ENOENT, vbg_dev_create(&g, "no-such-class", &id));
	EXPECT_EQ(-EINVAL, vbg_dev_create(&g, "", &id));
	memset(args.devclass, 'e', sizeof(args.devclass));
	EXPECT_EQ(-EINVAL, ioctl(g.bus, VBUS_DEV_CREATE, &args) ? -errno : 0);
	strcpy(args.devclass, VBUS_ECHO_CLASS);
	args.flags = 1;
	EXPECT_EQ(-EINVAL, ioctl(g.bus, VBUS_DEV_CREATE, &args) ? -errno : 0);
	args.flags = 0;
	args.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioctl(g.bus, VBUS_DEV_CREATE, &args) ? -errno : 0);
	args.__reserved = 0;
	ASSERT_EQ(0, ioctl(g.bus, VBUS_DEV_CREATE, &args) ? -errno : 0);
	EXPECT_NE(0, args.id);
	EXPECT_EQ(-ENOENT, vbg_dev_destroy(&g, args.id + 1));
	EXPECT_EQ(0, vbg_dev_destroy(&g, args.id));
	EXPECT_EQ(-ENOENT, vbg_dev_destroy(&g, args.id));
	vbg_close(&g);
}

TEST(device_limit)
{
	struct vbg g;
	uint32_t id;
	int i;

	ASSERT_EQ(0, vbg_open(&g));
	ASSERT_EQ(0, vbg_load_module("vbus_echo"));
	for (i = 0; i < VBUS_MAX_DEVICES; i++)
		ASSERT_EQ(0, vbg_dev_create(&g, VBUS_ECHO_CLASS, &id));
	EXPECT_EQ(-ENOSPC, vbg_dev_create(&g, VBUS_ECHO_CLASS, &id));
	EXPECT_EQ(0, vbg_dev_destroy(&g, id));
	EXPECT_EQ(0, vbg_dev_create(&g, VBUS_ECHO_CLASS, &id));
	vbg_close(&g);
}

TEST(dev_list)
{
	struct vbus_intf_info info[4];
	struct vbus_dev_list args = { .size = sizeof(args) };
	uint32_t a = 0, b = 0;
	struct vbg g;

	ASSERT_EQ(0, vbg_open(&g));
	ASSERT_EQ(0, vbg_load_module("vbus_echo"));
	ASSERT_EQ(0, ioctl(g.bus, VBUS_DEV_LIST, &args) ? -errno : 0);
	EXPECT_EQ(0, args.num_intfs);
	ASSERT_EQ(0, vbg_dev_create(&g, VBUS_ECHO_CLASS, &a));
	ASSERT_EQ(0, vbg_dev_create(&g, VBUS_ECHO_CLASS, &b));

	/* The count alone */
	EXPECT_EQ(-EMSGSIZE, ioctl(g.bus, VBUS_DEV_LIST, &args) ? -errno : 0);
	EXPECT_EQ(2, args.num_intfs);
	/* Too small: the first one, and the count */
	memset(info, 0xff, sizeof(info));
	args.num_intfs = 1;
	args.intfs = (uintptr_t)info;
	EXPECT_EQ(-EMSGSIZE, ioctl(g.bus, VBUS_DEV_LIST, &args) ? -errno : 0);
	EXPECT_EQ(2, args.num_intfs);
	EXPECT_EQ(a, info[0].dev_id);
	EXPECT_EQ(0xffffffff, info[1].dev_id);
	/* All of them */
	args.num_intfs = 4;
	ASSERT_EQ(0, ioctl(g.bus, VBUS_DEV_LIST, &args) ? -errno : 0);
	EXPECT_EQ(2, args.num_intfs);
	EXPECT_EQ(b, info[1].dev_id);
	EXPECT_EQ(VBUS_ECHO_VERSION, info[1].version);
	EXPECT_STREQ(VBUS_ECHO_CLASS, info[1].devclass);
	EXPECT_STREQ(VBUS_ECHO_INTF, info[1].type);
	EXPECT_STREQ("", info[1].name);

	args.intfs = 8;		/* not a user address */
	EXPECT_EQ(-EFAULT, ioctl(g.bus, VBUS_DEV_LIST, &args) ? -errno : 0);
	args.intfs = (uintptr_t)info;
	args.flags = 1;
	EXPECT_EQ(-EINVAL, ioctl(g.bus, VBUS_DEV_LIST, &args) ? -errno : 0);
	EXPECT_EQ(0, vbg_dev_destroy(&g, a));
	args.flags = 0;
	args.num_intfs = 4;
	ASSERT_EQ(0, ioctl(g.bus, VBUS_DEV_LIST, &args) ? -errno : 0);
	EXPECT_EQ(1, args.num_intfs);
	EXPECT_EQ(b, info[0].dev_id);
	vbg_close(&g);
}

TEST(conn_open_errors)
{
	struct vbus_conn_open args = { .size = sizeof(args) };
	uint32_t dev = 0, id = 0;
	struct vbg g;
	int bus;

	ASSERT_EQ(0, vbg_open(&g));
	ASSERT_EQ(0, vbg_load_module("vbus_echo"));
	ASSERT_EQ(0, vbg_dev_create(&g, VBUS_ECHO_CLASS, &dev));
	EXPECT_EQ(-ENOENT, vbg_conn_open(&g, dev + 1, VBUS_ECHO_INTF, 1, -1,
					 &id));
	EXPECT_EQ(-ENOENT, vbg_conn_open(&g, dev, "no-such-intf", 1, -1, &id));
	EXPECT_EQ(-EINVAL, vbg_conn_open(&g, dev, "", 1, -1, &id));
	EXPECT_EQ(-EPROTONOSUPPORT, vbg_conn_open(&g, dev, VBUS_ECHO_INTF, 2,
						  -1, &id));
	EXPECT_EQ(-EBADF, vbg_conn_open(&g, dev, VBUS_ECHO_INTF, 1, 1000,
					&id));
	EXPECT_EQ(-EINVAL, vbg_conn_open(&g, dev, VBUS_ECHO_INTF, 1, g.vas,
					 &id));
	args.flags = 1;
	args.dev_id = dev;
	strcpy(args.type, VBUS_ECHO_INTF);
	EXPECT_EQ(-EINVAL, ioctl(g.bus, VBUS_CONN_OPEN, &args) ? -errno : 0);

	/* A bus without a vas has devices, but no connection */
	bus = open("/dev/vbus", O_RDWR);
	ASSERT_LE(0, bus);
	args.flags = 0;
	args.err_fd = -1;
	ASSERT_EQ(0, ioctl(bus, VBUS_DEV_CREATE, &(struct vbus_dev_create){
		.size = sizeof(struct vbus_dev_create),
		.devclass = VBUS_ECHO_CLASS,
	}) ? -errno : 0);
	args.dev_id = 1;
	EXPECT_EQ(-ENXIO, ioctl(bus, VBUS_CONN_OPEN, &args) ? -errno : 0);
	close(bus);

	/* Any number of connections to an echo device; each closes once */
	ASSERT_EQ(0, vbg_conn_open(&g, dev, VBUS_ECHO_INTF, 1, -1, &id));
	ASSERT_EQ(0, vbg_conn_open(&g, dev, VBUS_ECHO_INTF, 1, -1, &id));
	EXPECT_EQ(-EBUSY, vbg_dev_destroy(&g, dev));
	EXPECT_EQ(-ENOENT, vbg_conn_close(&g, id + 1));
	EXPECT_EQ(0, vbg_conn_close(&g, id));
	EXPECT_EQ(-ENOENT, vbg_conn_close(&g, id));
	EXPECT_EQ(0, vbg_conn_close(&g, id - 1));
	EXPECT_EQ(0, vbg_dev_destroy(&g, dev));
	vbg_close(&g);
}

/* ------------------------------------------------------------ calls */

TEST_F(echo, call_copies)
{
	struct vbus_echo_copy *req = vbg_host(&self->g, CALL_DATA);
	struct vbus_echo_stats *st = vbg_host(&self->g, STATS_DATA);
	uint8_t *src = vbg_host(&self->g, COPY_SRC);
	uint8_t *dst = vbg_host(&self->g, COPY_DST);

	fill(src, VBUS_ECHO_MAX_LEN, 3);
	req->src = COPY_SRC;
	req->dst = COPY_DST;
	req->len = VBUS_ECHO_MAX_LEN;
	EXPECT_EQ(VBUS_ECHO_MAX_LEN, vbg_call(&self->g, self->conn,
					      VBUS_ECHO_CALL_COPY, CALL_DATA,
					      sizeof(*req)));
	EXPECT_EQ(0, memcmp(src, dst, VBUS_ECHO_MAX_LEN));
	EXPECT_EQ(sizeof(*st), vbg_call(&self->g, self->conn,
					VBUS_ECHO_CALL_STATS, STATS_DATA,
					sizeof(*st)));
	EXPECT_EQ(1, st->calls);
	EXPECT_EQ(VBUS_ECHO_MAX_LEN, st->bytes);
	EXPECT_EQ(0, st->requests);
}

TEST_F(echo, call_errors)
{
	struct vbus_echo_copy *req = vbg_host(&self->g, CALL_DATA);
	struct vbus_conn_call args = { .size = sizeof(args), .id = self->conn };

	req->src = COPY_SRC;
	req->dst = COPY_DST;
	req->len = VBUS_ECHO_MAX_LEN + 1;
	EXPECT_EQ(-EINVAL, vbg_call(&self->g, self->conn, VBUS_ECHO_CALL_COPY,
				    CALL_DATA, sizeof(*req)));
	req->len = 16;
	EXPECT_EQ(-EFAULT, vbg_call(&self->g, self->conn, VBUS_ECHO_CALL_COPY,
				    CALL_DATA, sizeof(*req) - 1));
	EXPECT_EQ(-EFAULT, vbg_call(&self->g, self->conn, VBUS_ECHO_CALL_COPY,
				    HOLE, sizeof(*req)));
	req->src = HOLE - 8;
	EXPECT_EQ(-EFAULT, vbg_call(&self->g, self->conn, VBUS_ECHO_CALL_COPY,
				    CALL_DATA, sizeof(*req)));
	EXPECT_EQ(-EINVAL, vbg_call(&self->g, self->conn, VBUS_ECHO_CALL_STATS,
				    STATS_DATA, 8));
	EXPECT_EQ(-EINVAL, vbg_call(&self->g, self->conn, 99, CALL_DATA, 8));
	EXPECT_EQ(-ENOENT, vbg_call(&self->g, self->conn + 1,
				    VBUS_ECHO_CALL_COPY, CALL_DATA, 8));
	args.flags = 1;
	EXPECT_EQ(-EINVAL, ioctl(self->g.bus, VBUS_CONN_CALL, &args) ? -errno : 0);
	args.flags = 0;
	args.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioctl(self->g.bus, VBUS_CONN_CALL, &args) ? -errno : 0);
}

/* A process that is not the vas owner calls: the owner's memory changes */
TEST_F(echo, call_from_another_process)
{
	uint8_t *src = vbg_host(&self->g, COPY_SRC);
	uint8_t *dst = vbg_host(&self->g, COPY_DST);
	struct vbus_echo_copy *req = vbg_host(&self->g, CALL_DATA);
	int status;
	pid_t pid;

	fill(src, 4096, 9);
	memset(dst, 0, 4096);
	req->src = COPY_SRC;
	req->dst = COPY_DST;
	req->len = 4096;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Its own copy of guest memory is not what the vas reaches */
		memset(src, 0, 4096);
		_exit(vbg_call(&self->g, self->conn, VBUS_ECHO_CALL_COPY,
			       CALL_DATA, sizeof(*req)) == 4096 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, memcmp(src, dst, 4096));
}

/* ------------------------------------------------------------ shm */

TEST_F(echo, shm_errors)
{
	struct vbus_conn_shm args = {
		.size = sizeof(args),
		.flags = VBUS_SHM_SIGNAL,
		.id = self->conn,
		.shm_id = VBUS_ECHO_SHM_REQUEST,
		.gpa = REQ_RING,
		.len = vbg_ring_size(NUM),
		.signal_offset = offsetof(struct ioq_ring_head, signal),
		.kick_fd = self->req.kick,
		.call_fd = self->req.call,
	};
	struct vbus_conn_shm a;
	struct ioq_ring_head *h = self->req.head;

#define SHM(a) (ioctl(self->g.bus, VBUS_CONN_SHM, &(a)) ? -errno : 0)
	a = args; a.flags = 2;
	EXPECT_EQ(-EINVAL, SHM(a));
	a = args; a.__reserved2 = 1;
	EXPECT_EQ(-EINVAL, SHM(a));
	a = args; a.len = 0;
	EXPECT_EQ(-EINVAL, SHM(a));
	a = args; a.len = VBUS_SHM_MAX_LEN + 1;
	EXPECT_EQ(-EINVAL, SHM(a));
	a = args; a.gpa = -1024ULL;
	EXPECT_EQ(-EINVAL, SHM(a));
	a = args; a.signal_offset = 4;
	EXPECT_EQ(-EINVAL, SHM(a));
	a = args; a.signal_offset = a.len - 8;
	EXPECT_EQ(-EINVAL, SHM(a));
	a = args; a.signal_offset = -8ULL;
	EXPECT_EQ(-EINVAL, SHM(a));
	a = args; a.flags = 0;
	EXPECT_EQ(-EINVAL, SHM(a));	/* eventfds without a signal */
	a = args; a.kick_fd = 1000;
	EXPECT_EQ(-EBADF, SHM(a));
	a = args; a.kick_fd = self->g.vas;
	EXPECT_EQ(-EINVAL, SHM(a));
	a = args; a.call_fd = 1000;
	EXPECT_EQ(-EBADF, SHM(a));
	a = args; a.id = self->conn + 1;
	EXPECT_EQ(-ENOENT, SHM(a));
	a = args; a.gpa = HOLE;
	EXPECT_EQ(-EFAULT, SHM(a));		/* a ring in a hole */
	a = args; a.gpa = HOLE - 64;
	EXPECT_EQ(-EFAULT, SHM(a));		/* past its memslot */
	a = args; a.shm_id = 7;
	EXPECT_EQ(-EINVAL, SHM(a));		/* not the interface's */

	/* What the region holds */
	h->signal.magic = 1;
	EXPECT_EQ(-EINVAL, SHM(args));
	h->signal.magic = SHM_SIGNAL_MAGIC;
	h->signal.ver = 2;
	EXPECT_EQ(-EINVAL, SHM(args));
	h->signal.ver = SHM_SIGNAL_VER;
	h->magic = 0;
	EXPECT_EQ(-EINVAL, SHM(args));
	h->magic = IOQ_RING_MAGIC;
	h->count = 48;
	EXPECT_EQ(-EINVAL, SHM(args));		/* not a power of two */
	h->count = NUM * 2;
	EXPECT_EQ(-EINVAL, SHM(args));		/* more than fit */
	h->count = NUM;
	a = args; a.flags = 0; a.signal_offset = 0; a.kick_fd = -1;
	a.call_fd = -1;
	EXPECT_EQ(-EINVAL, SHM(a));		/* echo rings need a signal */

	EXPECT_EQ(0, SHM(args));
	EXPECT_EQ(-EEXIST, SHM(args));
#undef SHM
}

/* A read-only memslot cannot back shared memory: it is written */
TEST_F(echo, shm_read_only)
{
	ASSERT_EQ(0, vbg_set_memslot_flags(&self->g, 0, 0));
	ASSERT_EQ(0, vbg_set_memslot_flags(&self->g, VBG_MEM_SIZE,
					   VAS_MEM_READONLY));
	EXPECT_EQ(-EPERM, vbg_ring_attach(&self->g, self->conn,
					  VBUS_ECHO_SHM_REQUEST, &self->req));
}

/* ------------------------------------------------------------ rings */

TEST_F(echo, ring_echoes)
{
	struct vbus_echo_stats *st = vbg_host(&self->g, STATS_DATA);
	int round;

	ASSERT_EQ(0, attach_rings(self));
	/* More than a ring's worth, over wrapping indices, various sizes */
	for (round = 0; round < 6; round++) {
		uint32_t len = round == 5 ? 0x1000 : 1 + round * 700;

		post(self, NUM / 2, len, true);
		ASSERT_EQ(0, reap(self, NUM / 2, len));
	}
	EXPECT_EQ(sizeof(*st), vbg_call(&self->g, self->conn,
					VBUS_ECHO_CALL_STATS, STATS_DATA,
					sizeof(*st)));
	EXPECT_EQ(6 * NUM / 2, st->requests);
	EXPECT_EQ(0, st->errors);
	EXPECT_EQ(0, st->calls);
}

/* A request waits for a reply buffer: posted later, it is served then */
TEST_F(echo, request_waits_for_a_reply_buffer)
{
	struct ioq_ring_desc d;
	int i;

	ASSERT_EQ(0, attach_rings(self));
	post(self, 4, 100, false);
	usleep(200 * 1000);
	EXPECT_FALSE(vbg_ring_reap(&self->req, &d));
	for (i = 0; i < 4; i++)
		vbg_ring_post(&self->rep, REP_BUF + i * 0x1000, 0x1000, i);
	vbg_ring_kick(&self->rep);
	EXPECT_EQ(0, reap(self, 4, 100));
}

/* Rings attached after requests were posted and kicked */
TEST_F(echo, requests_before_attach)
{
	post(self, 8, 64, true);
	ASSERT_EQ(0, attach_rings(self));
	EXPECT_EQ(0, reap(self, 8, 64));
}

/* A buffer outside guest memory: handed back with nothing done */
TEST_F(echo, ring_buffer_in_a_hole)
{
	struct ioq_ring_desc d;

	ASSERT_EQ(0, attach_rings(self));
	vbg_ring_post(&self->req, HOLE, 64, 1);
	vbg_ring_post(&self->rep, REP_BUF, 0x1000, 1);
	vbg_ring_kick(&self->req);
	ASSERT_TRUE(vbg_ring_wait(&self->rep, WAIT_MS, NULL));
	ASSERT_TRUE(vbg_ring_reap(&self->rep, &d));
	EXPECT_EQ(0, d.used);
	ASSERT_TRUE(vbg_ring_wait(&self->req, WAIT_MS, NULL));
	ASSERT_TRUE(vbg_ring_reap(&self->req, &d));
	EXPECT_EQ(0, d.used);
	/* and the connection goes on */
	post(self, 2, 32, true);
	EXPECT_EQ(0, reap(self, 2, 32));
}

/* A guest that does not want signals gets none; one that does, gets them */
TEST_F(echo, signals_follow_enabled)
{
	struct shm_signal_irq *irq =
		&self->rep.head->signal.irq[SHM_SIGNAL_NORTH];
	struct pollfd pfd = { .fd = self->rep.call, .events = POLLIN };
	struct ioq_ring_desc d;

	ASSERT_EQ(0, attach_rings(self));
	irq->enabled = 0;
	post(self, 1, 16, true);
	usleep(300 * 1000);
	EXPECT_TRUE(vbg_ring_reap(&self->rep, &d));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(1, irq->dirty);
	EXPECT_TRUE(vbg_ring_reap(&self->req, &d));
	irq->enabled = 1;
	irq->dirty = 0;
	post(self, 1, 16, true);
	EXPECT_EQ(1, poll(&pfd, 1, WAIT_MS));
	EXPECT_EQ(0, reap(self, 1, 16));
}

/* ------------------------------------------------------------ memory */

/* Written reply buffers and the rings are dirty; untouched pages clean */
TEST_F(echo, dirty_log)
{
	struct vbus_echo_copy *req = vbg_host(&self->g, CALL_DATA);
	uint64_t bitmap[VBG_MEM_SIZE / 4096 / 64];

#define DIRTY(gpa) (!!(bitmap[((gpa) - VBG_MEM_GPA) / 4096 / 64] & \
		       (1ULL << (((gpa) - VBG_MEM_GPA) / 4096 % 64))))
	ASSERT_EQ(0, attach_rings(self));
	ASSERT_EQ(0, harvest(&self->g, bitmap));
	post(self, 3, 200, true);
	ASSERT_EQ(0, reap(self, 3, 200));
	ASSERT_EQ(0, harvest(&self->g, bitmap));
	EXPECT_TRUE(DIRTY(REP_BUF));
	EXPECT_TRUE(DIRTY(REP_BUF + 2 * 0x1000));
	EXPECT_FALSE(DIRTY(REP_BUF + 3 * 0x1000));
	EXPECT_FALSE(DIRTY(REQ_BUF));		/* read, not written */
	EXPECT_TRUE(DIRTY(REQ_RING));
	EXPECT_TRUE(DIRTY(REP_RING));
	EXPECT_FALSE(DIRTY(UNTOUCHED));

	/* A call's reply too */
	req->src = COPY_SRC;
	req->dst = COPY_DST + 0x1000;
	req->len = 16;
	ASSERT_EQ(16, vbg_call(&self->g, self->conn, VBUS_ECHO_CALL_COPY,
			       CALL_DATA, sizeof(*req)));
	ASSERT_EQ(0, harvest(&self->g, bitmap));
	EXPECT_TRUE(DIRTY(COPY_DST + 0x1000));
	EXPECT_FALSE(DIRTY(COPY_DST));
	EXPECT_FALSE(DIRTY(COPY_SRC));
	EXPECT_FALSE(DIRTY(REP_BUF));		/* harvested before */
#undef DIRTY
}

/*
 * The memslot deleted and made again in place between two requests: the
 * rings are mapped again at the next access, nothing faults.
 */
TEST_F(echo, memslot_recreated_under_live_shm)
{
	uint64_t n;

	ASSERT_EQ(0, attach_rings(self));
	post(self, 2, 64, true);
	ASSERT_EQ(0, reap(self, 2, 64));
	ASSERT_EQ(0, vbg_set_memslot_flags(&self->g, 0, 0));
	ASSERT_EQ(0, vbg_set_memslot(&self->g, VBG_MEM_SIZE));
	post(self, 2, 64, true);
	EXPECT_EQ(0, reap(self, 2, 64));
	EXPECT_EQ(-1, read(self->err_fd, &n, sizeof(n)));
}

/*
 * The memslot deleted under live rings: the next kick finds them
 * unmappable, the connection faults: its error eventfd fires once,
 * calls and new regions fail with EIO, and it closes.
 */
TEST_F(echo, memslot_deleted_under_live_shm)
{
	struct pollfd pfd = { .fd = self->err_fd, .events = POLLIN };
	uint64_t n;

	ASSERT_EQ(0, attach_rings(self));
	post(self, 1, 64, true);
	ASSERT_EQ(0, reap(self, 1, 64));
	ASSERT_EQ(0, vbg_set_memslot_flags(&self->g, 0, 0));
	post(self, 1, 64, true);
	ASSERT_EQ(1, poll(&pfd, 1, WAIT_MS));
	EXPECT_EQ(sizeof(n), read(self->err_fd, &n, sizeof(n)));
	EXPECT_EQ(1, n);
	EXPECT_EQ(-EIO, vbg_call(&self->g, self->conn, VBUS_ECHO_CALL_STATS,
				 STATS_DATA, 32));
	ASSERT_EQ(0, vbg_set_memslot(&self->g, VBG_MEM_SIZE));
	EXPECT_EQ(-EIO, vbg_call(&self->g, self->conn, VBUS_ECHO_CALL_STATS,
				 STATS_DATA, 32));
	EXPECT_EQ(-1, read(self->err_fd, &n, sizeof(n)));	/* once */
	EXPECT_EQ(0, vbg_conn_close(&self->g, self->conn));
	/* A new connection works */
	ASSERT_EQ(0, vbg_conn_open(&self->g, self->dev, VBUS_ECHO_INTF, 1, -1,
				   &self->conn));
	ASSERT_EQ(0, vbg_ring_init(&self->g, &self->req, REQ_RING, NUM));
	ASSERT_EQ(0, vbg_ring_init(&self->g, &self->rep, REP_RING, NUM));
	ASSERT_EQ(0, attach_rings(self));
	post(self, 2, 64, true);
	EXPECT_EQ(0, reap(self, 2, 64));
}

/* Close with requests in flight: the rings are unmapped, nothing leaks */
TEST_F(echo, close_mid_traffic)
{
	ASSERT_EQ(0, attach_rings(self));
	post(self, NUM, 0x1000, true);
	EXPECT_EQ(0, vbg_conn_close(&self->g, self->conn));
	EXPECT_EQ(0, vbg_dev_destroy(&self->g, self->dev));
}

struct caller {
	struct vbg *g;
	uint32_t conn;
	int ok, ebadf, other;
};

static void *call_loop(void *arg)
{
	struct caller *c = arg;
	long ret;

	for (;;) {
		ret = vbg_call(c->g, c->conn, VBUS_ECHO_CALL_COPY, CALL_DATA,
			       sizeof(struct vbus_echo_copy));
		if (ret == VBUS_ECHO_MAX_LEN) {
			c->ok++;
		} else if (ret == -EBADF) {
			c->ebadf++;
			return NULL;
		} else {
			c->other++;
			return NULL;
		}
	}
}

/*
 * The bus fd closed while another thread calls: the call in progress
 * completes, the next one finds no file (EBADF), the bus goes away after
 * it, with its devices: the echo module can then be unloaded.
 */
TEST_F(echo, bus_closed_mid_call)
{
	struct vbus_echo_copy *req = vbg_host(&self->g, CALL_DATA);
	struct caller c = { .g = &self->g, .conn = self->conn };
	pthread_t t;

	req->src = COPY_SRC;
	req->dst = COPY_DST;
	req->len = VBUS_ECHO_MAX_LEN;
	ASSERT_EQ(0, pthread_create(&t, NULL, call_loop, &c));
	while (!__atomic_load_n(&c.ok, __ATOMIC_RELAXED))
		usleep(1000);
	close(self->g.bus);
	ASSERT_EQ(0, pthread_join(t, NULL));
	self->g.bus = -1;
	EXPECT_LT(0, c.ok);
	EXPECT_EQ(1, c.ebadf);
	EXPECT_EQ(0, c.other);
}

/* ------------------------------------------------------------ modules */

/*
 * A device holds its class's module; once its bus is closed nothing of
 * vbus is left: both modules unload, and load again.
 */
TEST(module_unload)
{
	uint32_t dev = 0;
	struct vbg g;
	int ret;

	ASSERT_EQ(0, vbg_open(&g));
	ASSERT_EQ(0, vbg_load_module("vbus_echo"));
	ASSERT_EQ(0, vbg_dev_create(&g, VBUS_ECHO_CLASS, &dev));
	EXPECT_EQ(-EWOULDBLOCK, unload("vbus_echo"));
	EXPECT_EQ(-EWOULDBLOCK, unload("vbus"));
	EXPECT_EQ(0, vbg_dev_destroy(&g, dev));
	EXPECT_EQ(-EWOULDBLOCK, unload("vbus"));	/* the bus is open */
	ASSERT_EQ(0, vbg_dev_create(&g, VBUS_ECHO_CLASS, &dev));
	vbg_close(&g);
	EXPECT_EQ(0, unload("vbus_echo"));
	/* Another device model another test loaded holds vbus too */
	ret = unload("vbus_venet");
	EXPECT_TRUE(ret == 0 || ret == -ENOENT);
	EXPECT_EQ(0, unload("vbus"));
	EXPECT_EQ(0, vbg_load_module("vbus"));
	EXPECT_EQ(0, vbg_load_module("vbus_echo"));
}

TEST_HARNESS_MAIN
