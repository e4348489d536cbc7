// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas test binder (CONFIG_VAS_TEST)
 *
 * A binder driven from userspace, like iommufd's test access object: the
 * VAS_TEST ioctl with VAS_TEST_OP_BIND binds one to a vas and returns a
 * file descriptor for it. Every op the binder receives is queued as a
 * struct vas_test_event that read() on the fd returns; VAS_TEST_BINDER
 * ioctls make it veto memslot changes, report dirty pages at ->sync_dirty,
 * access guest memory through its own reference on the vas, which outlives
 * the vas fd, and hold a vmap that it reads and writes with memcpy().
 */
#include <linux/anon_inodes.h>
#include <linux/completion.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kfifo.h>
#include <linux/kthread.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vas_private.h"
#include "vas_test.h"

#define VAS_TEST_BINDER_EVENTS	256

struct vas_test_binder {
	struct vas *vas;
	struct vas_binder *binder;
	struct mutex map_lock;	/* protects the vmap fields */
	struct vas_vmap *map;
	u64 map_gpa;
	u64 map_len;
	bool map_stale;
	struct vas_gpc gpc;
	struct vas_sgmap *sgmap;	/* under map_lock too */
	u64 sgmap_gpa;
	u64 sgmap_len;
	spinlock_t lock;	/* protects all below */
	DECLARE_KFIFO(events, struct vas_test_event, VAS_TEST_BINDER_EVENTS);
	bool overflow;
	int veto;
	u64 dirty_gpa;
	u64 dirty_len;
};

static void vas_test_binder_record(struct vas_test_binder *tb,
				   const struct vas_test_event *event)
{
	unsigned long flags;

	spin_lock_irqsave(&tb->lock, flags);
	if (!kfifo_put(&tb->events, *event))
		tb->overflow = true;
	spin_unlock_irqrestore(&tb->lock, flags);
}

static void vas_test_binder_record_change(struct vas_test_binder *tb, u32 type,
					  const struct vas_memslot_change *c)
{
	const struct vas_memslot_desc *desc =
		c->kind == VAS_MEMSLOT_DELETE ? &c->old : &c->new;
	struct vas_test_event event = {
		.type = type,
		.slot = c->slot,
		.kind = c->kind,
		.gpa = desc->guest_phys_addr,
		.len = desc->size,
	};

	vas_test_binder_record(tb, &event);
}

static_assert((int)VAS_TEST_CREATE == (int)VAS_MEMSLOT_CREATE &&
	      (int)VAS_TEST_DELETE == (int)VAS_MEMSLOT_DELETE &&
	      (int)VAS_TEST_MOVE == (int)VAS_MEMSLOT_MOVE &&
	      (int)VAS_TEST_FLAGS_ONLY == (int)VAS_MEMSLOT_FLAGS_ONLY);

static int vas_test_binder_prepare(void *data,
				   const struct vas_memslot_change *change)
{
	struct vas_test_binder *tb = data;

	vas_test_binder_record_change(tb, VAS_TEST_EVENT_PREPARE, change);
	return -READ_ONCE(tb->veto);
}

static void vas_test_binder_commit(void *data,
				   const struct vas_memslot_change *change)
{
	vas_test_binder_record_change(data, VAS_TEST_EVENT_COMMIT, change);
}

static void vas_test_binder_abort(void *data,
				  const struct vas_memslot_change *change)
{
	vas_test_binder_record_change(data, VAS_TEST_EVENT_ABORT, change);
}

static void vas_test_binder_invalidate(void *data, u64 gpa, u64 len)
{
	struct vas_test_event event = {
		.type = VAS_TEST_EVENT_INVALIDATE,
		.gpa = gpa,
		.len = len,
	};

	vas_test_binder_record(data, &event);
}

static void vas_test_binder_sync_dirty(void *data, u32 slot)
{
	struct vas_test_binder *tb = data;
	struct vas_test_event event = {
		.type = VAS_TEST_EVENT_SYNC_DIRTY,
		.slot = slot,
	};
	unsigned long flags;
	u64 gpa, len;

	vas_test_binder_record(tb, &event);
	spin_lock_irqsave(&tb->lock, flags);
	gpa = tb->dirty_gpa;
	len = tb->dirty_len;
	tb->dirty_len = 0;
	spin_unlock_irqrestore(&tb->lock, flags);
	vas_mark_dirty(tb->vas, gpa, len);
}

static void vas_test_binder_release(void *data)
{
	struct vas_test_event event = { .type = VAS_TEST_EVENT_RELEASE };

	vas_test_binder_record(data, &event);
}

/* The vmap is going away: no memcpy() through it may start or still run. */
static void vas_test_binder_vmap_invalidate(struct vas_vmap *map, void *data)
{
	struct vas_test_binder *tb = data;
	struct vas_test_event event = { .type = VAS_TEST_EVENT_VMAP_INVALIDATE };

	if (!vas_vmap_addr(map))
		event.flags |= VAS_TEST_EVENT_ADDR_CLEARED;
	mutex_lock(&tb->map_lock);
	tb->map_stale = true;
	event.gpa = tb->map_gpa;
	event.len = tb->map_len;
	mutex_unlock(&tb->map_lock);
	vas_test_binder_record(tb, &event);
}

static const struct vas_vmap_ops vas_test_binder_vmap_ops = {
	.invalidate = vas_test_binder_vmap_invalidate,
};

static int vas_test_binder_vmap(struct vas_test_binder *tb,
				const struct vas_test_binder_cmd *cmd)
{
	unsigned int flags = cmd->flags & VAS_TEST_MAP_WRITE ? VAS_MAP_WRITE : 0;
	struct vas_vmap *map;

	if (cmd->flags & ~VAS_TEST_MAP_WRITE)
		return -EINVAL;
	mutex_lock(&tb->map_lock);
	if (tb->map) {
		mutex_unlock(&tb->map_lock);
		return -EBUSY;
	}
	tb->map_gpa = cmd->gpa;
	tb->map_len = cmd->length;
	tb->map_stale = false;
	mutex_unlock(&tb->map_lock);

	/* Not under map_lock: an invalidation may come at once */
	map = vas_vmap(tb->vas, cmd->gpa, cmd->length, flags,
		       &vas_test_binder_vmap_ops, tb);
	if (IS_ERR(map))
		return PTR_ERR(map);
	mutex_lock(&tb->map_lock);
	tb->map = map;
	mutex_unlock(&tb->map_lock);
	return 0;
}

static int vas_test_binder_vunmap(struct vas_test_binder *tb)
{
	struct vas_vmap *map;

	mutex_lock(&tb->map_lock);
	map = tb->map;
	tb->map = NULL;
	mutex_unlock(&tb->map_lock);
	if (!map)
		return -ENOENT;
	vas_vunmap(map);
	return 0;
}

static int vas_test_binder_vmap_copy(struct vas_test_binder *tb,
				     const struct vas_test_binder_cmd *cmd,
				     void *kbuf, bool write)
{
	void *addr;
	int err = 0;

	mutex_lock(&tb->map_lock);
	/*
	 * The mapping is NULL from before ->invalidate runs, which then waits
	 * for map_lock: a NULL address is stale as well.
	 */
	addr = tb->map ? vas_vmap_addr(tb->map) : NULL;
	if (!tb->map) {
		err = -ENOENT;
	} else if (tb->map_stale || !addr) {
		err = -ESTALE;
	} else if (cmd->gpa < tb->map_gpa ||
		   cmd->gpa + cmd->length > tb->map_gpa + tb->map_len) {
		err = -EINVAL;
	} else {
		addr += cmd->gpa - tb->map_gpa;
		if (write)
			memcpy(addr, kbuf, cmd->length);
		else
			memcpy(kbuf, addr, cmd->length);
	}
	mutex_unlock(&tb->map_lock);
	return err;
}

static int vas_test_binder_sgmap(struct vas_test_binder *tb,
				 const struct vas_test_binder_cmd *cmd)
{
	unsigned int flags = cmd->flags & VAS_TEST_MAP_WRITE ? VAS_MAP_WRITE : 0;
	struct vas_sgmap *map;
	int err = 0;

	if (cmd->flags & ~VAS_TEST_MAP_WRITE)
		return -EINVAL;
	map = vas_sgmap(tb->vas, cmd->gpa, cmd->length, flags);
	if (IS_ERR(map))
		return PTR_ERR(map);
	mutex_lock(&tb->map_lock);
	if (tb->sgmap) {
		err = -EBUSY;
	} else {
		tb->sgmap = map;
		tb->sgmap_gpa = cmd->gpa;
		tb->sgmap_len = cmd->length;
	}
	mutex_unlock(&tb->map_lock);
	if (err)
		vas_sgunmap(map);
	return err;
}

static int vas_test_binder_sgunmap(struct vas_test_binder *tb)
{
	struct vas_sgmap *map;

	mutex_lock(&tb->map_lock);
	map = tb->sgmap;
	tb->sgmap = NULL;
	mutex_unlock(&tb->map_lock);
	if (!map)
		return -ENOENT;
	vas_sgunmap(map);
	return 0;
}

static int vas_test_binder_sgmap_copy(struct vas_test_binder *tb,
				      const struct vas_test_binder_cmd *cmd,
				      void *kbuf, bool write)
{
	struct sg_table *sgt;
	size_t copied;
	int err = 0;

	mutex_lock(&tb->map_lock);
	if (!tb->sgmap) {
		err = -ENOENT;
	} else if (cmd->gpa < tb->sgmap_gpa ||
		   cmd->gpa + cmd->length > tb->sgmap_gpa + tb->sgmap_len) {
		err = -EINVAL;
	} else {
		sgt = vas_sgmap_table(tb->sgmap);
		if (write)
			copied = sg_pcopy_from_buffer(sgt->sgl, sgt->orig_nents,
						      kbuf, cmd->length,
						      cmd->gpa - tb->sgmap_gpa);
		else
			copied = sg_pcopy_to_buffer(sgt->sgl, sgt->orig_nents,
						    kbuf, cmd->length,
						    cmd->gpa - tb->sgmap_gpa);
		if (copied != cmd->length)
			err = -EIO;
	}
	mutex_unlock(&tb->map_lock);
	return err;
}

static int vas_test_binder_sgmap_nents(struct vas_test_binder *tb)
{
	int nents = -ENOENT;

	mutex_lock(&tb->map_lock);
	if (tb->sgmap)
		nents = vas_sgmap_table(tb->sgmap)->orig_nents;
	mutex_unlock(&tb->map_lock);
	return nents;
}

/*
 * The documented vas_gpc pattern; the copy runs with interrupts off.
 * Returns the number of refreshes it needed.
 */
static int vas_test_binder_gpc_copy(struct vas_test_binder *tb,
				    const struct vas_test_binder_cmd *cmd,
				    void *kbuf, bool write)
{
	struct vas_gpc *gpc = &tb->gpc;
	unsigned long flags;
	int refreshes = 0, err;

	if (cmd->length > PAGE_SIZE)
		return -EINVAL;
	read_lock_irqsave(&gpc->lock, flags);
	while (!vas_gpc_check(gpc, cmd->length)) {
		read_unlock_irqrestore(&gpc->lock, flags);
		err = vas_gpc_refresh(gpc, cmd->length);
		if (err)
			return err;
		refreshes++;
		read_lock_irqsave(&gpc->lock, flags);
	}
	if (write) {
		memcpy(gpc->khva, kbuf, cmd->length);
		vas_gpc_mark_dirty(gpc);
	} else {
		memcpy(kbuf, gpc->khva, cmd->length);
	}
	read_unlock_irqrestore(&gpc->lock, flags);
	return refreshes;
}

static int vas_test_binder_gpc_activate(struct vas_test_binder *tb,
					const struct vas_test_binder_cmd *cmd)
{
	if (cmd->flags & ~VAS_TEST_MAP_WRITE)
		return -EINVAL;
	return vas_gpc_activate(&tb->gpc, cmd->gpa, cmd->length,
				cmd->flags ? VAS_MAP_WRITE : 0);
}

typedef int (*vas_test_binder_fn)(struct vas_test_binder *tb,
				  const struct vas_test_binder_cmd *cmd);

struct vas_test_binder_work {
	vas_test_binder_fn fn;
	struct vas_test_binder *tb;
	const struct vas_test_binder_cmd *cmd;
	int ret;
	struct completion done;
};

static int vas_test_binder_work_fn(void *data)
{
	struct vas_test_binder_work *work = data;

	work->ret = work->fn(work->tb, work->cmd);
	complete(&work->done);
	return 0;
}

/* Runs @fn in the caller, or in a kernel thread (the kthread path) */
static int vas_test_binder_call(vas_test_binder_fn fn,
				struct vas_test_binder *tb,
				const struct vas_test_binder_cmd *cmd)
{
	struct vas_test_binder_work work = { .fn = fn, .tb = tb, .cmd = cmd };
	struct task_struct *task;

	if (cmd->context == VAS_TEST_CALLER)
		return fn(tb, cmd);
	init_completion(&work.done);
	task = kthread_run(vas_test_binder_work_fn, &work, "vas-test-binder");
	if (IS_ERR(task))
		return PTR_ERR(task);
	wait_for_completion(&work.done);
	return work.ret;
}

static const struct vas_binder_ops vas_test_binder_ops = {
	.prepare = vas_test_binder_prepare,
	.commit = vas_test_binder_commit,
	.abort = vas_test_binder_abort,
	.invalidate = vas_test_binder_invalidate,
	.sync_dirty = vas_test_binder_sync_dirty,
	.release = vas_test_binder_release,
};

/* The same ops, for a binder that stands in for KVM's place in the order */
static const struct vas_binder_ops vas_test_binder_applies_ops = {
	.prepare = vas_test_binder_prepare,
	.commit = vas_test_binder_commit,
	.abort = vas_test_binder_abort,
	.invalidate = vas_test_binder_invalidate,
	.sync_dirty = vas_test_binder_sync_dirty,
	.release = vas_test_binder_release,
	.prepare_applies = true,
};

static ssize_t vas_test_binder_read(struct file *filp, char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct vas_test_binder *tb = filp->private_data;
	struct vas_test_event events[16];
	unsigned int n;
	bool overflow;

	count = min(count / sizeof(events[0]), ARRAY_SIZE(events));
	spin_lock_irq(&tb->lock);
	overflow = tb->overflow;
	tb->overflow = false;
	n = overflow ? 0 : kfifo_out(&tb->events, events, count);
	spin_unlock_irq(&tb->lock);

	if (overflow)
		return -EOVERFLOW;
	if (copy_to_user(ubuf, events, n * sizeof(events[0])))
		return -EFAULT;
	return n * sizeof(events[0]);
}

static int vas_test_binder_vas_copy(struct vas_test_binder *tb,
				    const struct vas_test_binder_cmd *cmd,
				    void *kbuf, bool write)
{
	if (write)
		return vas_write(tb->vas, cmd->gpa, kbuf, cmd->length);
	return vas_read(tb->vas, cmd->gpa, kbuf, cmd->length);
}

typedef int (*vas_test_binder_copy_fn)(struct vas_test_binder *tb,
				       const struct vas_test_binder_cmd *cmd,
				       void *kbuf, bool write);

/*
 * Moves @cmd's data between the caller's buffer and a kernel bounce
 * buffer, around @copy, which moves it between the bounce buffer and guest
 * memory. Returns what @copy returns, or an error of its own.
 */
static int vas_test_binder_bounce(struct vas_test_binder *tb,
				  const struct vas_test_binder_cmd *cmd,
				  bool write, vas_test_binder_copy_fn copy)
{
	void __user *ubuf = u64_to_user_ptr(cmd->buffer);
	void *kbuf;
	u64 end;
	int ret;

	if (cmd->length > SZ_1M ||
	    check_add_overflow(cmd->gpa, cmd->length, &end))
		return -EINVAL;
	kbuf = kvzalloc(cmd->length ?: 1, GFP_KERNEL_ACCOUNT);
	if (!kbuf)
		return -ENOMEM;
	if (write && copy_from_user(kbuf, ubuf, cmd->length))
		ret = -EFAULT;
	else
		ret = copy(tb, cmd, kbuf, write);
	if (ret >= 0 && !write && copy_to_user(ubuf, kbuf, cmd->length))
		ret = -EFAULT;
	kvfree(kbuf);
	return ret;
}

static long vas_test_binder_ioctl(struct file *filp, unsigned int ioctl,
				  unsigned long arg)
{
	struct vas_test_binder *tb = filp->private_data;
	void __user *uarg = (void __user *)arg;
	struct vas_test_binder_cmd cmd;
	u32 usize;
	int err;

	if (ioctl != VAS_TEST_BINDER)
		return -ENOTTY;
	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < offsetofend(struct vas_test_binder_cmd, buffer))
		return -EINVAL;
	err = copy_struct_from_user(&cmd, sizeof(cmd), uarg, usize);
	if (err)
		return err;
	if (cmd.context > VAS_TEST_KTHREAD || cmd.__pad)
		return -EINVAL;
	if (cmd.context && cmd.op != VAS_TEST_BINDER_VMAP &&
	    cmd.op != VAS_TEST_BINDER_SGMAP &&
	    cmd.op != VAS_TEST_BINDER_GPC_ACTIVATE)
		return -EINVAL;
	if (cmd.flags && cmd.op != VAS_TEST_BINDER_VMAP &&
	    cmd.op != VAS_TEST_BINDER_SGMAP &&
	    cmd.op != VAS_TEST_BINDER_GPC_ACTIVATE)
		return -EINVAL;

	switch (cmd.op) {
	case VAS_TEST_BINDER_SET_VETO:
		if (cmd.veto < 0 || cmd.veto > MAX_ERRNO)
			return -EINVAL;
		WRITE_ONCE(tb->veto, cmd.veto);
		return 0;
	case VAS_TEST_BINDER_ADD_DIRTY:
		spin_lock_irq(&tb->lock);
		tb->dirty_gpa = cmd.gpa;
		tb->dirty_len = cmd.length;
		spin_unlock_irq(&tb->lock);
		return 0;
	case VAS_TEST_BINDER_READ:
	case VAS_TEST_BINDER_WRITE:
		return vas_test_binder_bounce(tb, &cmd,
					      cmd.op == VAS_TEST_BINDER_WRITE,
					      vas_test_binder_vas_copy);
	case VAS_TEST_BINDER_VMAP:
		return vas_test_binder_call(vas_test_binder_vmap, tb, &cmd);
	case VAS_TEST_BINDER_VUNMAP:
		return vas_test_binder_vunmap(tb);
	case VAS_TEST_BINDER_VMAP_READ:
	case VAS_TEST_BINDER_VMAP_WRITE:
		return vas_test_binder_bounce(tb, &cmd,
					      cmd.op == VAS_TEST_BINDER_VMAP_WRITE,
					      vas_test_binder_vmap_copy);
	case VAS_TEST_BINDER_SGMAP:
		return vas_test_binder_call(vas_test_binder_sgmap, tb, &cmd);
	case VAS_TEST_BINDER_SGUNMAP:
		return vas_test_binder_sgunmap(tb);
	case VAS_TEST_BINDER_SGMAP_READ:
	case VAS_TEST_BINDER_SGMAP_WRITE:
		return vas_test_binder_bounce(tb, &cmd,
					      cmd.op == VAS_TEST_BINDER_SGMAP_WRITE,
					      vas_test_binder_sgmap_copy);
	case VAS_TEST_BINDER_SGMAP_NENTS:
		return vas_test_binder_sgmap_nents(tb);
	case VAS_TEST_BINDER_GPC_ACTIVATE:
		return vas_test_binder_call(vas_test_binder_gpc_activate, tb,
					    &cmd);
	case VAS_TEST_BINDER_GPC_DEACTIVATE:
		vas_gpc_deactivate(&tb->gpc);
		return 0;
	case VAS_TEST_BINDER_GPC_READ:
	case VAS_TEST_BINDER_GPC_WRITE:
		return vas_test_binder_bounce(tb, &cmd,
					      cmd.op == VAS_TEST_BINDER_GPC_WRITE,
					      vas_test_binder_gpc_copy);
	default:
		return -EINVAL;
	}
}

static int vas_test_binder_release_file(struct inode *inode, struct file *filp)
{
	struct vas_test_binder *tb = filp->private_data;

	vas_test_binder_vunmap(tb);
	vas_test_binder_sgunmap(tb);
	vas_gpc_deactivate(&tb->gpc);
	vas_unbind(tb->binder);
	kfree(tb);
	return 0;
}

static const struct file_operations vas_test_binder_fops = {
	.owner = THIS_MODULE,
	.release = vas_test_binder_release_file,
	.read = vas_test_binder_read,
	.unlocked_ioctl = vas_test_binder_ioctl,
};

/**
 * vas_test_binder_create() - Bind a test binder and return its fd
 * @vas: The vas to bind to
 * @veto: The errno ->prepare vetoes with from the start, 0 for none: lets
 *	a test veto the replay of the existing memslots
 * @applies: Bind with prepare_applies, as KVM does
 *
 * Return: A new O_CLOEXEC file descriptor, or a negative errno.
 */
int vas_test_binder_create(struct vas *vas, int veto, bool applies)
{
	struct vas_test_binder *tb;
	int fd;

	tb = kzalloc(sizeof(*tb), GFP_KERNEL_ACCOUNT);
	if (!tb)
		return -ENOMEM;
	mutex_init(&tb->map_lock);
	spin_lock_init(&tb->lock);
	INIT_KFIFO(tb->events);
	tb->vas = vas;
	tb->veto = veto;
	vas_gpc_init(&tb->gpc, vas);
	tb->binder = vas_bind(vas, applies ? &vas_test_binder_applies_ops :
					     &vas_test_binder_ops, tb);
	if (IS_ERR(tb->binder)) {
		fd = PTR_ERR(tb->binder);
		goto err_free;
	}
	fd = anon_inode_getfd("[vas-test-binder]", &vas_test_binder_fops, tb,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		goto err_unbind;
	return fd;

err_unbind:
	vas_unbind(tb->binder);
err_free:
	kfree(tb);
	return fd;
}
