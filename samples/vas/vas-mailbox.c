// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas-mailbox: a sample backend on a vas
 *
 * A small but complete in-kernel device that lives in guest memory. Each
 * open of /dev/vas-mailbox is one device. The VMM binds it to its vas and
 * to the guest-physical address of a mailbox (VAS_MAILBOX_BIND); then each
 * VAS_MAILBOX_KICK has the device's worker serve the pending request: read
 * the payload, write it back reversed, report the outcome in the mailbox.
 * See vas-mailbox.h for the protocol.
 *
 * It uses the vas the way a backend should (Documentation/virt/vas/
 * writing-a-backend.rst):
 *
 * - The mailbox, touched on every request, is a writable vas_vmap(). The
 *   worker reads and writes it inside an RCU read-side section, after
 *   vas_vmap_addr() said the mapping is still valid; the vmap's
 *   ->invalidate (a memslot change, or the VMM unmapping the memory) waits
 *   for those sections with synchronize_rcu() and nothing else. The worker
 *   maps the mailbox again on its next request, wherever its memslot went.
 * - The payload and the reply are copies: vas_read() and vas_write(), from
 *   the worker, a kernel thread; the vas logs the reply dirty, and the
 *   mailbox through the writable vmap.
 * - It needs no memslot callbacks, so it does not bind: a vas reference is
 *   all it keeps. It imports the VAS namespace and no KVM symbol.
 *
 * Locking: dev->lock serializes the worker against bind and release; it is
 * held across vas_read() and vas_write(), which may fault on the owner's
 * memory, so ->invalidate never takes it.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vas.h>
#include <linux/workqueue.h>

#include "vas-mailbox.h"

/* The mailbox may move this many times while one request is served */
#define VAS_MAILBOX_MAP_TRIES	3

/**
 * struct vas_mailbox_dev - one open of /dev/vas-mailbox
 * @lock: Serializes the worker, bind and release
 * @vas: The bound vas, referenced; NULL until VAS_MAILBOX_BIND
 * @mailbox_gpa: Guest-physical address of the mailbox
 * @map: The mailbox's vmap; NULL when it must be mapped again
 * @work: Serves one request
 * @served: Result of @work: a request was served
 * @err: Result of @work: the mailbox could not be reached
 */
struct vas_mailbox_dev {
	struct mutex lock;	/* see "Locking" above */
	struct vas *vas;
	u64 mailbox_gpa;
	struct vas_vmap *map;
	struct work_struct work;
	bool served;
	int err;
};

/*
 * The mapping goes away once this returns: wait for the worker's accesses
 * through it, which vas_vmap_addr() returning NULL keeps from starting.
 */
static void vas_mailbox_invalidate(struct vas_vmap *map, void *data)
{
	synchronize_rcu();
}

static const struct vas_vmap_ops vas_mailbox_vmap_ops = {
	.invalidate = vas_mailbox_invalidate,
};

/* A valid mailbox mapping: the old one if it still is, else a new one. */
static int vas_mailbox_map(struct vas_mailbox_dev *dev)
{
	struct vas_vmap *map;

	lockdep_assert_held(&dev->lock);
	if (dev->map && vas_vmap_addr(dev->map))
		return 0;
	if (dev->map) {
		vas_vunmap(dev->map);
		dev->map = NULL;
	}
	map = vas_vmap(dev->vas, dev->mailbox_gpa, sizeof(struct vas_mailbox),
		       VAS_MAP_WRITE, &vas_mailbox_vmap_ops, dev);
	if (IS_ERR(map))
		return PTR_ERR(map);
	dev->map = map;
	return 0;
}

/*
 * Runs @fn on the mailbox through its mapping, mapping it again if a
 * memslot change or the owner took it away meanwhile.
 */
static int vas_mailbox_access(struct vas_mailbox_dev *dev,
			      void (*fn)(struct vas_mailbox *mbox, void *arg),
			      void *arg)
{
	struct vas_mailbox *mbox;
	int tries, err;

	for (tries = 0; tries < VAS_MAILBOX_MAP_TRIES; tries++) {
		err = vas_mailbox_map(dev);
		if (err)
			return err;
		rcu_read_lock();
		mbox = vas_vmap_addr(dev->map);
		if (mbox)
			fn(mbox, arg);
		rcu_read_unlock();
		if (mbox)
			return 0;
	}
	return -EAGAIN;
}

static void vas_mailbox_fetch(struct vas_mailbox *mbox, void *arg)
{
	struct vas_mailbox *req = arg;

	/* The guest writes the other fields before it increments request */
	req->request = smp_load_acquire(&mbox->request);
	req->reply = READ_ONCE(mbox->reply);
	req->len = READ_ONCE(mbox->len);
	req->data_gpa = READ_ONCE(mbox->data_gpa);
	req->reply_gpa = READ_ONCE(mbox->reply_gpa);
}

static void vas_mailbox_complete(struct vas_mailbox *mbox, void *arg)
{
	struct vas_mailbox *req = arg;

	WRITE_ONCE(mbox->status, req->status);
	/* The guest that sees the reply sees the status and the payload */
	smp_store_release(&mbox->reply, req->request);
}

/* The device's job: the payload, reversed. Returns the request's status. */
static int vas_mailbox_reverse(struct vas *vas, const struct vas_mailbox *req)
{
	u8 *buf;
	u32 i;
	int err;

	if (req->len > VAS_MAILBOX_MAX_LEN)
		return -EINVAL;
	buf = kvmalloc(max(req->len, 1U), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	err = vas_read(vas, req->data_gpa, buf, req->len);
	if (!err) {
		for (i = 0; i < req->len / 2; i++)
			swap(buf[i], buf[req->len - 1 - i]);
		err = vas_write(vas, req->reply_gpa, buf, req->len);
	}
	kvfree(buf);
	return err;
}

static void vas_mailbox_work(struct work_struct *work)
{
	struct vas_mailbox_dev *dev =
		container_of(work, struct vas_mailbox_dev, work);
	struct vas_mailbox req;
	int err;

	mutex_lock(&dev->lock);
	dev->served = false;
	err = vas_mailbox_access(dev, vas_mailbox_fetch, &req);
	if (err || req.request == req.reply)
		goto out;
	req.status = vas_mailbox_reverse(dev->vas, &req);
	err = vas_mailbox_access(dev, vas_mailbox_complete, &req);
	dev->served = !err;
out:
	dev->err = err;
	mutex_unlock(&dev->lock);
}

static int vas_mailbox_open(struct inode *inode, struct file *filp)
{
	struct vas_mailbox_dev *dev;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL_ACCOUNT);
	if (!dev)
		return -ENOMEM;
	mutex_init(&dev->lock);
	INIT_WORK(&dev->work, vas_mailbox_work);
	filp->private_data = dev;
	return 0;
}

static int vas_mailbox_release(struct inode *inode, struct file *filp)
{
	struct vas_mailbox_dev *dev = filp->private_data;

	flush_work(&dev->work);
	if (dev->map)
		vas_vunmap(dev->map);
	if (dev->vas)
		vas_put(dev->vas);
	mutex_destroy(&dev->lock);
	kfree(dev);
	return 0;
}

static int vas_mailbox_bind(struct vas_mailbox_dev *dev,
			    const struct vas_mailbox_bind *bind)
{
	struct vas *vas;
	int err;

	if (bind->flags || bind->__reserved || !IS_ALIGNED(bind->mailbox_gpa, 8))
		return -EINVAL;
	vas = vas_get_from_fd(bind->vas_fd);
	if (IS_ERR(vas))
		return PTR_ERR(vas);

	mutex_lock(&dev->lock);
	err = -EBUSY;
	if (dev->vas)
		goto err_unlock;
	dev->vas = vas;
	dev->mailbox_gpa = bind->mailbox_gpa;
	/* Refuse a mailbox that cannot be mapped now, not at the first kick */
	err = vas_mailbox_map(dev);
	if (err) {
		dev->vas = NULL;
		goto err_unlock;
	}
	mutex_unlock(&dev->lock);
	return 0;

err_unlock:
	mutex_unlock(&dev->lock);
	vas_put(vas);
	return err;
}

static int vas_mailbox_kick(struct vas_mailbox_dev *dev,
			    struct vas_mailbox_kick *kick)
{
	int err;

	if (kick->flags || kick->__reserved)
		return -EINVAL;
	mutex_lock(&dev->lock);
	err = dev->vas ? 0 : -ENXIO;
	mutex_unlock(&dev->lock);
	if (err)
		return err;

	/* A kick while the worker runs is served by that run or the next */
	queue_work(system_unbound_wq, &dev->work);
	flush_work(&dev->work);
	mutex_lock(&dev->lock);
	err = dev->err;
	kick->served = dev->served;
	mutex_unlock(&dev->lock);
	return err;
}

static long vas_mailbox_ioctl(struct file *filp, unsigned int cmd,
			      unsigned long arg)
{
	struct vas_mailbox_dev *dev = filp->private_data;
	void __user *uarg = (void __user *)arg;
	union {
		struct vas_mailbox_bind bind;
		struct vas_mailbox_kick kick;
	} buf;
	size_t size, min_size;
	u32 usize;
	int err;

	switch (cmd) {
	case VAS_MAILBOX_BIND:
		size = sizeof(buf.bind);
		min_size = offsetofend(struct vas_mailbox_bind, mailbox_gpa);
		break;
	case VAS_MAILBOX_KICK:
		size = sizeof(buf.kick);
		min_size = offsetofend(struct vas_mailbox_kick, __reserved);
		break;
	default:
		return -ENOTTY;
	}
	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < min_size)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(&buf, size, uarg, usize);
	if (err)
		return err;

	if (cmd == VAS_MAILBOX_BIND)
		return vas_mailbox_bind(dev, &buf.bind);
	err = vas_mailbox_kick(dev, &buf.kick);
	if (!err && copy_to_user(uarg, &buf.kick, min_t(u32, size, usize)))
		return -EFAULT;
	return err;
}

static const struct file_operations vas_mailbox_fops = {
	.owner = THIS_MODULE,
	.open = vas_mailbox_open,
	.release = vas_mailbox_release,
	.unlocked_ioctl = vas_mailbox_ioctl,
};

static struct miscdevice vas_mailbox_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vas-mailbox",
	.fops = &vas_mailbox_fops,
};
module_misc_device(vas_mailbox_misc);

MODULE_DESCRIPTION("Sample vas backend: a mailbox in guest memory");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(VAS);
