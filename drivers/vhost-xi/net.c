// SPDX-License-Identifier: GPL-2.0-only
/*
 * vhost-xi-net: virtio-net rings served in the kernel, guest memory a vas
 *
 * /dev/vhost-xi-net is vhost-net with one change: the device reaches guest
 * memory through a vas (VHOST_XI_SET_VAS) rather than through a table of
 * the VMM's addresses, so ring and buffer addresses are guest-physical and
 * every byte it writes lands in the vas's dirty log. The vhost core does
 * what it does well as it is: the worker (a vhost_task of the owner),
 * VHOST_SET_OWNER, the vring NUM/BASE/KICK/CALL/ERR ioctls, polling the
 * kick eventfd and the tap, error reporting. The rings are walked with
 * vringh's vas flavour instead of vhost.c's accessors, which assume user
 * addresses.
 *
 * Data path: a packet is copied once between guest memory and a per-queue
 * bounce buffer (vringh_iov_pull_vas()/vringh_iov_push_vas(), that is
 * vas_read()/vas_write()) and once between the bounce buffer and the tap
 * (sendmsg/recvmsg on its socket). A received packet for which the guest
 * has no buffers yet waits in the bounce buffer.
 *
 * Ring maps: the three parts of each ring are mapped into the kernel with
 * vas_vmap() (the used ring writable) and handed to vringh under RCU, so
 * that ring accesses are plain loads and stores. A map is invalidated
 * whenever the memory behind it changes; the callback only retracts the
 * kernel addresses under a spinlock and waits for an RCU grace period: it
 * must not take vq->mutex, which the worker holds while it may fault on
 * owner memory inside vas_read() with the notifier waiting on it. The
 * worker re-maps at its next run; where that fails (a memslot was
 * deleted) it goes on through vas_read_once()/vas_write_once(), which fail
 * at a hole, and the queue stops with an error on its error eventfd.
 *
 * Locking: dev->mutex (ioctls that change the device) > vq->mutex (ring
 * state, taken by the worker around a run) > ring_lock (the published
 * ring maps, a spinlock also taken by the invalidate callback).
 */
#include <linux/compat.h>
#include <linux/file.h>
#include <linux/if_tap.h>
#include <linux/if_tun.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/nospec.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <linux/vas.h>
#include <linux/vhost.h>
#include <linux/vringh.h>
#include <linux/virtio_net.h>
#include <uapi/linux/vhost_xi.h>

#include "vhost.h"

static bool ring_maps = true;
module_param(ring_maps, bool, 0644);
MODULE_PARM_DESC(ring_maps, "Map the rings into the kernel (default: yes)");

/* Largest packet through the bounce buffer: a tap's largest frame */
#define VHOST_XI_NET_MAX_PACKET	(64 * 1024)
/* Packets per run before the worker lets other work in */
#define VHOST_XI_NET_WEIGHT	256
#define VHOST_XI_NET_BYTE_WEIGHT	0x80000
/* Where the header says how many buffers a merged packet took */
#define NUM_BUFFERS_OFFSET	offsetof(struct virtio_net_hdr_mrg_rxbuf, num_buffers)
/* Buffers one received packet may take (VIRTIO_NET_F_MRG_RXBUF) */
#define VHOST_XI_NET_MAX_RX_HEADS	64

enum {
	VHOST_XI_NET_FEATURES = (1ULL << VIRTIO_F_NOTIFY_ON_EMPTY) |
				(1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
				(1ULL << VIRTIO_RING_F_EVENT_IDX) |
				(1ULL << VIRTIO_F_ANY_LAYOUT) |
				(1ULL << VIRTIO_F_VERSION_1) |
				(1ULL << VHOST_NET_F_VIRTIO_NET_HDR) |
				(1ULL << VIRTIO_NET_F_MRG_RXBUF),
};

enum {
	VHOST_XI_NET_RX = 0,
	VHOST_XI_NET_TX = 1,
	VHOST_XI_NET_NQUEUES = 2,
};

/* The three parts of a split ring, for its maps */
enum {
	RING_DESC,
	RING_AVAIL,
	RING_USED,
	RING_PARTS,
};

/**
 * struct vhost_xi_net_queue - one virtqueue of the device
 * @vq: The vhost core's queue: num, base, kick, call, err, the backend
 *	socket (private_data), the mutex and the worker
 * @vrh: The ring, walked through the vas; valid while @live
 * @riov: Readable descriptors of the current head
 * @wiov: Writable descriptors of the current head
 * @addr: Guest-physical addresses of desc, avail and used (VHOST_SET_VRING_ADDR)
 * @addr_set: @addr was set
 * @live: @vrh is initialized for the current backend and addresses
 * @broken: The ring failed: nothing more is done until it is set up again
 * @maps: Kernel mappings of the ring's parts, or NULL
 * @kring: Their kernel addresses, as published to @vrh
 * @map_failed: Mapping failed for the current ring: do not retry
 * @ring_lock: Serializes publishing @kring with retracting it
 * @vhost_hlen: Bytes of virtio-net header the device adds or strips
 * @sock_hlen: Bytes of virtio-net header the socket carries itself
 * @buf: The bounce buffer
 * @pending: RX: length of a received packet waiting in @buf, or 0
 * @heads: RX: the used elements of one packet
 * @net: The device
 */
struct vhost_xi_net_queue {
	struct vhost_virtqueue vq;
	struct vringh vrh;
	struct vringh_kiov riov;
	struct vringh_kiov wiov;
	u64 addr[RING_PARTS];
	bool addr_set;
	bool live;
	bool broken;
	struct vas_vmap *maps[RING_PARTS];
	struct vring kring;
	bool map_failed;
	spinlock_t ring_lock;	/* publishing vs. retracting @kring */
	size_t vhost_hlen;
	size_t sock_hlen;
	void *buf;
	size_t pending;
	struct vring_used_elem heads[VHOST_XI_NET_MAX_RX_HEADS];
	struct vhost_xi_net *net;
};

/**
 * struct vhost_xi_net - a vhost-xi-net device
 * @dev: The vhost core's device
 * @queues: RX and TX
 * @vqs: The vhost core's view of @queues
 * @poll: Polls the backend socket of each queue
 * @vas: The vas, set once by VHOST_XI_SET_VAS under dev.mutex
 */
struct vhost_xi_net {
	struct vhost_dev dev;
	struct vhost_xi_net_queue queues[VHOST_XI_NET_NQUEUES];
	struct vhost_virtqueue *vqs[VHOST_XI_NET_NQUEUES];
	struct vhost_poll poll[VHOST_XI_NET_NQUEUES];
	struct vas *vas;
};

static struct vhost_xi_net_queue *to_queue(struct vhost_virtqueue *vq)
{
	return container_of(vq, struct vhost_xi_net_queue, vq);
}

/* ------------------------------------------------------------ ring maps */

/* Retracts the kernel addresses of the ring; the maps stay for the worker */
static void vhost_xi_net_ring_invalidate(struct vas_vmap *map, void *data)
{
	struct vhost_xi_net_queue *q = data;

	spin_lock(&q->ring_lock);
	vringh_set_vas_kring(&q->vrh, NULL);
	spin_unlock(&q->ring_lock);
	synchronize_rcu();
}

static const struct vas_vmap_ops vhost_xi_net_ring_ops = {
	.invalidate = vhost_xi_net_ring_invalidate,
};

/* Under vq->mutex; nothing uses @kring once it is retracted */
static void vhost_xi_net_unmap_ring(struct vhost_xi_net_queue *q)
{
	int i;

	if (!q->maps[RING_DESC])
		return;
	spin_lock(&q->ring_lock);
	vringh_set_vas_kring(&q->vrh, NULL);
	spin_unlock(&q->ring_lock);
	synchronize_rcu();
	for (i = 0; i < RING_PARTS; i++) {
		if (q->maps[i])
			vas_vunmap(q->maps[i]);
		q->maps[i] = NULL;
	}
}

/*
 * Under vq->mutex, with the ring live: (re)maps it if it is not mapped.
 * Failing is not an error: the ring is then reached through the vas.
 */
static void vhost_xi_net_map_ring(struct vhost_xi_net_queue *q)
{
	unsigned int num = q->vq.num;
	size_t len[RING_PARTS] = {
		[RING_DESC] = num * sizeof(struct vring_desc),
		[RING_AVAIL] = struct_size_t(struct vring_avail, ring, num + 1),
		[RING_USED] = struct_size_t(struct vring_used, ring, num) +
			      sizeof(__virtio16),
	};
	void *addr[RING_PARTS];
	bool mapped = true;
	int i;

	if (!ring_maps || q->map_failed || rcu_access_pointer(q->vrh.vas_kring))
		return;
	/* Invalidated since the last run: map what is there now */
	vhost_xi_net_unmap_ring(q);
	for (i = 0; i < RING_PARTS; i++) {
		struct vas_vmap *map;

		map = vas_vmap(q->net->vas, q->addr[i], len[i],
			       i == RING_USED ? VAS_MAP_WRITE : 0,
			       &vhost_xi_net_ring_ops, q);
		if (IS_ERR(map)) {
			q->map_failed = true;
			vhost_xi_net_unmap_ring(q);
			return;
		}
		q->maps[i] = map;
	}

	/* An invalidation since vas_vmap() cleared an address: keep it out */
	spin_lock(&q->ring_lock);
	for (i = 0; i < RING_PARTS; i++) {
		addr[i] = vas_vmap_addr(q->maps[i]);
		mapped &= !!addr[i];
	}
	if (mapped) {
		q->kring.num = num;
		q->kring.desc = addr[RING_DESC];
		q->kring.avail = addr[RING_AVAIL];
		q->kring.used = addr[RING_USED];
		vringh_set_vas_kring(&q->vrh, &q->kring);
	}
	spin_unlock(&q->ring_lock);
}

/* ------------------------------------------------------------ ring setup */

/*
 * Under vq->mutex: makes the ring live for the current backend, features
 * and addresses, from the index VHOST_SET_VRING_BASE gave and the used
 * index in guest memory.
 */
static int vhost_xi_net_ring_start(struct vhost_xi_net_queue *q)
{
	struct vhost_virtqueue *vq = &q->vq;
	__virtio16 used_idx;
	int err;

	/* A ring that ran goes on from where it was */
	if (q->live)
		vq->last_avail_idx = q->vrh.last_avail_idx;
	vhost_xi_net_unmap_ring(q);
	q->live = false;
	q->broken = false;
	q->map_failed = false;
	if (!vhost_vq_get_backend(vq))
		return 0;
	if (!q->addr_set || !vq->num)
		return -EINVAL;

	err = vringh_init_vas(&q->vrh, q->net->vas, vq->acked_features,
			      vq->num, true, q->addr[RING_DESC],
			      q->addr[RING_AVAIL], q->addr[RING_USED]);
	if (err)
		return err;
	err = vas_read_once(q->net->vas,
			    q->addr[RING_USED] + offsetof(struct vring_used, idx),
			    &used_idx, sizeof(used_idx));
	if (err)
		return err;
	q->vrh.last_avail_idx = vq->last_avail_idx;
	q->vrh.last_used_idx = vhost16_to_cpu(vq, used_idx);
	q->live = true;
	return 0;
}

/* Under vq->mutex: the ring failed; tell the VMM on the error eventfd */
static void vhost_xi_net_ring_failed(struct vhost_xi_net_queue *q, int err)
{
	if (q->broken)
		return;
	q->broken = true;
	vq_err(&q->vq, "vhost-xi-net: queue %td failed: %d\n",
	       q - q->net->queues, err);
}

/* Under vq->mutex: signals the call eventfd if the guest wants it */
static void vhost_xi_net_signal(struct vhost_xi_net_queue *q)
{
	int need = vringh_need_notify_vas(&q->vrh);

	if (need < 0)
		vhost_xi_net_ring_failed(q, need);
	else if (need && q->vq.call_ctx.ctx)
		eventfd_signal(q->vq.call_ctx.ctx);
}

/*
 * Under vq->mutex, the ring empty: turns guest notifications back on.
 * Returns true if buffers arrived while they were off (they are off again
 * and the caller goes on), false if the worker may wait for a kick.
 */
static bool vhost_xi_net_more_after_enable(struct vhost_xi_net_queue *q)
{
	if (likely(vringh_notify_enable_vas(&q->vrh)))
		return false;
	vringh_notify_disable_vas(&q->vrh);
	return true;
}

/* Under vq->mutex: can the worker use the ring? Maps it first if needed */
static struct socket *vhost_xi_net_ring_ready(struct vhost_xi_net_queue *q)
{
	struct socket *sock = vhost_vq_get_backend(&q->vq);

	if (!sock || !q->live || q->broken)
		return NULL;
	vhost_xi_net_map_ring(q);
	return sock;
}

/* ------------------------------------------------------------ TX */

static void vhost_xi_net_tx(struct vhost_xi_net_queue *q)
{
	struct vhost_virtqueue *vq = &q->vq;
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	int packets = 0, bytes = 0;
	struct socket *sock;
	struct kvec kvec;
	u16 head;
	int err;

	mutex_lock(&vq->mutex);
	sock = vhost_xi_net_ring_ready(q);
	if (!sock)
		goto out;

	vhost_poll_stop(&q->net->poll[VHOST_XI_NET_TX]);
	vringh_notify_disable_vas(&q->vrh);
	for (;;) {
		ssize_t len;

		err = vringh_getdesc_vas(&q->vrh, &q->riov, &q->wiov, &head,
					 GFP_KERNEL);
		if (err < 0) {
			vhost_xi_net_ring_failed(q, err);
			break;
		}
		if (!err) {
			if (vhost_xi_net_more_after_enable(q))
				continue;
			break;
		}
		len = vringh_kiov_length(&q->riov);
		if (q->wiov.used || len < q->vhost_hlen ||
		    len - q->vhost_hlen > VHOST_XI_NET_MAX_PACKET) {
			vhost_xi_net_ring_failed(q, -EINVAL);
			break;
		}
		vringh_kiov_advance(&q->riov, q->vhost_hlen);
		len = vringh_iov_pull_vas(&q->vrh, &q->riov, q->buf,
					  len - q->vhost_hlen);
		if (len < 0) {
			vhost_xi_net_ring_failed(q, len);
			break;
		}

		kvec.iov_base = q->buf;
		kvec.iov_len = len;
		iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, &kvec, 1, len);
		err = sock->ops->sendmsg(sock, &msg, len);
		if (unlikely(err == -EAGAIN || err == -ENOMEM ||
			     err == -ENOBUFS)) {
			/* The socket is full: retry when it has room */
			vringh_abandon_vas(&q->vrh, 1);
			vhost_poll_start(&q->net->poll[VHOST_XI_NET_TX],
					 sock->file);
			break;
		}
		/* Other errors drop the packet, as a NIC would */
		err = vringh_complete_vas(&q->vrh, head, 0);
		if (err) {
			vhost_xi_net_ring_failed(q, err);
			break;
		}
		bytes += len;
		if (vhost_exceeds_weight(vq, ++packets, bytes))
			break;
	}
	vhost_xi_net_signal(q);
out:
	mutex_unlock(&vq->mutex);
}

/* ------------------------------------------------------------ RX */

/*
 * Guest-physical addresses of the header's num_buffers, a little-endian
 * 16-bit field at @offset of the buffer @wiov describes (its two bytes may
 * lie in two elements), before anything was pushed to it.
 */
static int vhost_xi_net_num_buffers_gpa(struct vringh_kiov *wiov,
					size_t offset, u64 gpa[2])
{
	int byte = 0, i;

	for (i = wiov->i; i < wiov->used && byte < 2; i++) {
		size_t len = wiov->iov[i].iov_len;

		for (; offset < len && byte < 2; offset++)
			gpa[byte++] = (uintptr_t)wiov->iov[i].iov_base + offset;
		offset = offset >= len ? offset - len : 0;
	}
	return byte == 2 ? 0 : -EINVAL;
}

/*
 * Puts the packet waiting in the bounce buffer into guest buffers.
 * Returns 1 if it was delivered or dropped, 0 if the guest has no buffers
 * for it yet, or -errno if the ring failed.
 */
static int vhost_xi_net_rx_packet(struct vhost_xi_net_queue *q)
{
	bool mergeable = vhost_has_feature(&q->vq, VIRTIO_NET_F_MRG_RXBUF);
	size_t hlen = q->vhost_hlen + q->sock_hlen;
	size_t total = q->vhost_hlen + q->pending, done = 0;
	struct virtio_net_hdr_mrg_rxbuf hdr = {};
	unsigned int nheads = 0;
	size_t used;
	u64 num_buffers_gpa[2];
	__le16 num_buffers;
	u16 head;
	int err;

	while (done < total) {
		const void *src;
		size_t len;
		ssize_t n;

		if (nheads == (mergeable ? VHOST_XI_NET_MAX_RX_HEADS : 1)) {
			/* Too large for the buffers the guest gives: drop */
			vringh_abandon_vas(&q->vrh, nheads);
			return 1;
		}
		err = vringh_getdesc_vas(&q->vrh, &q->riov, &q->wiov, &head,
					 GFP_KERNEL);
		if (err <= 0) {
			vringh_abandon_vas(&q->vrh, nheads);
			return err;
		}
		if (q->riov.used) {
			vringh_abandon_vas(&q->vrh, nheads + 1);
			return -EINVAL;
		}
		if (!nheads && hlen == sizeof(hdr)) {
			err = vhost_xi_net_num_buffers_gpa(&q->wiov,
							   NUM_BUFFERS_OFFSET,
							   num_buffers_gpa);
			if (err) {
				vringh_abandon_vas(&q->vrh, 1);
				return err;
			}
		}
		len = vringh_kiov_length(&q->wiov);
		used = min(len, total - done);
		q->heads[nheads].id = cpu_to_vringh32(&q->vrh, head);
		q->heads[nheads].len = cpu_to_vringh32(&q->vrh, used);
		nheads++;
		while (len && done < total) {
			if (done < q->vhost_hlen) {
				src = (void *)&hdr + done;
				n = q->vhost_hlen - done;
			} else {
				src = q->buf + done - q->vhost_hlen;
				n = total - done;
			}
			n = vringh_iov_push_vas(&q->vrh, &q->wiov, src,
						min_t(size_t, n, len));
			if (n < 0) {
				vringh_abandon_vas(&q->vrh, nheads);
				return n;
			}
			if (!n)
				break;
			done += n;
			len -= n;
		}
	}

	if (hlen == sizeof(hdr)) {
		/* The tap leaves num_buffers as it was: set it either way */
		num_buffers = cpu_to_le16(nheads);
		err = vas_write(q->net->vas, num_buffers_gpa[0], &num_buffers, 1);
		if (!err)
			err = vas_write(q->net->vas, num_buffers_gpa[1],
					(u8 *)&num_buffers + 1, 1);
		if (err) {
			vringh_abandon_vas(&q->vrh, nheads);
			return err;
		}
	}
	err = vringh_complete_multi_vas(&q->vrh, q->heads, nheads);
	return err ?: 1;
}

static void vhost_xi_net_rx(struct vhost_xi_net_queue *q)
{
	struct vhost_virtqueue *vq = &q->vq;
	int packets = 0, bytes = 0;
	struct socket *sock;
	struct kvec kvec;
	int err;

	mutex_lock(&vq->mutex);
	sock = vhost_xi_net_ring_ready(q);
	if (!sock)
		goto out;

	vringh_notify_disable_vas(&q->vrh);
	for (;;) {
		if (!q->pending) {
			struct msghdr msg = {
				.msg_flags = MSG_DONTWAIT | MSG_TRUNC,
			};

			kvec.iov_base = q->buf;
			kvec.iov_len = VHOST_XI_NET_MAX_PACKET + q->sock_hlen;
			iov_iter_kvec(&msg.msg_iter, ITER_DEST, &kvec, 1,
				      kvec.iov_len);
			err = sock->ops->recvmsg(sock, &msg, kvec.iov_len,
						 MSG_DONTWAIT | MSG_TRUNC);
			if (err <= 0)
				break;	/* the socket poll wakes us */
			if (err > kvec.iov_len || err < q->sock_hlen)
				continue;	/* truncated or malformed: drop */
			q->pending = err;
		}

		err = vhost_xi_net_rx_packet(q);
		if (err < 0) {
			vhost_xi_net_ring_failed(q, err);
			break;
		}
		if (!err) {
			/* No buffers: wait for the guest to add some */
			if (vhost_xi_net_more_after_enable(q))
				continue;
			break;
		}
		bytes += q->pending;
		q->pending = 0;
		if (vhost_exceeds_weight(vq, ++packets, bytes))
			break;
	}
	vhost_xi_net_signal(q);
out:
	mutex_unlock(&vq->mutex);
}

/* ------------------------------------------------------------ work */

static void vhost_xi_net_handle_tx_kick(struct vhost_work *work)
{
	struct vhost_virtqueue *vq = container_of(work, struct vhost_virtqueue,
						  poll.work);

	vhost_xi_net_tx(to_queue(vq));
}

static void vhost_xi_net_handle_rx_kick(struct vhost_work *work)
{
	struct vhost_virtqueue *vq = container_of(work, struct vhost_virtqueue,
						  poll.work);

	vhost_xi_net_rx(to_queue(vq));
}

static void vhost_xi_net_handle_tx_sock(struct vhost_work *work)
{
	struct vhost_xi_net *n = container_of(work, struct vhost_xi_net,
					      poll[VHOST_XI_NET_TX].work);

	vhost_xi_net_tx(&n->queues[VHOST_XI_NET_TX]);
}

static void vhost_xi_net_handle_rx_sock(struct vhost_work *work)
{
	struct vhost_xi_net *n = container_of(work, struct vhost_xi_net,
					      poll[VHOST_XI_NET_RX].work);

	vhost_xi_net_rx(&n->queues[VHOST_XI_NET_RX]);
}

/* ------------------------------------------------------------ backend */

static struct socket *vhost_xi_net_get_tap_socket(int fd)
{
	struct file *file;
	struct socket *sock;

	if (fd == -1)
		return NULL;
	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	sock = tun_get_socket(file);
	if (!IS_ERR(sock))
		return sock;
	sock = tap_get_socket(file);
	if (IS_ERR(sock)) {
		fput(file);
		return ERR_PTR(-ENOTSOCK);
	}
	return sock;
}

static long vhost_xi_net_set_backend(struct vhost_xi_net *n,
				     struct vhost_vring_file __user *argp)
{
	struct socket *sock, *oldsock = NULL;
	struct vhost_xi_net_queue *q;
	struct vhost_vring_file backend;
	struct vhost_poll *poll;
	long err;

	if (copy_from_user(&backend, argp, sizeof(backend)))
		return -EFAULT;

	mutex_lock(&n->dev.mutex);
	err = vhost_dev_check_owner(&n->dev);
	if (err)
		goto out;
	if (backend.index >= VHOST_XI_NET_NQUEUES) {
		err = -ENOBUFS;
		goto out;
	}
	if (!n->vas && backend.fd != -1) {
		err = -ENXIO;
		goto out;
	}
	q = &n->queues[array_index_nospec(backend.index, VHOST_XI_NET_NQUEUES)];
	poll = &n->poll[q - n->queues];
	sock = vhost_xi_net_get_tap_socket(backend.fd);
	if (IS_ERR(sock)) {
		err = PTR_ERR(sock);
		goto out;
	}

	mutex_lock(&q->vq.mutex);
	oldsock = vhost_vq_get_backend(&q->vq);
	if (sock == oldsock) {
		mutex_unlock(&q->vq.mutex);
		if (sock)
			sockfd_put(sock);
		oldsock = NULL;
		goto out;
	}
	vhost_poll_stop(poll);
	vhost_vq_set_backend(&q->vq, sock);
	q->pending = 0;
	err = vhost_xi_net_ring_start(q);
	/* TX polls the socket only while it is full */
	if (!err && sock && q == &n->queues[VHOST_XI_NET_RX])
		err = vhost_poll_start(poll, sock->file);
	if (err) {
		vhost_vq_set_backend(&q->vq, oldsock);
		if (vhost_xi_net_ring_start(q) == 0 && oldsock &&
		    q == &n->queues[VHOST_XI_NET_RX])
			vhost_poll_start(poll, oldsock->file);
		mutex_unlock(&q->vq.mutex);
		if (sock)
			sockfd_put(sock);
		oldsock = NULL;
		goto out;
	}
	mutex_unlock(&q->vq.mutex);
	/* Whatever the kick said while no backend was set */
	if (sock)
		vhost_poll_queue(&q->vq.poll);

out:
	mutex_unlock(&n->dev.mutex);
	if (oldsock) {
		vhost_dev_flush(&n->dev);
		sockfd_put(oldsock);
	}
	return err;
}

/* ------------------------------------------------------------ ioctls */

static long vhost_xi_net_set_vas(struct vhost_xi_net *n, void __user *argp)
{
	struct vhost_xi_set_vas args;
	struct vas *vas;
	u32 usize;
	long err;

	if (get_user(usize, (u32 __user *)argp))
		return -EFAULT;
	if (usize < sizeof(args))
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(&args, sizeof(args), argp, usize);
	if (err)
		return err;
	if (args.flags || args.__reserved)
		return -EINVAL;

	vas = vas_get_from_fd(args.vas_fd);
	if (IS_ERR(vas))
		return PTR_ERR(vas);

	mutex_lock(&n->dev.mutex);
	err = vhost_dev_check_owner(&n->dev);
	if (!err && n->vas)
		err = -EBUSY;
	if (!err) {
		n->vas = vas;
		vas = NULL;
	}
	mutex_unlock(&n->dev.mutex);
	if (vas)
		vas_put(vas);
	return err;
}

static long vhost_xi_net_set_features(struct vhost_xi_net *n, u64 features)
{
	size_t hdr_len;
	int i;

	if (features & ~(u64)VHOST_XI_NET_FEATURES)
		return -EOPNOTSUPP;

	hdr_len = features & ((1ULL << VIRTIO_NET_F_MRG_RXBUF) |
			      (1ULL << VIRTIO_F_VERSION_1)) ?
		  sizeof(struct virtio_net_hdr_mrg_rxbuf) :
		  sizeof(struct virtio_net_hdr);

	mutex_lock(&n->dev.mutex);
	for (i = 0; i < VHOST_XI_NET_NQUEUES; i++) {
		struct vhost_xi_net_queue *q = &n->queues[i];

		mutex_lock(&q->vq.mutex);
		if (vhost_vq_get_backend(&q->vq)) {
			mutex_unlock(&q->vq.mutex);
			mutex_unlock(&n->dev.mutex);
			return -EBUSY;
		}
		mutex_unlock(&q->vq.mutex);
	}
	for (i = 0; i < VHOST_XI_NET_NQUEUES; i++) {
		struct vhost_xi_net_queue *q = &n->queues[i];

		mutex_lock(&q->vq.mutex);
		q->vq.acked_features = features;
		if (features & (1ULL << VHOST_NET_F_VIRTIO_NET_HDR)) {
			q->vhost_hlen = hdr_len;
			q->sock_hlen = 0;
		} else {
			q->vhost_hlen = 0;
			q->sock_hlen = hdr_len;
		}
		mutex_unlock(&q->vq.mutex);
	}
	mutex_unlock(&n->dev.mutex);
	return 0;
}

static long vhost_xi_net_set_vring_addr(struct vhost_xi_net *n,
					struct vhost_vring_addr __user *argp)
{
	struct vhost_xi_net_queue *q;
	struct vhost_vring_addr a;
	long err;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.index >= VHOST_XI_NET_NQUEUES)
		return -ENOBUFS;
	/* VHOST_VRING_F_LOG, the only flag, is the vas's job: it logs every write */
	if (a.flags)
		return -EOPNOTSUPP;
	if (!IS_ALIGNED(a.desc_user_addr, 16) ||
	    !IS_ALIGNED(a.avail_user_addr, 2) ||
	    !IS_ALIGNED(a.used_user_addr, 4))
		return -EINVAL;
	q = &n->queues[array_index_nospec(a.index, VHOST_XI_NET_NQUEUES)];

	mutex_lock(&n->dev.mutex);
	err = vhost_dev_check_owner(&n->dev);
	if (!err && !n->vas)
		err = -ENXIO;
	if (err)
		goto out;
	mutex_lock(&q->vq.mutex);
	q->addr[RING_DESC] = a.desc_user_addr;
	q->addr[RING_AVAIL] = a.avail_user_addr;
	q->addr[RING_USED] = a.used_user_addr;
	q->addr_set = true;
	err = vhost_xi_net_ring_start(q);
	if (!err && q->live)
		vhost_poll_queue(&q->vq.poll);
	mutex_unlock(&q->vq.mutex);
out:
	mutex_unlock(&n->dev.mutex);
	return err;
}

static long vhost_xi_net_get_vring_base(struct vhost_xi_net *n,
					struct vhost_vring_state __user *argp)
{
	struct vhost_xi_net_queue *q;
	struct vhost_vring_state s;
	long err;

	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	if (s.index >= VHOST_XI_NET_NQUEUES)
		return -ENOBUFS;
	q = &n->queues[array_index_nospec(s.index, VHOST_XI_NET_NQUEUES)];

	mutex_lock(&n->dev.mutex);
	err = vhost_dev_check_owner(&n->dev);
	if (!err) {
		mutex_lock(&q->vq.mutex);
		if (q->live)
			q->vq.last_avail_idx = q->vrh.last_avail_idx;
		s.num = q->vq.last_avail_idx;
		mutex_unlock(&q->vq.mutex);
	}
	mutex_unlock(&n->dev.mutex);
	if (!err && copy_to_user(argp, &s, sizeof(s)))
		err = -EFAULT;
	return err;
}

static long vhost_xi_net_ioctl(struct file *f, unsigned int ioctl,
			       unsigned long arg)
{
	struct vhost_xi_net *n = f->private_data;
	void __user *argp = (void __user *)arg;
	u64 __user *featurep = argp;
	u64 features;
	long err;

	switch (ioctl) {
	case VHOST_XI_SET_VAS:
		return vhost_xi_net_set_vas(n, argp);
	case VHOST_NET_SET_BACKEND:
		return vhost_xi_net_set_backend(n, argp);
	case VHOST_GET_FEATURES:
		features = VHOST_XI_NET_FEATURES;
		return copy_to_user(featurep, &features, sizeof(features)) ?
		       -EFAULT : 0;
	case VHOST_SET_FEATURES:
		if (copy_from_user(&features, featurep, sizeof(features)))
			return -EFAULT;
		return vhost_xi_net_set_features(n, features);
	case VHOST_GET_BACKEND_FEATURES:
		features = 0;
		return copy_to_user(featurep, &features, sizeof(features)) ?
		       -EFAULT : 0;
	case VHOST_SET_BACKEND_FEATURES:
		if (copy_from_user(&features, featurep, sizeof(features)))
			return -EFAULT;
		return features ? -EOPNOTSUPP : 0;
	case VHOST_SET_MEM_TABLE:
	case VHOST_SET_LOG_BASE:
	case VHOST_SET_LOG_FD:
	case VHOST_RESET_OWNER:
		/* The vas is the memory table and the dirty log */
		return -EOPNOTSUPP;
	case VHOST_SET_VRING_ADDR:
		return vhost_xi_net_set_vring_addr(n, argp);
	case VHOST_GET_VRING_BASE:
		return vhost_xi_net_get_vring_base(n, argp);
	}

	mutex_lock(&n->dev.mutex);
	err = vhost_dev_ioctl(&n->dev, ioctl, argp);
	if (err == -ENOIOCTLCMD)
		err = vhost_vring_ioctl(&n->dev, ioctl, argp);
	mutex_unlock(&n->dev.mutex);
	return err;
}

/* ------------------------------------------------------------ file */

static int vhost_xi_net_open(struct inode *inode, struct file *f)
{
	struct vhost_xi_net *n;
	int i;

	n = kvzalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!n)
		return -ENOMEM;
	for (i = 0; i < VHOST_XI_NET_NQUEUES; i++) {
		struct vhost_xi_net_queue *q = &n->queues[i];

		q->buf = kvmalloc(VHOST_XI_NET_MAX_PACKET +
				  sizeof(struct virtio_net_hdr_mrg_rxbuf),
				  GFP_KERNEL_ACCOUNT);
		if (!q->buf)
			goto err_free;
		q->net = n;
		spin_lock_init(&q->ring_lock);
		vringh_kiov_init(&q->riov, NULL, 0);
		vringh_kiov_init(&q->wiov, NULL, 0);
		n->vqs[i] = &q->vq;
	}
	n->queues[VHOST_XI_NET_RX].vq.handle_kick = vhost_xi_net_handle_rx_kick;
	n->queues[VHOST_XI_NET_TX].vq.handle_kick = vhost_xi_net_handle_tx_kick;

	vhost_dev_init(&n->dev, n->vqs, VHOST_XI_NET_NQUEUES, UIO_MAXIOV,
		       VHOST_XI_NET_WEIGHT, VHOST_XI_NET_BYTE_WEIGHT, true,
		       NULL);
	vhost_poll_init(&n->poll[VHOST_XI_NET_TX], vhost_xi_net_handle_tx_sock,
			EPOLLOUT, &n->dev, &n->queues[VHOST_XI_NET_TX].vq);
	vhost_poll_init(&n->poll[VHOST_XI_NET_RX], vhost_xi_net_handle_rx_sock,
			EPOLLIN, &n->dev, &n->queues[VHOST_XI_NET_RX].vq);
	f->private_data = n;
	return 0;

err_free:
	for (i = 0; i < VHOST_XI_NET_NQUEUES; i++)
		kvfree(n->queues[i].buf);
	kvfree(n);
	return -ENOMEM;
}

static int vhost_xi_net_release(struct inode *inode, struct file *f)
{
	struct vhost_xi_net *n = f->private_data;
	struct socket *sock[VHOST_XI_NET_NQUEUES];
	int i;

	for (i = 0; i < VHOST_XI_NET_NQUEUES; i++) {
		struct vhost_xi_net_queue *q = &n->queues[i];

		vhost_poll_stop(&n->poll[i]);
		mutex_lock(&q->vq.mutex);
		sock[i] = vhost_vq_get_backend(&q->vq);
		vhost_vq_set_backend(&q->vq, NULL);
		mutex_unlock(&q->vq.mutex);
	}
	vhost_dev_flush(&n->dev);
	vhost_dev_stop(&n->dev);
	vhost_dev_cleanup(&n->dev);
	for (i = 0; i < VHOST_XI_NET_NQUEUES; i++) {
		struct vhost_xi_net_queue *q = &n->queues[i];

		if (sock[i])
			sockfd_put(sock[i]);
		vhost_xi_net_unmap_ring(q);
		vringh_kiov_cleanup(&q->riov);
		vringh_kiov_cleanup(&q->wiov);
		kvfree(q->buf);
	}
	if (n->vas)
		vas_put(n->vas);
	kvfree(n);
	return 0;
}

static const struct file_operations vhost_xi_net_fops = {
	.owner		= THIS_MODULE,
	.open		= vhost_xi_net_open,
	.release	= vhost_xi_net_release,
	.unlocked_ioctl	= vhost_xi_net_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice vhost_xi_net_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vhost-xi-net",
	.fops	= &vhost_xi_net_fops,
};
module_misc_device(vhost_xi_net_misc);

MODULE_DESCRIPTION("vhost-xi-net: virtio-net in the kernel on a vas");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(VAS);
