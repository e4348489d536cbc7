// SPDX-License-Identifier: GPL-2.0-only
/*
 * vbus against vhost-xi-net, in one boot.
 *
 * What is compared: the vbus transport (ioq rings with shm-signals, and
 * VBUS_CONN_CALL) against the virtio transport of vhost-xi-net (split
 * rings with EVENT_IDX), each driven by a userspace "guest" in this
 * process (tests/selftests/vbus/vbus_guest.h and
 * tests/selftests/vhost-xi/vring_driver.h):
 *
 *  1. One request in flight: the echo device's ring round trip (post a
 *     reply buffer and a 64-byte request, kick, sleep on the reply ring's
 *     call eventfd until the reply is there) against vhost-xi-net TX of
 *     one 64-byte frame (post, kick, sleep on the call eventfd until it
 *     is used): kick -> device work -> completion -> interrupt.
 *  2. Many in flight: batches of 64 echo requests (the ring's size: post
 *     64 requests and reply buffers, kick both rings, reap all 64) against
 *     vhost_xi_bench's tx_round (256 frames in flight: one kick and,
 *     through EVENT_IDX, one interrupt per batch), 64 and 1500 bytes.
 *     Interrupts (call eventfd counts) and kicks (eventfd writes) per
 *     request are printed for both: this is where the shm-signal's
 *     suppression wins or loses.
 *  3. VBUS_CONN_CALL of VBUS_ECHO_CALL_COPY (64 bytes), a synchronous
 *     "hypercall", against the ring round trip of 1.
 *  4. venet against vhost-xi-net on the same frames, 256 in flight each,
 *     in the loops of vhost_xi_bench: TX (post 256 frames, kick, reap all;
 *     the host stack drops them) and RX (send 256 frames with AF_PACKET
 *     into venet%d or the tap, reap all from the guest's buffers, post
 *     those again and kick).
 *
 * Why it is fair: both guests keep their memory in a memslot of a vas at a
 * guest-physical address that is not their host address, and both devices
 * reach it through that vas (vbus shared memory and vhost-xi's mapped
 * rings are both vas vmaps); both are kicked through an eventfd the guest
 * writes and interrupt it through an eventfd it reads, as KVM's ioeventfd
 * and irqfd would carry them; both serve from a kernel thread (a kworker
 * for vbus, the vhost worker for vhost-xi); both guests take an interrupt
 * the same way (sleep in poll, read the eventfd, look at the ring). The
 * devices compared are set up side by side, afresh for each round (once
 * for both lengths) and outside the timed part, and their steps (a few
 * round trips or calls, or one batch, which leaves nothing in flight)
 * alternate until each had ROUND_MS of time and MIN_RT or MIN_PKTS
 * operations, the first step at each length untimed: both see the same
 * load of the host, which under TCG on a shared machine varies more than
 * the devices do. The order flips every round; each figure is the best of
 * ROUNDS rounds.
 *
 * What differs, on purpose: each transport is used as its guest driver
 * would use it. virtio asks for one interrupt per batch (used_event);
 * an shm-signal interrupts when the device handed something back and the
 * guest has no interrupt pending, so the guest acknowledges each one
 * before it looks. The echo guest wants no interrupts from its request
 * ring (a request is handed back before its reply), and for one request
 * kicks only the request ring (the device serves both rings from one work
 * and the reply buffer is posted first); the venet guest keeps receive
 * buffers posted with interrupts on while it transmits, and wants transmit
 * completions while it receives, as a network driver does: interrupts of
 * the ring a figure does not use are printed apart ("idle ring"). And the
 * work: the echo device copies a request into a reply buffer (two copies
 * through a bounce buffer) where vhost-xi-net hands a frame to the host
 * stack through a tap, so the anchors of 1. and 2. say how far a vbus
 * ring is from the virtio path that exists already, not that the work is
 * the same; venet and vhost-xi-net do the same work (an ethernet frame
 * into or out of a host netdev), so the ratios of 4. are like for like.
 *
 * A benchmark: it prints, and fails only if a device cannot be set up or
 * stops answering. Without the venet module it skips 4. and says so.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "../selftests/vbus/vbus_guest.h"
#include "../selftests/vhost-xi/vring_driver.h"
#include <linux/venet.h>

#define ROUNDS		5
#define ROUND_MS	100		/* timed steps of a device per round */
#define MIN_RT		64		/* and at least so many operations */
#define MIN_PKTS	512		/* two batches of 256 */
#define RT_STEP		8		/* round trips per step */
#define CALL_STEP	64		/* calls per step: about as long */
#define WAIT_MS		10000		/* a device that does not answer */

/* The echo guest's memory */
#define E_NUM		64		/* descriptors per ring */
#define E_SLOT		2048		/* bytes per buffer slot */
#define E_REQ_RING	(VBG_MEM_GPA + 0x0000)
#define E_REP_RING	(VBG_MEM_GPA + 0x1000)
#define E_CALL		(VBG_MEM_GPA + 0x2000)
#define E_REQ_BUF	(VBG_MEM_GPA + 0x10000)	/* E_NUM slots */
#define E_REP_BUF	(VBG_MEM_GPA + 0x100000)	/* E_NUM slots */

/* The venet guest's memory: rings of VDRV_NUM, as vhost-xi's queues */
#define V_NUM		VDRV_NUM
#define V_TX_RING	(VBG_MEM_GPA + 0x0000)
#define V_RX_RING	(VBG_MEM_GPA + 0x4000)
#define V_TX_BUF	(VBG_MEM_GPA + 0x10000)	/* V_NUM slots */
#define V_RX_BUF	(VBG_MEM_GPA + 0x100000)	/* V_NUM slots */

static uint64_t now_ns(void)
{
	return vdrv_now_ns();
}

/* Adds what call eventfd @fd counted to *@irqs, without waiting */
static void drain_call(int fd, unsigned long *irqs)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) == sizeof(n))
		*irqs += n;
}

/* ------------------------------------------------------------ echo */

struct echo {
	struct vbg g;
	uint32_t dev, conn;
	int err;
	struct vbg_ring req, rep;
};

static void echo_close(struct echo *e)
{
	vbg_close(&e->g);
	vbg_ring_fini(&e->req);
	vbg_ring_fini(&e->rep);
	if (e->err >= 0)
		close(e->err);
}

static uint64_t e_req_buf(uint32_t slot)
{
	return E_REQ_BUF + (uint64_t)slot * E_SLOT;
}

static uint64_t e_rep_buf(uint32_t slot)
{
	return E_REP_BUF + (uint64_t)slot * E_SLOT;
}

/*
 * An echo device, a connection and its two rings, and the request of
 * VBUS_ECHO_CALL_COPY at E_CALL. The guest wants no interrupts from the
 * request ring: a request is handed back before its reply, so it reaps
 * requests when their replies come.
 */
static int echo_open(struct echo *e)
{
	struct vbus_echo_copy *copy;
	int ret;

	memset(e, 0, sizeof(*e));
	e->err = -1;
	e->req.kick = e->req.call = e->rep.kick = e->rep.call = -1;
	ret = vbg_open(&e->g);
	if (!ret)
		ret = vbg_dev_create(&e->g, VBUS_ECHO_CLASS, &e->dev);
	if (ret)
		return ret;
	e->err = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->err < 0)
		return -errno;
	ret = vbg_conn_open(&e->g, e->dev, VBUS_ECHO_INTF, VBUS_ECHO_VERSION,
			    e->err, &e->conn);
	if (!ret)
		ret = vbg_ring_init(&e->g, &e->req, E_REQ_RING, E_NUM);
	if (!ret)
		ret = vbg_ring_init(&e->g, &e->rep, E_REP_RING, E_NUM);
	if (ret)
		return ret;
	e->req.head->signal.irq[SHM_SIGNAL_NORTH].enabled = 0;
	ret = vbg_ring_attach(&e->g, e->conn, VBUS_ECHO_SHM_REQUEST, &e->req);
	if (!ret)
		ret = vbg_ring_attach(&e->g, e->conn, VBUS_ECHO_SHM_REPLY,
				      &e->rep);
	copy = vbg_host(&e->g, E_CALL);
	copy->src = e_req_buf(0);
	copy->dst = e_rep_buf(0);
	return ret;
}

static bool ring_done(struct vbg_ring *r)
{
	struct ioq_ring_desc *d = &r->head->ring[r->reap & (r->count - 1)];

	return r->reap != r->next &&
	       !__atomic_load_n(&d->sown, __ATOMIC_ACQUIRE);
}

/*
 * Sleeps on the call eventfd of @r until the device hands a descriptor
 * back: each wakeup takes the signal (pending and dirty cleared) and then
 * looks, so that the next one is signalled again.
 */
static int ring_wait_irq(struct vbg_ring *r, unsigned long *irqs)
{
	struct shm_signal_irq *irq = &r->head->signal.irq[SHM_SIGNAL_NORTH];
	struct pollfd pfd = { .fd = r->call, .events = POLLIN };

	for (;;) {
		if (poll(&pfd, 1, WAIT_MS) != 1)
			return -ETIMEDOUT;
		drain_call(r->call, irqs);
		__atomic_store_n(&irq->pending, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&irq->dirty, 0, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (ring_done(r))
			return 0;
	}
}

/* Takes back a reply and its request; -EIO unless @len bytes were echoed */
static int echo_reap(struct echo *e, uint32_t len)
{
	struct ioq_ring_desc rq, rp;

	if (!vbg_ring_reap(&e->rep, &rp) || !vbg_ring_reap(&e->req, &rq) ||
	    rp.used != len || rq.used != len)
		return -EIO;
	return 0;
}

/* ------------------------------------------------------------ venet */

struct venet {
	struct vbg g;
	uint32_t dev, conn;
	int err, packet, ifindex;
	char ifname[IFNAMSIZ];
	struct vbg_ring tx, rx;
	unsigned long irqs[2];	/* by shm id */
};

static uint64_t v_tx_buf(uint32_t slot)
{
	return V_TX_BUF + (uint64_t)slot * E_SLOT;
}

static uint64_t v_rx_buf(uint32_t slot)
{
	return V_RX_BUF + (uint64_t)slot * E_SLOT;
}

static void venet_close(struct venet *v)
{
	if (v->packet >= 0)
		close(v->packet);
	vbg_close(&v->g);
	vbg_ring_fini(&v->tx);
	vbg_ring_fini(&v->rx);
	if (v->err >= 0)
		close(v->err);
}

/* The host's name of the device, as VBUS_DEV_LIST gives it */
static int venet_name(struct venet *v)
{
	struct vbus_intf_info info;
	int ret = vbg_find_intf(&v->g, v->dev, &info);

	if (ret)
		return ret;
	if (!info.name[0])
		return -ENOENT;
	if (strnlen(info.name, IFNAMSIZ) == IFNAMSIZ)
		return -ENAMETOOLONG;
	memcpy(v->ifname, info.name, IFNAMSIZ);
	return 0;
}

/* Takes the signals of both rings: acknowledged, then the guest looks */
static void venet_ack(struct venet *v)
{
	struct vbg_ring *r[2] = { &v->tx, &v->rx };
	int i;

	for (i = 0; i < 2; i++) {
		struct shm_signal_irq *irq =
			&r[i]->head->signal.irq[SHM_SIGNAL_NORTH];

		__atomic_store_n(&irq->pending, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&irq->dirty, 0, __ATOMIC_RELAXED);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void venet_drain(struct venet *v)
{
	drain_call(v->tx.call, &v->irqs[VENET_SHM_TX]);
	drain_call(v->rx.call, &v->irqs[VENET_SHM_RX]);
}

/*
 * Sleeps until ring @r has handed back descriptors up to index @idx, as
 * the guest's interrupt handlers would: both rings' signals are taken
 * and counted, whichever fired.
 */
static int venet_wait(struct venet *v, struct vbg_ring *r, uint32_t idx)
{
	struct pollfd p[2] = {
		{ .fd = v->tx.call, .events = POLLIN },
		{ .fd = v->rx.call, .events = POLLIN },
	};

	for (;;) {
		venet_ack(v);
		if ((int32_t)(__atomic_load_n(&r->head->tail, __ATOMIC_ACQUIRE) -
			      idx) >= 0)
			return 0;
		if (poll(p, 2, WAIT_MS) <= 0)
			return -ETIMEDOUT;
		venet_drain(v);
	}
}

static int venet_send(struct venet *v, const void *frame, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = v->ifindex,
		.sll_halen = 6,
	};

	memset(sll.sll_addr, 0xff, 6);
	return sendto(v->packet, frame, len, 0, (struct sockaddr *)&sll,
		      sizeof(sll)) == (ssize_t)len ? 0 : -errno;
}

/*
 * A venet device as a guest driver sets it up: both rings attached, V_NUM
 * receive buffers posted with interrupts on (the guest waits for frames
 * whether or not it sends), the link up; then the interface up on the
 * host side, with the carrier on already, so its qdisc is there at once.
 * With @rx, an AF_PACKET socket to send frames into the interface, and a
 * first frame sent and received so that the path is known to be open.
 */
static int venet_open(struct venet *v, bool rx)
{
	struct ioq_ring_desc d;
	uint8_t frame[64];
	uint32_t i;
	int ret, tries;

	memset(v, 0, sizeof(*v));
	v->err = v->packet = -1;
	v->tx.kick = v->tx.call = v->rx.kick = v->rx.call = -1;
	ret = vbg_open(&v->g);
	if (!ret)
		ret = vbg_dev_create(&v->g, VENET_CLASS, &v->dev);
	if (!ret)
		ret = venet_name(v);
	if (ret)
		return ret;
	v->err = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->err < 0)
		return -errno;
	ret = vbg_conn_open(&v->g, v->dev, VENET_INTF, VENET_VERSION, v->err,
			    &v->conn);
	if (!ret)
		ret = vbg_ring_init(&v->g, &v->tx, V_TX_RING, V_NUM);
	if (!ret)
		ret = vbg_ring_init(&v->g, &v->rx, V_RX_RING, V_NUM);
	if (!ret)
		ret = vbg_ring_attach(&v->g, v->conn, VENET_SHM_TX, &v->tx);
	if (!ret)
		ret = vbg_ring_attach(&v->g, v->conn, VENET_SHM_RX, &v->rx);
	if (ret)
		return ret;
	for (i = 0; i < V_NUM; i++)
		vbg_ring_post(&v->rx, v_rx_buf(i), E_SLOT, i);
	vbg_ring_kick(&v->rx);
	ret = vbg_call(&v->g, v->conn, VENET_FUNC_LINKUP, 0, 0);
	if (!ret)
		ret = vbg_if_up(v->ifname);
	if (ret)
		return ret;
	v->ifindex = if_nametoindex(v->ifname);
	if (!v->ifindex)
		return -errno;
	if (!rx)
		return 0;

	/* protocol 0: a socket that sends and receives nothing */
	v->packet = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (v->packet < 0)
		return -errno;
	vdrv_frame(frame, sizeof(frame), 0);
	for (tries = 0; tries < 100; tries++) {
		ret = venet_send(v, frame, sizeof(frame));
		if (ret)
			return ret;
		usleep(10000);
		if (vbg_ring_reap(&v->rx, &d))
			break;
	}
	if (tries == 100)
		return -ETIMEDOUT;
	vbg_ring_post(&v->rx, d.ptr, E_SLOT, d.cookie);
	vbg_ring_kick(&v->rx);
	venet_drain(v);
	venet_ack(v);
	return 0;
}

/* 0 if venet is there: its module loads */
static int venet_load(void)
{
	struct stat st;

	if (stat(VBG_MODULE_DIR "/vbus_venet.ko", &st))
		return -errno;
	return vbg_load_module("vbus_venet");
}

/* ------------------------------------------------------------ vhost-xi */

static int xi_open(struct vdrv *d, bool tx)
{
	int ret = vdrv_open(d, VDRV_VHOST_XI,
			    (1ULL << VIRTIO_RING_F_EVENT_IDX) |
			    (1ULL << VIRTIO_NET_F_MRG_RXBUF), false);
	unsigned int i;

	if (ret)
		return ret;
	if (tx) {
		/* nobody reads what the device sends */
		close(d->packet);
		d->packet = -1;
		/* every slot, posted; published by the first kick */
		for (i = 0; i < VDRV_NUM; i++)
			vdrv_post_tx(&d->q[VDRV_TX], i, ETH_ZLEN, i);
	} else {
		for (i = 0; i < VDRV_NUM; i++)
			vdrv_post_rx(&d->q[VDRV_RX], i, VDRV_SLOT);
		vdrv_kick(&d->q[VDRV_RX]);
	}
	return 0;
}

/* Sleeps on the call eventfd of @q until the device used up to @idx */
static int xi_wait_irq(struct vdrv_queue *q, uint16_t idx,
		       unsigned long *irqs)
{
	struct pollfd p = { .fd = q->call, .events = POLLIN };

	for (;;) {
		if (poll(&p, 1, WAIT_MS) != 1)
			return -ETIMEDOUT;
		drain_call(q->call, irqs);
		if ((int16_t)(vdrv_used_idx(q) - idx) >= 0)
			return 0;
	}
}

/* ------------------------------------------------------------ sides */

enum kind {
	ECHO_RT,	/* 1. echo ring, one request in flight */
	XI_RT,		/* 1. vhost-xi TX, one frame in flight */
	ECHO_CALL,	/* 3. VBUS_ECHO_CALL_COPY */
	ECHO_BATCH,	/* 2. echo ring, E_NUM requests in flight */
	XI_TX,		/* 2. and 4. vhost-xi TX, VDRV_NUM in flight */
	XI_RX,		/* 4. vhost-xi RX, VDRV_NUM frames a step */
	VENET_TX,	/* 4. venet TX, V_NUM in flight */
	VENET_RX,	/* 4. venet RX, V_NUM frames a step */
};

static const char *const kind_name[] = {
	[ECHO_RT] = "echo ring round trip", [XI_RT] = "vhost-xi round trip",
	[ECHO_CALL] = "echo call", [ECHO_BATCH] = "echo ring batch",
	[XI_TX] = "vhost-xi TX", [XI_RX] = "vhost-xi RX",
	[VENET_TX] = "venet TX", [VENET_RX] = "venet RX",
};

/* What a round measured of a device: the best round's is printed */
struct res {
	double rate;		/* operations per second */
	double irqs;		/* call eventfd counts per operation */
	double idle_irqs;	/* venet: those of the other ring */
	double kicks;		/* kick eventfd writes per operation */
	unsigned long drops;	/* frames handed back short, all rounds */
};

/* One device in a round */
struct side {
	enum kind kind;
	uint32_t len;
	struct echo e;
	struct vdrv d;
	struct venet v;
	uint8_t frame[VDRV_SLOT];
	uint64_t ns;		/* in timed steps */
	unsigned long ops, irqs, kicks, drops;
};

static int side_open(struct side *s)
{
	int ret;

	switch (s->kind) {
	case ECHO_RT:
	case ECHO_CALL:
	case ECHO_BATCH:
		return echo_open(&s->e);
	case XI_RT:
		ret = xi_open(&s->d, true);
		/* slot 0 written, none available: each round trip adds it */
		s->d.q[VDRV_TX].avail_idx = 0;
		return ret;
	case XI_TX:
		return xi_open(&s->d, true);
	case XI_RX:
		return xi_open(&s->d, false);
	case VENET_TX:
		return venet_open(&s->v, false);
	case VENET_RX:
		return venet_open(&s->v, true);
	}
	return -EINVAL;
}

/* Requests or frames of @len bytes from now on; nothing is in flight */
static void side_set_len(struct side *s, uint32_t len)
{
	struct vdrv_queue *q = &s->d.q[VDRV_TX];
	struct vbus_echo_copy *copy;
	uint32_t i;

	s->len = len;
	switch (s->kind) {
	case ECHO_RT:
	case ECHO_CALL:
	case ECHO_BATCH:
		for (i = 0; i < E_NUM; i++)
			memset(vbg_host(&s->e.g, e_req_buf(i)), i, len);
		copy = vbg_host(&s->e.g, E_CALL);
		copy->len = len;
		break;
	case XI_RT:
	case XI_TX:
		for (i = 0; i < VDRV_NUM; i++) {
			vdrv_frame(vdrv_slot(q, i) + VDRV_HDR, len, i);
			q->desc[i].len = VDRV_HDR + len;
		}
		break;
	case XI_RX:
	case VENET_RX:
		vdrv_frame(s->frame, len, 0);
		break;
	case VENET_TX:
		for (i = 0; i < V_NUM; i++)
			vdrv_frame(vbg_host(&s->v.g, v_tx_buf(i)), len, i);
		break;
	}
}

/* The figures of the timed steps, once a late interrupt had time to come */
static void side_figures(struct side *s, struct res *res)
{
	unsigned long idle = 0;

	usleep(1000);
	switch (s->kind) {
	case ECHO_RT:
	case ECHO_CALL:
	case ECHO_BATCH:
		drain_call(s->e.rep.call, &s->irqs);
		break;
	case XI_RT:
	case XI_TX:
		drain_call(s->d.q[VDRV_TX].call, &s->irqs);
		break;
	case XI_RX:
		drain_call(s->d.q[VDRV_RX].call, &s->irqs);
		break;
	case VENET_TX:
	case VENET_RX:
		venet_drain(&s->v);
		s->irqs = s->v.irqs[s->kind == VENET_RX];
		idle = s->v.irqs[s->kind != VENET_RX];
		break;
	}
	res->rate = s->ops * 1e9 / s->ns;
	res->irqs = (double)s->irqs / s->ops;
	res->idle_irqs = (double)idle / s->ops;
	res->kicks = (double)s->kicks / s->ops;
	res->drops = s->drops;
}

static void side_close(struct side *s)
{
	switch (s->kind) {
	case ECHO_RT:
	case ECHO_CALL:
	case ECHO_BATCH:
		echo_close(&s->e);
		break;
	case XI_RT:
	case XI_TX:
	case XI_RX:
		vdrv_close(&s->d);
		break;
	case VENET_TX:
	case VENET_RX:
		venet_close(&s->v);
		break;
	}
}

/* From now on, only what the timed steps do counts */
static void side_reset(struct side *s)
{
	s->ns = 0;
	s->ops = s->irqs = s->kicks = s->drops = 0;
	memset(s->v.irqs, 0, sizeof(s->v.irqs));
}

/*
 * 1. RT_STEP round trips, one request in flight. The reply buffer goes
 * first and the request's kick then wakes the device, which serves both
 * rings from one work (a second kick, for the reply ring, would only
 * queue that work again).
 */
static int echo_rt_step(struct side *s)
{
	struct echo *e = &s->e;
	int i, ret;

	for (i = 0; i < RT_STEP; i++) {
		vbg_ring_post(&e->rep, e_rep_buf(0), E_SLOT, 0);
		vbg_ring_post(&e->req, e_req_buf(0), s->len, 0);
		s->kicks += vbg_ring_kick(&e->req);
		ret = ring_wait_irq(&e->rep, &s->irqs);
		if (!ret)
			ret = echo_reap(e, s->len);
		if (ret)
			return ret;
		s->ops++;
	}
	return 0;
}

/* 1. anchor: RT_STEP frames, one in flight */
static int xi_rt_step(struct side *s)
{
	struct vdrv_queue *q = &s->d.q[VDRV_TX];
	int i, ret;

	for (i = 0; i < RT_STEP; i++) {
		vdrv_add(q, 0);
		vdrv_kick(q);
		s->kicks++;
		ret = xi_wait_irq(q, q->avail_idx, &s->irqs);
		if (ret)
			return ret;
		q->used_idx++;
		s->ops++;
	}
	return 0;
}

/* 3. CALL_STEP calls */
static int echo_call_step(struct side *s)
{
	long ret;
	int i;

	for (i = 0; i < CALL_STEP; i++) {
		ret = vbg_call(&s->e.g, s->e.conn, VBUS_ECHO_CALL_COPY, E_CALL,
			       sizeof(struct vbus_echo_copy));
		if (ret != s->len)
			return ret < 0 ? ret : -EIO;
		s->ops++;
	}
	return 0;
}

/*
 * 2. E_NUM requests and reply buffers posted, both rings kicked (the
 * shm-signal suppresses a kick while the device is at work or has one
 * pending), every reply reaped as the interrupts come, as an interrupt
 * handler takes them (vbg_ring_wait()).
 */
static int echo_batch_step(struct side *s)
{
	struct echo *e = &s->e;
	uint32_t i, done;
	int ret;

	for (i = 0; i < E_NUM; i++) {
		vbg_ring_post(&e->rep, e_rep_buf(i), E_SLOT, i);
		vbg_ring_post(&e->req, e_req_buf(i), s->len, i);
	}
	s->kicks += vbg_ring_kick(&e->req);
	s->kicks += vbg_ring_kick(&e->rep);
	for (done = 0; done < E_NUM; done++) {
		if (!ring_done(&e->rep) &&
		    !vbg_ring_wait(&e->rep, WAIT_MS, &s->irqs))
			return -ETIMEDOUT;
		ret = echo_reap(e, s->len);
		if (ret)
			return ret;
		s->ops++;
	}
	return 0;
}

/*
 * 2. and 4. anchor: vhost_xi_bench's tx_round, one batch: kick, wait for
 * all VDRV_NUM frames, post them again (published by the next kick)
 */
static int xi_tx_step(struct side *s)
{
	struct vdrv_queue *q = &s->d.q[VDRV_TX];
	int ret;

	vdrv_kick(q);
	s->kicks++;
	ret = vdrv_wait_used_counting(q, q->avail_idx, WAIT_MS, &s->irqs);
	if (ret)
		return ret;
	while (q->used_idx != vdrv_used_idx(q)) {
		struct vring_used_elem *u =
			&q->used->ring[q->used_idx++ % VDRV_NUM];

		vdrv_add(q, u->id);
		s->ops++;
	}
	return 0;
}

/* 4. anchor: vhost_xi_bench's rx_round, one batch of VDRV_NUM frames */
static int xi_rx_step(struct side *s)
{
	struct vdrv_queue *q = &s->d.q[VDRV_RX];
	unsigned int i;
	int ret;

	for (i = 0; i < VDRV_NUM; i++) {
		ret = vdrv_inject(&s->d, s->frame, s->len);
		if (ret)
			return ret;
	}
	ret = vdrv_wait_used_counting(q, q->used_idx + VDRV_NUM,
				      WAIT_MS, &s->irqs);
	if (ret)
		return ret;
	while (q->used_idx != vdrv_used_idx(q)) {
		struct vring_used_elem *u =
			&q->used->ring[q->used_idx++ % VDRV_NUM];

		s->drops += u->len != VDRV_HDR + s->len;
		vdrv_add(q, u->id);
		s->ops++;
	}
	vdrv_kick(q);
	s->kicks++;
	return 0;
}

/* 4. TX, as xi_tx_step: V_NUM frames posted, kicked, all reaped */
static int venet_tx_step(struct side *s)
{
	struct venet *v = &s->v;
	struct ioq_ring_desc d;
	uint32_t i;
	int ret;

	for (i = 0; i < V_NUM; i++)
		vbg_ring_post(&v->tx, v_tx_buf(i), s->len, i);
	s->kicks += vbg_ring_kick(&v->tx);
	ret = venet_wait(v, &v->tx, v->tx.next);
	if (ret)
		return ret;
	for (i = 0; i < V_NUM; i++) {
		if (!vbg_ring_reap(&v->tx, &d))
			return -EIO;
		s->drops += d.used != s->len;
		s->ops++;
	}
	return 0;
}

/* 4. RX, as xi_rx_step: V_NUM frames sent, reaped, buffers posted again */
static int venet_rx_step(struct side *s)
{
	struct venet *v = &s->v;
	struct ioq_ring_desc d;
	uint32_t i;
	int ret;

	for (i = 0; i < V_NUM; i++) {
		ret = venet_send(v, s->frame, s->len);
		if (ret)
			return ret;
	}
	ret = venet_wait(v, &v->rx, v->rx.reap + V_NUM);
	if (ret)
		return ret;
	while (vbg_ring_reap(&v->rx, &d)) {
		s->drops += d.used != s->len;
		vbg_ring_post(&v->rx, d.ptr, E_SLOT, d.cookie);
		s->ops++;
	}
	s->kicks += vbg_ring_kick(&v->rx);
	return 0;
}

static int side_step(struct side *s)
{
	static int (*const step[])(struct side *s) = {
		[ECHO_RT] = echo_rt_step, [XI_RT] = xi_rt_step,
		[ECHO_CALL] = echo_call_step, [ECHO_BATCH] = echo_batch_step,
		[XI_TX] = xi_tx_step, [XI_RX] = xi_rx_step,
		[VENET_TX] = venet_tx_step, [VENET_RX] = venet_rx_step,
	};

	return step[s->kind](s);
}

static bool side_done(const struct side *s)
{
	unsigned long min = s->kind <= ECHO_CALL ? MIN_RT : MIN_PKTS;

	return s->ns >= ROUND_MS * 1000000ULL && s->ops >= min;
}

static void fail(const char *what, int err)
{
	printf("bench: vbus: %s failed: %s\n", what, strerror(-err));
	exit(1);
}

/*
 * One round of @n devices side by side, set up once for every length of
 * @lens: for each, every device is stepped once untimed, then they are
 * stepped in turn (reversed in odd rounds) until each is done, and its
 * figures go to @best[length][device] if it did better than before.
 */
static void run(int round, int n, const enum kind *kinds, int nlens,
		const uint32_t *lens, struct res *best)
{
	static struct side sides[3];
	struct res r, *b;
	bool done;
	int i, k, l, ret;

	for (i = 0; i < n; i++) {
		memset(&sides[i], 0, sizeof(sides[i]));
		sides[i].kind = kinds[i];
		ret = side_open(&sides[i]);
		if (ret)
			fail(kind_name[kinds[i]], ret);
	}
	for (l = 0; l < nlens; l++) {
		for (i = 0; i < n; i++) {
			side_set_len(&sides[i], lens[l]);
			ret = side_step(&sides[i]);
			if (ret)
				fail(kind_name[kinds[i]], ret);
			side_reset(&sides[i]);
		}
		do {
			done = true;
			for (k = 0; k < n; k++) {
				struct side *s = &sides[round & 1 ? n - 1 - k :
								    k];
				uint64_t start = now_ns();

				/* one that is done waits for the others */
				if (side_done(s))
					continue;
				ret = side_step(s);
				s->ns += now_ns() - start;
				if (ret)
					fail(kind_name[s->kind], ret);
				done &= side_done(s);
			}
		} while (!done);
		for (i = 0; i < n; i++) {
			b = &best[l * n + i];
			side_figures(&sides[i], &r);
			r.drops += b->drops;
			if (r.rate > b->rate)
				*b = r;
			b->drops = r.drops;
		}
	}
	for (i = 0; i < n; i++)
		side_close(&sides[i]);
}

/* ------------------------------------------------------------ main */

int main(void)
{
	static const enum kind part1[] = { ECHO_RT, XI_RT, ECHO_CALL };
	static const enum kind part2[] = { ECHO_BATCH, XI_TX };
	static const enum kind part4[2][2] = {
		{ VENET_RX, XI_RX }, { VENET_TX, XI_TX },
	};
	static const uint32_t lens[] = { 64, 1500 };
	struct res rt[3] = {}, batch[2][2] = {}, net[2][2][2] = {};
	struct res *rt_echo = &rt[0], *rt_xi = &rt[1], *call = &rt[2];
	int ret, r, l, dir, venet;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = vbg_load_module("vbus");
	if (!ret)
		ret = vbg_load_module("vbus_echo");
	if (ret)
		fail("loading vbus and vbus_echo", ret);
	ret = vdrv_load_vhost_xi();
	if (ret)
		fail("loading vhost_xi_net", ret);
	venet = venet_load();

	for (r = 0; r < ROUNDS; r++) {
		run(r, 3, part1, 1, lens, rt);
		run(r, 2, part2, 2, lens, batch[0]);
		for (dir = 0; !venet && dir < 2; dir++)
			run(r, 2, part4[dir], 2, lens, net[dir][0]);
	}

	printf("bench: vbus: best of %d rounds, compared devices side by side in alternating steps, %d ms and %d round trips or %d requests each at least; ratio = vbus / anchor, same boot\n",
	       ROUNDS, ROUND_MS, MIN_RT, MIN_PKTS);
	printf("bench: vbus echo ring round trip   64 B, 1 in flight: echo %7.0f rt/s (%.2f irq, %.2f kick per rt), vhost-xi TX %7.0f pps (%.2f irq, %.2f kick per pkt), ratio %.2f\n",
	       rt_echo->rate, rt_echo->irqs, rt_echo->kicks, rt_xi->rate,
	       rt_xi->irqs, rt_xi->kicks, rt_echo->rate / rt_xi->rate);
	for (l = 0; l < 2; l++) {
		struct res *e = &batch[l][0], *x = &batch[l][1];

		printf("bench: vbus echo ring batch      %4u B, %d/%d in flight: echo %7.0f req/s (%.3f irq, %.3f kick per req), vhost-xi TX %7.0f pps (%.3f irq, %.3f kick per pkt), ratio %.2f\n",
		       lens[l], E_NUM, VDRV_NUM, e->rate, e->irqs, e->kicks,
		       x->rate, x->irqs, x->kicks, e->rate / x->rate);
	}
	printf("bench: vbus echo call            64 B: call %7.0f calls/s, ring round trip %7.0f rt/s, ratio %.2f\n",
	       call->rate, rt_echo->rate, call->rate / rt_echo->rate);
	if (venet) {
		printf("bench: vbus venet: not measured: vbus_venet: %s\n",
		       strerror(-venet));
		return 0;
	}
	for (dir = 0; dir < 2; dir++)
		for (l = 0; l < 2; l++) {
			struct res *v = &net[dir][l][0], *x = &net[dir][l][1];

			printf("bench: vbus venet %s %4u B, %d in flight: venet %7.0f pps (%.3f irq + %.3f on the idle ring, %.3f kick per pkt), vhost-xi %7.0f pps (%.3f irq, %.3f kick per pkt), ratio %.2f\n",
			       dir ? "TX" : "RX", lens[l], V_NUM, v->rate,
			       v->irqs, v->idle_irqs, v->kicks, x->rate,
			       x->irqs, x->kicks, v->rate / x->rate);
			if (v->drops || x->drops)
				printf("bench: vbus venet %s %4u B: frames dropped: venet %lu, vhost-xi %lu\n",
				       dir ? "TX" : "RX", lens[l], v->drops,
				       x->drops);
		}
	return 0;
}
