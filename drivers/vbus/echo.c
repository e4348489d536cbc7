// SPDX-License-Identifier: GPL-2.0-only
/*
 * vbus-echo: a device model that echoes requests from guest memory
 *
 * The smallest complete vbus device, for the tests and the benchmark; the
 * protocol is in <uapi/linux/vbus_echo.h>. It shows what a device model
 * is: a class whose create() returns a device with one interface, whose
 * connect() returns a connection; calls served by copying through the
 * memory context; two ioq rings whose signals queue a work item that
 * serves them. It imports only the VBUS namespace.
 *
 * Locking: ec->lock serializes the work with shm() and close(); it is held
 * across guest memory copies, which may fault on the VMM's memory, and is
 * never taken by a notifier (atomic context) or by the vas.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/vbus.h>
#include <linux/vbus_ring.h>
#include <linux/workqueue.h>
#include <uapi/linux/vbus_echo.h>

/* Bytes copied per step of a request */
#define VBUS_ECHO_CHUNK		PAGE_SIZE

struct vbus_echo_conn;

/**
 * struct vbus_echo_ring - the request or the reply ring of a connection
 * @ioq: The ring
 * @signal: Its signal
 * @notifier: Its notifier: queues the connection's work
 * @ec: The connection
 */
struct vbus_echo_ring {
	struct ioq ioq;
	struct shm_signal *signal;
	struct shm_signal_notifier notifier;
	struct vbus_echo_conn *ec;
};

/**
 * struct vbus_echo_conn - one connection to an echo device
 * @conn: The bus's view
 * @ctx: Guest memory
 * @lock: See "Locking" above
 * @ring: The request and reply rings
 * @nr_rings: How many were handed over; the work starts at two
 * @work: Serves the rings
 * @stats: Counters, in CPU byte order
 * @buf: The bounce buffer, VBUS_ECHO_CHUNK bytes
 */
struct vbus_echo_conn {
	struct vbus_connection conn;
	struct vbus_memctx *ctx;
	struct mutex lock;	/* see "Locking" above */
	struct vbus_echo_ring ring[2];
	unsigned int nr_rings;
	struct work_struct work;
	struct {
		u64 calls, requests, bytes, errors;
	} stats;
	void *buf;
};

/**
 * struct vbus_echo_dev - an echo device
 * @dev: The bus's view
 * @intf: Its one interface
 */
struct vbus_echo_dev {
	struct vbus_device dev;
	struct vbus_device_interface intf;
};

static struct vbus_echo_conn *to_echo_conn(struct vbus_connection *conn)
{
	return container_of(conn, struct vbus_echo_conn, conn);
}

/* Copies @len bytes from guest @src to guest @dst, through the buffer */
static int vbus_echo_copy(struct vbus_echo_conn *ec, u64 dst, u64 src,
			  u32 len)
{
	u32 done, step;
	int err;

	for (done = 0; done < len; done += step) {
		step = min_t(u32, len - done, VBUS_ECHO_CHUNK);
		err = vbus_memctx_copy_from(ec->ctx, ec->buf, src + done, step);
		if (!err)
			err = vbus_memctx_copy_to(ec->ctx, dst + done, ec->buf,
						  step);
		if (err)
			return err;
	}
	ec->stats.bytes += len;
	return 0;
}

static long vbus_echo_call_copy(struct vbus_echo_conn *ec, u64 data, u32 len)
{
	struct vbus_echo_copy req;
	u32 n;
	int err;

	if (len < sizeof(req))
		return -EFAULT;
	err = vbus_memctx_copy_from(ec->ctx, &req, data, sizeof(req));
	if (err)
		return err;
	n = le32_to_cpu(req.len);
	if (n > VBUS_ECHO_MAX_LEN)
		return -EINVAL;
	err = vbus_echo_copy(ec, le64_to_cpu(req.dst), le64_to_cpu(req.src),
			     n);
	if (err)
		return err;
	ec->stats.calls++;
	return n;
}

static long vbus_echo_call_stats(struct vbus_echo_conn *ec, u64 data, u32 len)
{
	struct vbus_echo_stats st = {
		.calls = cpu_to_le64(ec->stats.calls),
		.requests = cpu_to_le64(ec->stats.requests),
		.bytes = cpu_to_le64(ec->stats.bytes),
		.errors = cpu_to_le64(ec->stats.errors),
	};
	int err;

	if (len < sizeof(st))
		return -EINVAL;
	err = vbus_memctx_copy_to(ec->ctx, data, &st, sizeof(st));
	return err ? err : sizeof(st);
}

static long vbus_echo_call(struct vbus_connection *conn, u32 func, u64 data,
			   u32 len)
{
	struct vbus_echo_conn *ec = to_echo_conn(conn);
	long ret;

	mutex_lock(&ec->lock);
	switch (func) {
	case VBUS_ECHO_CALL_COPY:
		ret = vbus_echo_call_copy(ec, data, len);
		break;
	case VBUS_ECHO_CALL_STATS:
		ret = vbus_echo_call_stats(ec, data, len);
		break;
	default:
		ret = -EINVAL;
	}
	mutex_unlock(&ec->lock);
	return ret;
}

/*
 * Under ec->lock: echoes requests while there are reply buffers. Returns
 * how many it served, or -EFAULT if the connection faulted.
 */
static int vbus_echo_serve(struct vbus_echo_conn *ec)
{
	struct ioq *req_q = &ec->ring[VBUS_ECHO_SHM_REQUEST].ioq;
	struct ioq *rep_q = &ec->ring[VBUS_ECHO_SHM_REPLY].ioq;
	struct ioq_ring_desc req, rep;
	int ret, served = 0;
	u32 n;

	for (;;) {
		/* A request waits until there is a buffer for its reply */
		ret = ioq_peek(rep_q, &rep);
		if (ret <= 0)
			break;
		ret = ioq_pop(req_q, &req);
		if (ret <= 0)
			break;
		ret = ioq_pop(rep_q, &rep);
		if (ret <= 0) {
			/* The guest took its reply buffer back: no reply */
			if (!ret)
				ret = ioq_push(req_q, 0);
			break;
		}
		n = min(le32_to_cpu(req.len), le32_to_cpu(rep.len));
		if (vbus_echo_copy(ec, le64_to_cpu(rep.ptr),
				   le64_to_cpu(req.ptr), n)) {
			ec->stats.errors++;
			n = 0;
		}
		ec->stats.requests++;
		ret = ioq_push(req_q, n);
		if (!ret)
			ret = ioq_push(rep_q, n);
		if (ret)
			break;
		served++;
	}
	return ret < 0 ? ret : served;
}

static void vbus_echo_work(struct work_struct *work)
{
	struct vbus_echo_conn *ec = container_of(work, struct vbus_echo_conn,
						 work);
	bool again;
	int i, ret;

	mutex_lock(&ec->lock);
	do {
		again = false;
		for (i = 0, ret = 0; !ret && i < 2; i++)
			ret = shm_signal_disable(ec->ring[i].signal);
		if (!ret)
			ret = vbus_echo_serve(ec);
		/* Interrupt the guest only for descriptors handed back */
		if (ret > 0)
			for (i = 0, ret = 0; !ret && i < 2; i++)
				ret = shm_signal_inject(ec->ring[i].signal);
		for (i = 0; ret >= 0 && i < 2; i++) {
			ret = shm_signal_enable(ec->ring[i].signal);
			again |= ret > 0;
		}
	} while (ret >= 0 && again);
	/* A fault (-EFAULT) faulted the connection: nothing more to serve */
	mutex_unlock(&ec->lock);
}

static void vbus_echo_signal(struct shm_signal_notifier *notifier)
{
	struct vbus_echo_ring *ring = container_of(notifier,
						   struct vbus_echo_ring,
						   notifier);

	queue_work(system_unbound_wq, &ring->ec->work);
}

static int vbus_echo_shm(struct vbus_connection *conn, u32 shm_id,
			 struct vbus_shm *shm, struct shm_signal *signal)
{
	struct vbus_echo_conn *ec = to_echo_conn(conn);
	struct vbus_echo_ring *ring;
	int err, i;

	if (shm_id > VBUS_ECHO_SHM_REPLY || !signal)
		return -EINVAL;
	ring = &ec->ring[shm_id];
	err = ioq_init(&ring->ioq, shm);
	if (err)
		return err;

	mutex_lock(&ec->lock);
	ring->signal = signal;
	ring->notifier.signal = vbus_echo_signal;
	ring->ec = ec;
	if (++ec->nr_rings == 2) {
		for (i = 0; i < 2; i++)
			shm_signal_start(ec->ring[i].signal,
					 &ec->ring[i].notifier);
		/* Whatever the guest posted before both rings were there */
		queue_work(system_unbound_wq, &ec->work);
	}
	mutex_unlock(&ec->lock);
	return 0;
}

/* The signals are stopped: no new work comes */
static void vbus_echo_close(struct vbus_connection *conn)
{
	cancel_work_sync(&to_echo_conn(conn)->work);
}

static void vbus_echo_release(struct vbus_connection *conn)
{
	struct vbus_echo_conn *ec = to_echo_conn(conn);

	mutex_destroy(&ec->lock);
	kfree(ec->buf);
	kfree(ec);
}

static const struct vbus_connection_ops vbus_echo_conn_ops = {
	.call = vbus_echo_call,
	.shm = vbus_echo_shm,
	.close = vbus_echo_close,
	.release = vbus_echo_release,
};

static struct vbus_connection *
vbus_echo_connect(struct vbus_device_interface *intf, struct vbus_memctx *ctx,
		  u32 version)
{
	struct vbus_echo_conn *ec;

	if (version != VBUS_ECHO_VERSION)
		return ERR_PTR(-EPROTONOSUPPORT);
	ec = kzalloc(sizeof(*ec), GFP_KERNEL_ACCOUNT);
	if (!ec)
		return ERR_PTR(-ENOMEM);
	ec->buf = kmalloc(VBUS_ECHO_CHUNK, GFP_KERNEL_ACCOUNT);
	if (!ec->buf) {
		kfree(ec);
		return ERR_PTR(-ENOMEM);
	}
	ec->conn.ops = &vbus_echo_conn_ops;
	ec->ctx = ctx;
	mutex_init(&ec->lock);
	INIT_WORK(&ec->work, vbus_echo_work);
	return &ec->conn;
}

static const struct vbus_device_interface_ops vbus_echo_intf_ops = {
	.connect = vbus_echo_connect,
};

static void vbus_echo_dev_release(struct vbus_device *dev)
{
	kfree(container_of(dev, struct vbus_echo_dev, dev));
}

static const struct vbus_device_ops vbus_echo_dev_ops = {
	.release = vbus_echo_dev_release,
};

static struct vbus_device *vbus_echo_create(struct vbus_devclass *dc)
{
	struct vbus_echo_dev *ed;

	ed = kzalloc(sizeof(*ed), GFP_KERNEL_ACCOUNT);
	if (!ed)
		return ERR_PTR(-ENOMEM);
	ed->intf.type = VBUS_ECHO_INTF;
	ed->intf.version = VBUS_ECHO_VERSION;
	ed->intf.ops = &vbus_echo_intf_ops;
	ed->dev.ops = &vbus_echo_dev_ops;
	ed->dev.intfs = &ed->intf;
	ed->dev.nr_intfs = 1;
	return &ed->dev;
}

static const struct vbus_devclass_ops vbus_echo_class_ops = {
	.create = vbus_echo_create,
};

static struct vbus_devclass vbus_echo_class = {
	.name = VBUS_ECHO_CLASS,
	.ops = &vbus_echo_class_ops,
	.owner = THIS_MODULE,
};

static int __init vbus_echo_init(void)
{
	return vbus_devclass_register(&vbus_echo_class);
}
module_init(vbus_echo_init);

static void __exit vbus_echo_exit(void)
{
	vbus_devclass_unregister(&vbus_echo_class);
}
module_exit(vbus_echo_exit);

MODULE_DESCRIPTION("vbus-echo: a vbus device that echoes guest requests");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(VBUS);
