// SPDX-License-Identifier: GPL-2.0-only
/*
 * venet: a virtual ethernet device on vbus
 *
 * Each device is a network interface of the host whose other end is the
 * guest: frames the host sends on the interface go to the guest's receive
 * ring, frames the guest posts on its transmit ring are received on the
 * interface. The protocol is in <uapi/linux/venet.h>. It is built as
 * vbus-echo is: a class whose create() returns a device with one
 * interface, whose connect() returns a connection; calls served through
 * the memory context; two ioq rings whose signals queue a work item that
 * serves them. It imports only the VBUS namespace.
 *
 * The vbus device lives in the net_device's private area, so the device
 * is one allocation, freed by free_netdev() when the bus releases it. The
 * host's frames wait in a queue of the connection, at most VENET_RXQ_LEN
 * of them, until the work finds receive buffers for them; the queue is
 * filled by ndo_start_xmit, which drops frames while there is no
 * connection, no rings or no carrier. The carrier is the guest's link:
 * VENET_FUNC_LINKUP and _LINKDOWN, off again when the connection closes.
 * The MAC address is chosen at random when the device is created and does
 * not change (the interface has no ndo_set_mac_address), so it is read
 * without a lock. Counters are the net_device's, updated atomically.
 *
 * Locking: vc->lock serializes the work with calls, shm() and close(); it
 * is held across guest memory copies, which may fault on the VMM's
 * memory, and is never taken by a notifier (atomic context), by
 * ndo_start_xmit or by the vas. vd->lock, a spinlock taken with bottom
 * halves off, protects vd->conn and vc->rings_ready and orders the
 * carrier with the queue: ndo_start_xmit checks them and queues under it.
 * Only the work takes frames off the queue, under vc->lock; the queue's
 * own lock orders that with ndo_start_xmit. vc->lock nests outside
 * vd->lock.
 */
#include <linux/capability.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/nsproxy.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vbus.h>
#include <linux/vbus_ring.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <uapi/linux/venet.h>

static_assert(ETH_FRAME_LEN + VLAN_HLEN == VENET_MAX_FRAME);

/* Frames of the host waiting for receive buffers, at most */
#define VENET_RXQ_LEN		256

/* The rings, by shm_id */
#define VENET_NR_RINGS		2

struct venet_conn;

/**
 * struct venet_ring - the transmit or the receive ring of a connection
 * @ioq: The ring
 * @signal: Its signal
 * @notifier: Its notifier: queues the connection's work
 * @vc: The connection
 */
struct venet_ring {
	struct ioq ioq;
	struct shm_signal *signal;
	struct shm_signal_notifier notifier;
	struct venet_conn *vc;
};

/**
 * struct venet_dev - a venet device, in its net_device's private area
 * @dev: The bus's view
 * @intf: Its one interface
 * @ndev: Its network interface
 * @lock: See "Locking" above
 * @conn: Its connection, or NULL
 */
struct venet_dev {
	struct vbus_device dev;
	struct vbus_device_interface intf;
	struct net_device *ndev;
	spinlock_t lock;	/* see "Locking" above */
	struct venet_conn *conn;
};

/**
 * struct venet_conn - the connection to a venet device
 * @conn: The bus's view
 * @vd: The device
 * @ctx: Guest memory
 * @lock: See "Locking" above
 * @ring: The transmit and receive rings, by shm_id
 * @nr_rings: How many were handed over; the work starts at two
 * @rings_ready: Both were, under vd->lock: ndo_start_xmit may queue
 * @work: Serves the rings
 * @rxq: The host's frames waiting for receive buffers
 * @caps: The generic capabilities negotiated, VENET_CAP_*
 * @buf: The bounce buffer of the receive side, VENET_MAX_FRAME bytes
 */
struct venet_conn {
	struct vbus_connection conn;
	struct venet_dev *vd;
	struct vbus_memctx *ctx;
	struct mutex lock;	/* see "Locking" above */
	struct venet_ring ring[VENET_NR_RINGS];
	unsigned int nr_rings;
	bool rings_ready;
	struct work_struct work;
	struct sk_buff_head rxq;
	u32 caps;
	void *buf;
};

static struct venet_conn *to_venet_conn(struct vbus_connection *conn)
{
	return container_of(conn, struct venet_conn, conn);
}

/* Drops the frames waiting for receive buffers */
static void venet_purge(struct venet_conn *vc)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&vc->rxq))) {
		DEV_STATS_INC(vc->vd->ndev, tx_dropped);
		kfree_skb(skb);
	}
}

static long venet_call_linkdown(struct venet_conn *vc)
{
	struct venet_dev *vd = vc->vd;

	/* No frame is queued once the carrier is seen off */
	spin_lock_bh(&vd->lock);
	netif_carrier_off(vd->ndev);
	spin_unlock_bh(&vd->lock);
	venet_purge(vc);
	return 0;
}

static long venet_call_macquery(struct venet_conn *vc, u64 data, u32 len)
{
	int err;

	if (len < ETH_ALEN)
		return -EINVAL;
	err = vbus_memctx_copy_to(vc->ctx, data, vc->vd->ndev->dev_addr,
				  ETH_ALEN);
	return err ? err : ETH_ALEN;
}

static long venet_call_negcap(struct venet_conn *vc, u64 data, u32 len)
{
	struct venet_capabilities caps;
	u32 bits = 0;
	int err;

	if (len < sizeof(caps))
		return -EINVAL;
	err = vbus_memctx_copy_from(vc->ctx, &caps, data, sizeof(caps));
	if (err)
		return err;
	if (le32_to_cpu(caps.gid) == VENET_CAP_GROUP_GENERIC) {
		bits = le32_to_cpu(caps.bits) & VENET_CAP_STATS;
		vc->caps = bits;
	}
	caps.bits = cpu_to_le32(bits);
	err = vbus_memctx_copy_to(vc->ctx, data, &caps, sizeof(caps));
	return err ? err : sizeof(caps);
}

/*
 * The guest's view: its receive side is the interface's transmit side.
 * The device's own counters only: dev_get_stats() would add the frames
 * the stack dropped after taking them, which the guest did deliver.
 */
static long venet_call_stats(struct venet_conn *vc, u64 data, u32 len)
{
	struct net_device *ndev = vc->vd->ndev;
	struct venet_stats st;
	int err;

	if (!(vc->caps & VENET_CAP_STATS))
		return -EPERM;
	if (len < sizeof(st))
		return -EINVAL;
	st.rx_packets = cpu_to_le64(DEV_STATS_READ(ndev, tx_packets));
	st.rx_bytes = cpu_to_le64(DEV_STATS_READ(ndev, tx_bytes));
	st.rx_dropped = cpu_to_le64(DEV_STATS_READ(ndev, tx_dropped));
	st.tx_packets = cpu_to_le64(DEV_STATS_READ(ndev, rx_packets));
	st.tx_bytes = cpu_to_le64(DEV_STATS_READ(ndev, rx_bytes));
	st.tx_errors = cpu_to_le64(DEV_STATS_READ(ndev, rx_errors) +
				   DEV_STATS_READ(ndev, rx_dropped));
	err = vbus_memctx_copy_to(vc->ctx, data, &st, sizeof(st));
	return err ? err : sizeof(st);
}

static long venet_call(struct vbus_connection *conn, u32 func, u64 data,
		       u32 len)
{
	struct venet_conn *vc = to_venet_conn(conn);
	long ret;

	mutex_lock(&vc->lock);
	switch (func) {
	case VENET_FUNC_LINKUP:
		netif_carrier_on(vc->vd->ndev);
		ret = 0;
		break;
	case VENET_FUNC_LINKDOWN:
		ret = venet_call_linkdown(vc);
		break;
	case VENET_FUNC_MACQUERY:
		ret = venet_call_macquery(vc, data, len);
		break;
	case VENET_FUNC_NEGCAP:
		ret = venet_call_negcap(vc, data, len);
		break;
	case VENET_FUNC_STATS:
		ret = venet_call_stats(vc, data, len);
		break;
	default:
		ret = -EINVAL;
	}
	mutex_unlock(&vc->lock);
	return ret;
}

/*
 * Receives the frame of @len bytes at guest @gpa on the interface.
 * Returns @len, or 0 if it was dropped.
 */
static u32 venet_tx_frame(struct venet_conn *vc, u64 gpa, u32 len)
{
	struct net_device *ndev = vc->vd->ndev;
	struct sk_buff *skb;

	if (!netif_carrier_ok(ndev)) {
		DEV_STATS_INC(ndev, rx_dropped);
		return 0;
	}
	if (len < ETH_HLEN || len > VENET_MAX_FRAME)
		goto err;
	skb = netdev_alloc_skb_ip_align(ndev, len);
	if (!skb) {
		DEV_STATS_INC(ndev, rx_dropped);
		return 0;
	}
	if (vbus_memctx_copy_from(vc->ctx, skb_put(skb, len), gpa, len)) {
		kfree_skb(skb);
		goto err;
	}
	skb->protocol = eth_type_trans(skb, ndev);
	/* the core counts what it drops */
	if (netif_rx(skb) != NET_RX_SUCCESS)
		return 0;
	DEV_STATS_INC(ndev, rx_packets);
	DEV_STATS_ADD(ndev, rx_bytes, len);
	return len;

err:
	DEV_STATS_INC(ndev, rx_errors);
	return 0;
}

/*
 * Under vc->lock: sends the guest's frames to the host. Returns how many
 * descriptors it handed back, or -EFAULT if the connection faulted.
 */
static int venet_serve_tx(struct venet_conn *vc)
{
	struct ioq *q = &vc->ring[VENET_SHM_TX].ioq;
	struct ioq_ring_desc desc;
	int ret, served = 0;
	u32 n;

	for (;;) {
		ret = ioq_pop(q, &desc);
		if (ret <= 0)
			break;
		n = venet_tx_frame(vc, le64_to_cpu(desc.ptr),
				   le32_to_cpu(desc.len));
		ret = ioq_push(q, n);
		if (ret)
			break;
		served++;
	}
	return ret < 0 ? ret : served;
}

/*
 * Writes @skb to the guest's buffer of @len bytes at @gpa and frees it.
 * Returns the bytes written, or 0 if it was dropped.
 */
static u32 venet_rx_frame(struct venet_conn *vc, struct sk_buff *skb,
			  u64 gpa, u32 len)
{
	struct net_device *ndev = vc->vd->ndev;
	u32 n = skb->len;

	if (n > len || n > VENET_MAX_FRAME ||
	    skb_copy_bits(skb, 0, vc->buf, n) ||
	    vbus_memctx_copy_to(vc->ctx, gpa, vc->buf, n)) {
		DEV_STATS_INC(ndev, tx_dropped);
		kfree_skb(skb);
		return 0;
	}
	DEV_STATS_INC(ndev, tx_packets);
	DEV_STATS_ADD(ndev, tx_bytes, n);
	consume_skb(skb);
	return n;
}

/*
 * Under vc->lock: gives the host's frames to the guest while it has
 * buffers. Returns how many descriptors it handed back, or -EFAULT if the
 * connection faulted.
 */
static int venet_serve_rx(struct venet_conn *vc)
{
	struct ioq *q = &vc->ring[VENET_SHM_RX].ioq;
	struct ioq_ring_desc desc;
	struct sk_buff *skb;
	int ret = 0, served = 0;
	u32 n;

	/* A frame waits until there is a buffer for it */
	while (!skb_queue_empty_lockless(&vc->rxq)) {
		ret = ioq_pop(q, &desc);
		if (ret <= 0)
			break;
		/* Not empty: only the work takes frames, under vc->lock */
		skb = skb_dequeue(&vc->rxq);
		n = venet_rx_frame(vc, skb, le64_to_cpu(desc.ptr),
				   le32_to_cpu(desc.len));
		ret = ioq_push(q, n);
		if (ret)
			break;
		served++;
	}
	return ret < 0 ? ret : served;
}

/*
 * Under vc->lock: serves both rings; @served[shm_id] tells how many
 * descriptors each handed back. Returns 0, or -EFAULT if the connection
 * faulted.
 */
static int venet_serve(struct venet_conn *vc, int served[VENET_NR_RINGS])
{
	int ret;

	ret = venet_serve_tx(vc);
	if (ret < 0)
		return ret;
	served[VENET_SHM_TX] = ret;
	ret = venet_serve_rx(vc);
	if (ret < 0)
		return ret;
	served[VENET_SHM_RX] = ret;
	return 0;
}

static void venet_work(struct work_struct *work)
{
	struct venet_conn *vc = container_of(work, struct venet_conn, work);
	int i, ret, served[VENET_NR_RINGS] = {};
	bool again;

	mutex_lock(&vc->lock);
	do {
		again = false;
		for (i = 0, ret = 0; !ret && i < VENET_NR_RINGS; i++)
			ret = shm_signal_disable(vc->ring[i].signal);
		if (!ret)
			ret = venet_serve(vc, served);
		/* Interrupt the guest only for descriptors handed back */
		for (i = 0; !ret && i < VENET_NR_RINGS; i++)
			if (served[i])
				ret = shm_signal_inject(vc->ring[i].signal);
		for (i = 0; ret >= 0 && i < VENET_NR_RINGS; i++) {
			ret = shm_signal_enable(vc->ring[i].signal);
			again |= ret > 0;
		}
	} while (ret >= 0 && again);
	/* A fault (-EFAULT) faulted the connection: nothing more to serve */
	mutex_unlock(&vc->lock);
}

static void venet_signal(struct shm_signal_notifier *notifier)
{
	struct venet_ring *ring = container_of(notifier, struct venet_ring,
					       notifier);

	queue_work(system_unbound_wq, &ring->vc->work);
}

static int venet_shm(struct vbus_connection *conn, u32 shm_id,
		     struct vbus_shm *shm, struct shm_signal *signal)
{
	struct venet_conn *vc = to_venet_conn(conn);
	struct venet_ring *ring;
	int err, i;

	if (shm_id >= VENET_NR_RINGS || !signal)
		return -EINVAL;
	ring = &vc->ring[shm_id];

	mutex_lock(&vc->lock);
	err = ioq_init(&ring->ioq, shm);
	if (err)
		goto out;
	ring->signal = signal;
	ring->notifier.signal = venet_signal;
	ring->vc = vc;
	if (++vc->nr_rings == VENET_NR_RINGS) {
		for (i = 0; i < VENET_NR_RINGS; i++)
			shm_signal_start(vc->ring[i].signal,
					 &vc->ring[i].notifier);
		spin_lock_bh(&vc->vd->lock);
		vc->rings_ready = true;
		spin_unlock_bh(&vc->vd->lock);
		/* Whatever the guest posted before both rings were there */
		queue_work(system_unbound_wq, &vc->work);
	}
out:
	mutex_unlock(&vc->lock);
	return err;
}

/* The signals are stopped: only ndo_start_xmit can queue the work */
static void venet_close(struct vbus_connection *conn)
{
	struct venet_conn *vc = to_venet_conn(conn);
	struct venet_dev *vd = vc->vd;

	spin_lock_bh(&vd->lock);
	netif_carrier_off(vd->ndev);
	vd->conn = NULL;
	spin_unlock_bh(&vd->lock);
	cancel_work_sync(&vc->work);
	venet_purge(vc);
}

static void venet_release(struct vbus_connection *conn)
{
	struct venet_conn *vc = to_venet_conn(conn);

	mutex_destroy(&vc->lock);
	kfree(vc->buf);
	kfree(vc);
}

static const struct vbus_connection_ops venet_conn_ops = {
	.call = venet_call,
	.shm = venet_shm,
	.close = venet_close,
	.release = venet_release,
};

static struct vbus_connection *
venet_connect(struct vbus_device_interface *intf, struct vbus_memctx *ctx,
	      u32 version)
{
	struct venet_dev *vd = container_of(intf, struct venet_dev, intf);
	struct venet_conn *vc;
	int err = 0;

	if (version != VENET_VERSION)
		return ERR_PTR(-EPROTONOSUPPORT);
	vc = kzalloc(sizeof(*vc), GFP_KERNEL_ACCOUNT);
	if (!vc)
		return ERR_PTR(-ENOMEM);
	vc->buf = kmalloc(VENET_MAX_FRAME, GFP_KERNEL_ACCOUNT);
	if (!vc->buf) {
		kfree(vc);
		return ERR_PTR(-ENOMEM);
	}
	vc->conn.ops = &venet_conn_ops;
	vc->vd = vd;
	vc->ctx = ctx;
	mutex_init(&vc->lock);
	INIT_WORK(&vc->work, venet_work);
	skb_queue_head_init(&vc->rxq);

	spin_lock_bh(&vd->lock);
	if (vd->conn)
		err = -EBUSY;
	else
		vd->conn = vc;
	spin_unlock_bh(&vd->lock);
	if (err) {
		venet_release(&vc->conn);
		return ERR_PTR(err);
	}
	return &vc->conn;
}

static const struct vbus_device_interface_ops venet_intf_ops = {
	.connect = venet_connect,
};

/*
 * Queues the frame for the guest, or drops it. Called with bottom halves
 * off.
 */
static netdev_tx_t venet_start_xmit(struct sk_buff *skb,
				    struct net_device *ndev)
{
	struct venet_dev *vd = netdev_priv(ndev);
	struct venet_conn *vc;

	/* It may wait long for a buffer: it must not hold its socket */
	if (skb_orphan_frags_rx(skb, GFP_ATOMIC))
		goto drop;
	skb_orphan(skb);

	spin_lock(&vd->lock);
	vc = vd->conn;
	if (!vc || !vc->rings_ready || !netif_carrier_ok(ndev) ||
	    skb_queue_len_lockless(&vc->rxq) >= VENET_RXQ_LEN) {
		spin_unlock(&vd->lock);
		goto drop;
	}
	skb_queue_tail(&vc->rxq, skb);
	queue_work(system_unbound_wq, &vc->work);
	spin_unlock(&vd->lock);
	return NETDEV_TX_OK;

drop:
	DEV_STATS_INC(ndev, tx_dropped);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops venet_netdev_ops = {
	.ndo_start_xmit = venet_start_xmit,
	.ndo_validate_addr = eth_validate_addr,
};

/* No connection is left */
static void venet_dev_release(struct vbus_device *dev)
{
	struct venet_dev *vd = container_of(dev, struct venet_dev, dev);
	struct net_device *ndev = vd->ndev;

	unregister_netdev(ndev);
	free_netdev(ndev);
}

static const struct vbus_device_ops venet_dev_ops = {
	.release = venet_dev_release,
};

static void venet_setup(struct net_device *ndev)
{
	ether_setup(ndev);
	ndev->netdev_ops = &venet_netdev_ops;
}

/* An interface in the caller's network namespace, which it administers */
static struct vbus_device *venet_create(struct vbus_devclass *dc)
{
	struct net *net = current->nsproxy->net_ns;
	struct net_device *ndev;
	struct venet_dev *vd;
	int err;

	if (!ns_capable(net->user_ns, CAP_NET_ADMIN))
		return ERR_PTR(-EPERM);
	ndev = alloc_netdev(sizeof(*vd), "venet%d", NET_NAME_ENUM, venet_setup);
	if (!ndev)
		return ERR_PTR(-ENOMEM);
	dev_net_set(ndev, net);
	eth_hw_addr_random(ndev);
	/* Until the guest brings the link up */
	netif_carrier_off(ndev);

	vd = netdev_priv(ndev);
	vd->ndev = ndev;
	spin_lock_init(&vd->lock);
	vd->intf.type = VENET_INTF;
	vd->intf.version = VENET_VERSION;
	vd->intf.ops = &venet_intf_ops;
	vd->dev.ops = &venet_dev_ops;
	vd->dev.intfs = &vd->intf;
	vd->dev.nr_intfs = 1;

	/* The name as registered: a rename needs RTNL too */
	rtnl_lock();
	err = register_netdevice(ndev);
	if (!err)
		strscpy(vd->dev.name, ndev->name);
	rtnl_unlock();
	if (err) {
		free_netdev(ndev);
		return ERR_PTR(err);
	}
	return &vd->dev;
}

static const struct vbus_devclass_ops venet_class_ops = {
	.create = venet_create,
};

static struct vbus_devclass venet_class = {
	.name = VENET_CLASS,
	.ops = &venet_class_ops,
	.owner = THIS_MODULE,
};

static int __init venet_init(void)
{
	return vbus_devclass_register(&venet_class);
}
module_init(venet_init);

static void __exit venet_exit(void)
{
	vbus_devclass_unregister(&venet_class);
}
module_exit(venet_exit);

MODULE_DESCRIPTION("venet: a virtual ethernet device on vbus");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(VBUS);
