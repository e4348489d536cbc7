// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas test interface (CONFIG_VAS_TEST)
 *
 * The VAS_TEST ioctl on a vas fd runs the in-kernel vas_read() or
 * vas_write() on a kernel buffer, either in the calling process or in a
 * kernel thread started for the purpose, and reports which access path it
 * took. A selftest reaches all three paths with it: the owner calls it in
 * its own context (owner path), asks for a kernel thread (kthread path), or
 * hands the fd to another process that calls it (remote path).
 *
 * VAS_TEST_OP_BIND binds a test binder (test_binder.c) instead.
 *
 * With VAS_TEST_FLAG_VIA_FD it first looks the vas up with
 * vas_get_from_fd(), exactly as a kernel user handed a descriptor does.
 *
 * Like iommufd's IOMMU_TEST_CMD it is a testing aid, never to be enabled
 * on a production kernel. Its structure lives in virt/vas/vas_test.h.
 */
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vas_private.h"
#include "vas_test.h"

#define VAS_TEST_MAX_LENGTH	SZ_1M

struct vas_test_work {
	struct vas *vas;
	struct vas_test *cmd;
	void *buf;
	enum vas_access_path path;
	int err;
	struct completion done;
};

static void vas_test_access(struct vas_test_work *work)
{
	struct vas_test *cmd = work->cmd;

	work->path = vas_access_path(work->vas);
	if (cmd->op == VAS_TEST_OP_WRITE)
		work->err = vas_write(work->vas, cmd->gpa, work->buf,
				      cmd->length);
	else
		work->err = vas_read(work->vas, cmd->gpa, work->buf,
				     cmd->length);
}

static int vas_test_kthread_fn(void *data)
{
	struct vas_test_work *work = data;

	vas_test_access(work);
	complete(&work->done);
	return 0;
}

static int vas_test_in_kthread(struct vas_test_work *work)
{
	struct task_struct *task;

	init_completion(&work->done);
	task = kthread_run(vas_test_kthread_fn, work, "vas-test");
	if (IS_ERR(task))
		return PTR_ERR(task);
	wait_for_completion(&work->done);
	return 0;
}

long vas_test_ioctl(struct vas *vas, void __user *uarg)
{
	struct vas_test_work work = {};
	void __user *ubuf;
	struct vas_test cmd;
	u32 usize;
	int err;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < offsetofend(struct vas_test, fd))
		return -EINVAL;
	err = copy_struct_from_user(&cmd, sizeof(cmd), uarg, usize);
	if (err)
		return err;
	if (cmd.op > VAS_TEST_OP_BIND || cmd.context > VAS_TEST_KTHREAD ||
	    cmd.length > VAS_TEST_MAX_LENGTH ||
	    cmd.flags & ~(VAS_TEST_FLAG_VIA_FD | VAS_TEST_FLAG_BIND_APPLIES) ||
	    (cmd.flags & VAS_TEST_FLAG_BIND_APPLIES && cmd.op != VAS_TEST_OP_BIND))
		return -EINVAL;

	if (cmd.flags & VAS_TEST_FLAG_VIA_FD) {
		work.vas = vas_get_from_fd(cmd.fd);
		if (IS_ERR(work.vas))
			return PTR_ERR(work.vas);
	} else {
		vas_get(vas);
		work.vas = vas;
	}

	if (cmd.op == VAS_TEST_OP_BIND) {
		err = cmd.length > MAX_ERRNO ? -EINVAL :
		      vas_test_binder_create(work.vas, cmd.length,
					     cmd.flags & VAS_TEST_FLAG_BIND_APPLIES);
		goto out_put;
	}

	work.cmd = &cmd;
	work.buf = kvzalloc(cmd.length ?: 1, GFP_KERNEL_ACCOUNT);
	if (!work.buf) {
		err = -ENOMEM;
		goto out_put;
	}
	ubuf = u64_to_user_ptr(cmd.buffer);
	if (cmd.op == VAS_TEST_OP_WRITE &&
	    copy_from_user(work.buf, ubuf, cmd.length)) {
		err = -EFAULT;
		goto out_free;
	}

	if (cmd.context == VAS_TEST_KTHREAD) {
		err = vas_test_in_kthread(&work);
		if (err)
			goto out_free;
	} else {
		vas_test_access(&work);
	}

	cmd.path_taken = work.path;
	if (put_user(cmd.path_taken, &((struct vas_test __user *)uarg)->path_taken)) {
		err = -EFAULT;
		goto out_free;
	}
	err = work.err;
	if (!err && cmd.op == VAS_TEST_OP_READ &&
	    copy_to_user(ubuf, work.buf, cmd.length))
		err = -EFAULT;

out_free:
	kvfree(work.buf);
out_put:
	vas_put(work.vas);
	return err;
}
