// SPDX-License-Identifier: GPL-2.0-only
/*
 * vbus connections: the guest's way into a device's interface
 *
 * The VMM opens a connection for the guest (VBUS_CONN_OPEN) and forwards
 * the guest's calls (VBUS_CONN_CALL) and shared memory (VBUS_CONN_SHM) to
 * it; the device model sees them as its connection's call() and shm().
 * One mutex per connection serializes those with each other and with the
 * close, so a model never sees a call after close(). Each ioctl holds a
 * reference on the connection it uses: a close, or the bus's release,
 * waits for the calls in progress on that connection's mutex, and frees it
 * with the last reference.
 *
 * A connection faults when a region of its shared memory can no longer be
 * mapped (its memslot was deleted): the error eventfd fires once, calls
 * and new regions fail with EIO, and the model's accesses with EFAULT.
 * The VMM closes it and opens another once the memory is back.
 */
#include <linux/eventfd.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vbus_private.h"

static void vbus_conn_free(struct kref *ref)
{
	struct vbus_conn *c = container_of(ref, struct vbus_conn, ref);
	struct vbus *bus = c->bus;

	c->conn->ops->release(c->conn);
	if (c->err)
		eventfd_ctx_put(c->err);
	mutex_lock(&bus->lock);
	c->dev->nr_conns--;
	mutex_unlock(&bus->lock);
	mutex_destroy(&c->lock);
	kfree(c);
}

static void vbus_conn_put(struct vbus_conn *c)
{
	kref_put(&c->ref, vbus_conn_free);
}

/* The open connection @id, referenced */
static struct vbus_conn *vbus_conn_get(struct vbus *bus, u32 id)
{
	struct vbus_conn *c;

	mutex_lock(&bus->lock);
	c = xa_load(&bus->conns, id);
	if (c)
		kref_get(&c->ref);
	mutex_unlock(&bus->lock);
	return c;
}

/**
 * vbus_connection_fault() - the connection cannot reach guest memory
 * @conn: The connection
 *
 * Fires its error eventfd the first time; from then on its calls and new
 * shared memory fail with EIO and its shared memory with -EFAULT. The bus
 * calls it when a region cannot be mapped again; a model may call it for
 * guest memory it needs and cannot reach.
 *
 * Context: Any context.
 */
void vbus_connection_fault(struct vbus_connection *conn)
{
	struct vbus_conn *c = conn->priv;

	if (atomic_xchg(&c->faulted, 1))
		return;
	if (c->err)
		eventfd_signal(c->err);
}
EXPORT_SYMBOL_NS_GPL(vbus_connection_fault, VBUS);

long vbus_conn_open(struct vbus *bus, void __user *argp)
{
	struct vbus_device_interface *intf = NULL;
	struct vbus_conn_open args;
	struct vbus_connection *conn;
	struct vbus_device *dev;
	struct vbus_conn *c;
	long err;
	u32 id;
	int i;

	err = vbus_copy_args(&args, sizeof(args), argp);
	if (err)
		return err;
	if (args.flags || !vbus_name_valid(args.type))
		return -EINVAL;

	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return -ENOMEM;
	kref_init(&c->ref);
	mutex_init(&c->lock);
	INIT_LIST_HEAD(&c->shms);
	c->bus = bus;
	if (args.err_fd != -1) {
		c->err = eventfd_ctx_fdget(args.err_fd);
		if (IS_ERR(c->err)) {
			err = PTR_ERR(c->err);
			c->err = NULL;
			goto err_free;
		}
	}

	/*
	 * Under the bus lock throughout, so that the device cannot go away
	 * before its connection count says it is in use.
	 */
	mutex_lock(&bus->lock);
	err = -ENXIO;
	if (!bus->memctx.vas)
		goto err_unlock;
	err = -ENOENT;
	dev = xa_load(&bus->devices, args.dev_id);
	for (i = 0; dev && i < dev->nr_intfs; i++)
		if (!strcmp(dev->intfs[i].type, args.type))
			intf = &dev->intfs[i];
	if (!intf)
		goto err_unlock;
	err = xa_alloc(&bus->conns, &id, NULL,
		       XA_LIMIT(1, VBUS_MAX_CONNECTIONS), GFP_KERNEL_ACCOUNT);
	if (err) {
		err = err == -EBUSY ? -ENOSPC : err;
		goto err_unlock;
	}
	conn = intf->ops->connect(intf, &bus->memctx, args.version);
	if (IS_ERR(conn)) {
		err = PTR_ERR(conn);
		goto err_erase;
	}
	conn->priv = c;
	c->conn = conn;
	c->dev = dev;
	dev->nr_conns++;
	mutex_unlock(&bus->lock);

	/* The id is reserved until the VMM has it: nothing finds it before */
	args.id = id;
	err = copy_to_user(argp, &args, sizeof(args)) ? -EFAULT : 0;
	mutex_lock(&bus->lock);
	if (err)
		xa_erase(&bus->conns, id);
	else
		xa_store(&bus->conns, id, c, GFP_KERNEL_ACCOUNT);
	mutex_unlock(&bus->lock);
	if (err)
		vbus_conn_close(c);
	return err;

err_erase:
	xa_erase(&bus->conns, id);
err_unlock:
	mutex_unlock(&bus->lock);
	if (c->err)
		eventfd_ctx_put(c->err);
err_free:
	mutex_destroy(&c->lock);
	kfree(c);
	return err;
}

/* A region and its signal, which is stopped or was never started */
static void vbus_conn_shm_destroy(struct vbus_shm *shm)
{
	if (shm->has_signal)
		shm_signal_destroy(&shm->signal);
	vbus_shm_destroy(shm);
}

/*
 * Closes @c, off the bus's table already, and drops the table's reference:
 * signals stop first, so that the model's close() can flush its work for
 * good; its shared memory is unmapped once close() returned.
 */
void vbus_conn_close(struct vbus_conn *c)
{
	struct vbus_shm *shm, *next;

	mutex_lock(&c->lock);
	c->closed = true;
	list_for_each_entry(shm, &c->shms, node)
		if (shm->has_signal)
			shm_signal_stop(&shm->signal);
	if (c->conn->ops->close)
		c->conn->ops->close(c->conn);
	list_for_each_entry_safe(shm, next, &c->shms, node) {
		list_del(&shm->node);
		vbus_conn_shm_destroy(shm);
	}
	mutex_unlock(&c->lock);
	vbus_conn_put(c);
}

long vbus_conn_close_ioctl(struct vbus *bus, void __user *argp)
{
	struct vbus_conn_close args;
	struct vbus_conn *c;
	long err;

	err = vbus_copy_args(&args, sizeof(args), argp);
	if (err)
		return err;
	if (args.flags || args.__reserved)
		return -EINVAL;
	mutex_lock(&bus->lock);
	c = xa_erase(&bus->conns, args.id);
	mutex_unlock(&bus->lock);
	if (!c)
		return -ENOENT;
	vbus_conn_close(c);
	return 0;
}

/*
 * Looks up connection @id and locks it for a call or a region: -ENOENT if
 * there is none (or it was closed meanwhile), -EIO if it faulted.
 */
static struct vbus_conn *vbus_conn_lock(struct vbus *bus, u32 id)
{
	struct vbus_conn *c = vbus_conn_get(bus, id);
	int err;

	if (!c)
		return ERR_PTR(-ENOENT);
	mutex_lock(&c->lock);
	if (!c->closed && !atomic_read(&c->faulted))
		return c;
	err = c->closed ? -ENOENT : -EIO;
	mutex_unlock(&c->lock);
	vbus_conn_put(c);
	return ERR_PTR(err);
}

static void vbus_conn_unlock(struct vbus_conn *c)
{
	mutex_unlock(&c->lock);
	vbus_conn_put(c);
}

long vbus_conn_call(struct vbus *bus, void __user *argp)
{
	struct vbus_conn_call args;
	struct vbus_conn *c;
	long ret;

	ret = vbus_copy_args(&args, sizeof(args), argp);
	if (ret)
		return ret;
	if (args.flags || args.__reserved)
		return -EINVAL;
	c = vbus_conn_lock(bus, args.id);
	if (IS_ERR(c))
		return PTR_ERR(c);
	ret = c->conn->ops->call(c->conn, args.func, args.data, args.len);
	vbus_conn_unlock(c);
	return ret;
}

/* -EINVAL unless the region and its signal are well-formed */
static int vbus_conn_shm_check(const struct vbus_conn_shm *args)
{
	u64 end;

	if (args->flags & ~VBUS_SHM_SIGNAL || args->__reserved ||
	    args->__reserved2)
		return -EINVAL;
	if (!args->len || args->len > VBUS_SHM_MAX_LEN ||
	    check_add_overflow(args->gpa, args->len, &end))
		return -EINVAL;
	if (!(args->flags & VBUS_SHM_SIGNAL))
		return args->signal_offset || args->kick_fd != -1 ||
		       args->call_fd != -1 ? -EINVAL : 0;
	if (!IS_ALIGNED(args->signal_offset, 8) ||
	    args->signal_offset > args->len ||
	    args->len - args->signal_offset < sizeof(struct shm_signal_desc))
		return -EINVAL;
	return 0;
}

long vbus_conn_shm(struct vbus *bus, void __user *argp)
{
	struct vbus_conn_shm args;
	struct vbus_shm *shm;
	struct vbus_conn *c;
	long err;

	err = vbus_copy_args(&args, sizeof(args), argp);
	if (err)
		return err;
	err = vbus_conn_shm_check(&args);
	if (err)
		return err;
	c = vbus_conn_lock(bus, args.id);
	if (IS_ERR(c))
		return PTR_ERR(c);
	list_for_each_entry(shm, &c->shms, node) {
		if (shm->id == args.shm_id) {
			err = -EEXIST;
			goto out;
		}
	}
	shm = vbus_shm_create(c, &args);
	if (IS_ERR(shm)) {
		err = PTR_ERR(shm);
		goto out;
	}
	if (args.flags & VBUS_SHM_SIGNAL) {
		err = shm_signal_init(&shm->signal, shm, args.signal_offset,
				      args.kick_fd, args.call_fd);
		if (err) {
			vbus_shm_destroy(shm);
			goto out;
		}
		shm->has_signal = true;
	}
	err = c->conn->ops->shm(c->conn, args.shm_id, shm,
				shm->has_signal ? &shm->signal : NULL);
	if (err) {
		vbus_conn_shm_destroy(shm);
		goto out;
	}
	list_add_tail(&shm->node, &c->shms);
out:
	vbus_conn_unlock(c);
	return err;
}
