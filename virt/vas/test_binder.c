// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas test binder (CONFIG_VAS_TEST)
 *
 * A binder driven from userspace, like iommufd's test access object: the
 * VAS_TEST ioctl with VAS_TEST_OP_BIND binds one to a vas and returns a
 * file descriptor for it. Every op the binder receives is queued as a
 * struct vas_test_event that read() on the fd returns; the VAS_TEST_BINDER_*
 * ops of VAS_TEST on that fd (vas_test_binder_cmd_ops[], run by test.c's
 * vas_test_dispatch()) make it veto memslot changes, report dirty pages at
 * ->sync_dirty, access guest memory through its own reference on the vas,
 * which outlives the vas fd, and hold a vmap, an sgmap and a gfn->pfn cache
 * that it reads and writes with memcpy().
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kfifo.h>
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

/* What an op of the table works on: the binder, the command, a buffer */
struct vas_test_binder_call {
	struct vas_test_binder *tb;
	struct vas_test_cmd *cmd;
	void *buf;	/* the bounce buffer of the copies */
	bool write;	/* the copies: into guest memory */
};

static int vas_test_binder_vmap_fn(void *arg)
{
	struct vas_test_binder_call *call = arg;
	struct vas_test_binder *tb = call->tb;
	struct vas_test_cmd *cmd = call->cmd;
	struct vas_vmap *map;

	mutex_lock(&tb->map_lock);
	if (tb->map) {
		mutex_unlock(&tb->map_lock);
		return -EBUSY;
	}
	tb->map_gpa = cmd->range.gpa;
	tb->map_len = cmd->range.length;
	tb->map_stale = false;
	mutex_unlock(&tb->map_lock);

	/* Not under map_lock: an invalidation may come at once */
	map = vas_vmap(tb->vas, cmd->range.gpa, cmd->range.length,
		       cmd->flags & VAS_TEST_MAP_WRITE ? VAS_MAP_WRITE : 0,
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

/* Copies between the bounce buffer and the vmap, under map_lock */
static int vas_test_binder_vmap_copy(struct vas_test_binder_call *call)
{
	bool write = call->write;
	struct vas_test_binder *tb = call->tb;
	u64 gpa = call->cmd->access.gpa, len = call->cmd->access.length;
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
	} else if (gpa < tb->map_gpa || gpa + len > tb->map_gpa + tb->map_len) {
		err = -EINVAL;
	} else {
		addr += gpa - tb->map_gpa;
		if (write)
			memcpy(addr, call->buf, len);
		else
			memcpy(call->buf, addr, len);
	}
	mutex_unlock(&tb->map_lock);
	return err;
}

static int vas_test_binder_sgmap_fn(void *arg)
{
	struct vas_test_binder_call *call = arg;
	struct vas_test_binder *tb = call->tb;
	struct vas_test_cmd *cmd = call->cmd;
	struct vas_sgmap *map;
	int err = 0;

	map = vas_sgmap(tb->vas, cmd->range.gpa, cmd->range.length,
			cmd->flags & VAS_TEST_MAP_WRITE ? VAS_MAP_WRITE : 0);
	if (IS_ERR(map))
		return PTR_ERR(map);
	mutex_lock(&tb->map_lock);
	if (tb->sgmap) {
		err = -EBUSY;
	} else {
		tb->sgmap = map;
		tb->sgmap_gpa = cmd->range.gpa;
		tb->sgmap_len = cmd->range.length;
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

static int vas_test_binder_sgmap_copy(struct vas_test_binder_call *call)
{
	bool write = call->write;
	struct vas_test_binder *tb = call->tb;
	u64 gpa = call->cmd->access.gpa, len = call->cmd->access.length;
	struct sg_table *sgt;
	size_t copied;
	int err = 0;

	mutex_lock(&tb->map_lock);
	if (!tb->sgmap) {
		err = -ENOENT;
	} else if (gpa < tb->sgmap_gpa ||
		   gpa + len > tb->sgmap_gpa + tb->sgmap_len) {
		err = -EINVAL;
	} else {
		sgt = vas_sgmap_table(tb->sgmap);
		if (write)
			copied = sg_pcopy_from_buffer(sgt->sgl, sgt->orig_nents,
						      call->buf, len,
						      gpa - tb->sgmap_gpa);
		else
			copied = sg_pcopy_to_buffer(sgt->sgl, sgt->orig_nents,
						    call->buf, len,
						    gpa - tb->sgmap_gpa);
		if (copied != len)
			err = -EIO;
	}
	mutex_unlock(&tb->map_lock);
	return err;
}

/*
 * The documented vas_gpc pattern; the copy runs with interrupts off.
 * Returns the number of refreshes it needed.
 */
static int vas_test_binder_gpc_copy(struct vas_test_binder_call *call)
{
	bool write = call->write;
	struct vas_gpc *gpc = &call->tb->gpc;
	u64 len = call->cmd->access.length;
	unsigned long flags;
	int refreshes = 0, err;

	if (len > PAGE_SIZE)
		return -EINVAL;
	read_lock_irqsave(&gpc->lock, flags);
	while (!vas_gpc_check(gpc, len)) {
		read_unlock_irqrestore(&gpc->lock, flags);
		err = vas_gpc_refresh(gpc, len);
		if (err)
			return err;
		refreshes++;
		read_lock_irqsave(&gpc->lock, flags);
	}
	if (write) {
		memcpy(gpc->khva, call->buf, len);
		vas_gpc_mark_dirty(gpc);
	} else {
		memcpy(call->buf, gpc->khva, len);
	}
	read_unlock_irqrestore(&gpc->lock, flags);
	return refreshes;
}

static int vas_test_binder_gpc_activate_fn(void *arg)
{
	struct vas_test_binder_call *call = arg;
	struct vas_test_cmd *cmd = call->cmd;

	return vas_gpc_activate(&call->tb->gpc, cmd->range.gpa,
				cmd->range.length,
				cmd->flags & VAS_TEST_MAP_WRITE ? VAS_MAP_WRITE : 0);
}

static int vas_test_binder_vas_copy(struct vas_test_binder_call *call)
{
	struct vas_test_cmd *cmd = call->cmd;

	if (call->write)
		return vas_write(call->tb->vas, cmd->access.gpa, call->buf,
				 cmd->access.length);
	return vas_read(call->tb->vas, cmd->access.gpa, call->buf,
			cmd->access.length);
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

/* ------------------------------------------------------- the ops' table */

static int vas_test_binder_op_set_veto(void *target, struct vas_test_cmd *cmd)
{
	struct vas_test_binder *tb = target;

	if (cmd->bind.veto < 0 || cmd->bind.veto > MAX_ERRNO ||
	    cmd->bind.__reserved)
		return -EINVAL;
	WRITE_ONCE(tb->veto, cmd->bind.veto);
	return 0;
}

static int vas_test_binder_op_add_dirty(void *target, struct vas_test_cmd *cmd)
{
	struct vas_test_binder *tb = target;

	spin_lock_irq(&tb->lock);
	tb->dirty_gpa = cmd->range.gpa;
	tb->dirty_len = cmd->range.length;
	spin_unlock_irq(&tb->lock);
	return 0;
}

/* VMAP, SGMAP, GPC_ACTIVATE: in the command's context */
static int vas_test_binder_op_map(void *target, struct vas_test_cmd *cmd)
{
	struct vas_test_binder_call call = { .tb = target, .cmd = cmd };
	int (*fn)(void *arg) = vas_test_binder_gpc_activate_fn;

	if (cmd->op == VAS_TEST_BINDER_VMAP)
		fn = vas_test_binder_vmap_fn;
	else if (cmd->op == VAS_TEST_BINDER_SGMAP)
		fn = vas_test_binder_sgmap_fn;
	return vas_test_run(cmd->context, fn, &call);
}

/* VUNMAP, SGUNMAP, SGMAP_NENTS, GPC_DEACTIVATE */
static int vas_test_binder_op_unmap(void *target, struct vas_test_cmd *cmd)
{
	struct vas_test_binder *tb = target;
	int nents = -ENOENT;

	switch (cmd->op) {
	case VAS_TEST_BINDER_VUNMAP:
		return vas_test_binder_vunmap(tb);
	case VAS_TEST_BINDER_SGUNMAP:
		return vas_test_binder_sgunmap(tb);
	case VAS_TEST_BINDER_SGMAP_NENTS:
		mutex_lock(&tb->map_lock);
		if (tb->sgmap)
			nents = vas_sgmap_table(tb->sgmap)->orig_nents;
		mutex_unlock(&tb->map_lock);
		return nents;
	default:
		vas_gpc_deactivate(&tb->gpc);
		return 0;
	}
}

/* The copies: which tool moves the data, and in which direction */
static int vas_test_binder_copy_fn(void *arg)
{
	struct vas_test_binder_call *call = arg;

	switch (call->cmd->op) {
	case VAS_TEST_BINDER_READ:
	case VAS_TEST_BINDER_WRITE:
		return vas_test_binder_vas_copy(call);
	case VAS_TEST_BINDER_VMAP_READ:
	case VAS_TEST_BINDER_VMAP_WRITE:
		return vas_test_binder_vmap_copy(call);
	case VAS_TEST_BINDER_SGMAP_READ:
	case VAS_TEST_BINDER_SGMAP_WRITE:
		return vas_test_binder_sgmap_copy(call);
	default:
		return vas_test_binder_gpc_copy(call);
	}
}

static int vas_test_binder_op_copy(void *target, struct vas_test_cmd *cmd)
{
	u32 op = cmd->op;
	struct vas_test_binder_call call = {
		.tb = target,
		.cmd = cmd,
		.write = op == VAS_TEST_BINDER_WRITE ||
			 op == VAS_TEST_BINDER_VMAP_WRITE ||
			 op == VAS_TEST_BINDER_SGMAP_WRITE ||
			 op == VAS_TEST_BINDER_GPC_WRITE,
	};
	u64 end;

	if (cmd->access.fd || cmd->access.path_taken ||
	    check_add_overflow(cmd->access.gpa, cmd->access.length, &end))
		return -EINVAL;
	return vas_test_bounce(cmd, call.write, vas_test_binder_copy_fn, &call,
			       &call.buf);
}

#define VAS_TEST_BINDER_OP(_op, _fn, _flags, _context)			\
	[(_op) - VAS_TEST_BINDER_SET_VETO] = {				\
		.execute = _fn, .flags = _flags, .context = _context,	\
	}

static const struct vas_test_cmd_op vas_test_binder_cmd_ops[] = {
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_SET_VETO,
			   vas_test_binder_op_set_veto, 0, false),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_ADD_DIRTY,
			   vas_test_binder_op_add_dirty, 0, false),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_READ, vas_test_binder_op_copy,
			   0, false),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_WRITE, vas_test_binder_op_copy,
			   0, false),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_VMAP, vas_test_binder_op_map,
			   VAS_TEST_MAP_WRITE, true),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_VUNMAP, vas_test_binder_op_unmap,
			   0, false),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_VMAP_READ, vas_test_binder_op_copy,
			   0, false),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_VMAP_WRITE, vas_test_binder_op_copy,
			   0, false),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_SGMAP, vas_test_binder_op_map,
			   VAS_TEST_MAP_WRITE, true),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_SGUNMAP, vas_test_binder_op_unmap,
			   0, false),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_SGMAP_READ, vas_test_binder_op_copy,
			   0, false),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_SGMAP_WRITE,
			   vas_test_binder_op_copy, 0, false),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_SGMAP_NENTS,
			   vas_test_binder_op_unmap, 0, false),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_GPC_ACTIVATE,
			   vas_test_binder_op_map, VAS_TEST_MAP_WRITE, true),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_GPC_DEACTIVATE,
			   vas_test_binder_op_unmap, 0, false),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_GPC_READ, vas_test_binder_op_copy,
			   0, false),
	VAS_TEST_BINDER_OP(VAS_TEST_BINDER_GPC_WRITE, vas_test_binder_op_copy,
			   0, false),
};

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

static long vas_test_binder_ioctl(struct file *filp, unsigned int ioctl,
				  unsigned long arg)
{
	if (ioctl != VAS_TEST)
		return -ENOTTY;
	return vas_test_dispatch(vas_test_binder_cmd_ops,
				 ARRAY_SIZE(vas_test_binder_cmd_ops),
				 VAS_TEST_BINDER_SET_VETO, filp->private_data,
				 (void __user *)arg);
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
