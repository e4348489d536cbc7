// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas test interface (CONFIG_VAS_TEST)
 *
 * One ioctl, VAS_TEST, with one structure, struct vas_test_cmd: an op
 * number and a union with the arguments of each op (virt/vas/vas_test.h).
 * Like iommufd's IOMMU_TEST_CMD it is a testing aid, never to be enabled
 * on a production kernel. It is issued on two kinds of fd, each with its
 * table of ops, which vas_test_dispatch() runs after copying the command
 * in and checking what every op shares (flags, context, reserved fields):
 *
 * - a vas fd: READ and WRITE run the in-kernel vas_read()/vas_write() (and
 *   READ_ONCE, WRITE_ONCE vas_read_once()/vas_write_once()) on a
 *   kernel buffer, in the calling process or a kernel thread, and report
 *   the access path taken, so that a selftest reaches all three paths: the
 *   owner calls it in its own context (owner path), asks for a kernel
 *   thread (kthread path), or hands the fd to another process (remote
 *   path). With VAS_TEST_FLAG_VIA_FD they first look the vas up with
 *   vas_get_from_fd(), as a kernel user handed a descriptor does. BIND
 *   binds a test binder (test_binder.c), BENCH runs the benchmark
 *   (bench.c, CONFIG_VAS_BENCH);
 * - a test binder fd: the VAS_TEST_BINDER_* ops (test_binder.c).
 *
 * vas_test_run() runs a function in the caller or in a kernel thread, for
 * every op that takes a context.
 */
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vas_private.h"
#include "vas_test.h"

struct vas_test_work {
	int (*fn)(void *arg);
	void *arg;
	int ret;
	struct completion done;
};

static int vas_test_kthread_fn(void *data)
{
	struct vas_test_work *work = data;

	work->ret = work->fn(work->arg);
	complete(&work->done);
	return 0;
}

/**
 * vas_test_run() - Run a function in the caller or in a kernel thread
 * @context: enum vas_test_context
 * @fn: The function
 * @arg: Its argument
 *
 * Return: What @fn returns, or the error of starting the kernel thread.
 */
int vas_test_run(u32 context, int (*fn)(void *arg), void *arg)
{
	struct vas_test_work work = { .fn = fn, .arg = arg };
	struct task_struct *task;

	if (context == VAS_TEST_CALLER)
		return fn(arg);
	init_completion(&work.done);
	task = kthread_run(vas_test_kthread_fn, &work, "vas-test");
	if (IS_ERR(task))
		return PTR_ERR(task);
	wait_for_completion(&work.done);
	return work.ret;
}

/**
 * vas_test_dispatch() - Copy in a struct vas_test_cmd and run its op
 * @ops: The table of the fd's ops, indexed by op - @first_op
 * @nops: Its number of entries
 * @first_op: The op number of @ops[0]
 * @target: The vas or test binder the ioctl was issued on, for the op
 * @uarg: The caller's struct vas_test_cmd
 *
 * Return: What the op returns, or -EINVAL for an op not in @ops, flags or
 * a context the op does not take; -ENOTTY for an op this kernel does not
 * build; the errors of vas_ioctl_copy_in().
 */
long vas_test_dispatch(const struct vas_test_cmd_op *ops, size_t nops,
		       u32 first_op, void *target, void __user *uarg)
{
	const struct vas_test_cmd_op *op;
	struct vas_test_cmd cmd;
	int ret;

	ret = vas_ioctl_copy_in(&cmd, sizeof(cmd), sizeof(cmd), uarg);
	if (ret < 0)
		return ret;
	if (cmd.op < first_op || cmd.op - first_op >= nops)
		return -EINVAL;
	op = &ops[cmd.op - first_op];
	if (cmd.flags & ~op->flags || cmd.context > VAS_TEST_KTHREAD ||
	    (cmd.context && !op->context))
		return -EINVAL;
	if (!op->execute)
		return -ENOTTY;

	ret = op->execute(target, &cmd);
	/* Outputs such as the access path are reported on failure too */
	if (op->copy_out && copy_to_user(uarg, &cmd, sizeof(cmd)))
		return -EFAULT;
	return ret;
}

struct vas_test_access {
	struct vas *vas;
	struct vas_test_cmd *cmd;
	void *buf;
};

static int vas_test_access_fn(void *arg)
{
	struct vas_test_access *a = arg;
	struct vas_test_cmd *cmd = a->cmd;

	cmd->access.path_taken = vas_access_path(a->vas);
	switch (cmd->op) {
	case VAS_TEST_OP_WRITE:
		return vas_write(a->vas, cmd->access.gpa, a->buf,
				 cmd->access.length);
	case VAS_TEST_OP_READ_ONCE:
		return vas_read_once(a->vas, cmd->access.gpa, a->buf,
				     cmd->access.length);
	case VAS_TEST_OP_WRITE_ONCE:
		return vas_write_once(a->vas, cmd->access.gpa, a->buf,
				      cmd->access.length);
	default:
		return vas_read(a->vas, cmd->access.gpa, a->buf,
				cmd->access.length);
	}
}

/**
 * vas_test_bounce() - Run a copy between guest memory and a caller buffer
 * @cmd: The command: access.length bytes at access.buffer
 * @write: Into guest memory: fill the bounce buffer from access.buffer
 *	first; else copy it to access.buffer after
 * @fn: Moves the data between guest memory and the bounce buffer
 * @arg: Its argument; @fn finds the bounce buffer in *@buf
 * @buf: Where the bounce buffer's address goes before @fn runs
 *
 * Return: What @fn returns, -EINVAL beyond 1 MiB, -EFAULT or -ENOMEM.
 */
int vas_test_bounce(struct vas_test_cmd *cmd, bool write,
		    int (*fn)(void *arg), void *arg, void **buf)
{
	void __user *ubuf = u64_to_user_ptr(cmd->access.buffer);
	u64 len = cmd->access.length;
	int ret;

	if (len > SZ_1M)
		return -EINVAL;
	*buf = kvzalloc(len ?: 1, GFP_KERNEL_ACCOUNT);
	if (!*buf)
		return -ENOMEM;
	if (write && copy_from_user(*buf, ubuf, len))
		ret = -EFAULT;
	else
		ret = vas_test_run(cmd->context, fn, arg);
	if (ret >= 0 && !write && copy_to_user(ubuf, *buf, len))
		ret = -EFAULT;
	kvfree(*buf);
	*buf = NULL;
	return ret;
}

/* The accesses: on the vas of the fd, or on the one the command names */
static int vas_test_op_access(void *target, struct vas_test_cmd *cmd)
{
	struct vas_test_access a = { .vas = target, .cmd = cmd };
	bool write = cmd->op == VAS_TEST_OP_WRITE ||
		     cmd->op == VAS_TEST_OP_WRITE_ONCE;
	int err;

	if (cmd->flags & VAS_TEST_FLAG_VIA_FD) {
		a.vas = vas_get_from_fd(cmd->access.fd);
		if (IS_ERR(a.vas))
			return PTR_ERR(a.vas);
	} else {
		vas_get(a.vas);
	}
	err = vas_test_bounce(cmd, write, vas_test_access_fn, &a, &a.buf);
	vas_put(a.vas);
	return err;
}

static int vas_test_op_bind(void *target, struct vas_test_cmd *cmd)
{
	if (cmd->bind.veto < 0 || cmd->bind.veto > MAX_ERRNO ||
	    cmd->bind.__reserved)
		return -EINVAL;
	return vas_test_binder_create(target, cmd->bind.veto,
				      cmd->flags & VAS_TEST_FLAG_BIND_APPLIES);
}

static const struct vas_test_cmd_op vas_test_ops[] = {
	[VAS_TEST_OP_READ] = {
		.execute = vas_test_op_access, .flags = VAS_TEST_FLAG_VIA_FD,
		.context = true, .copy_out = true,
	},
	[VAS_TEST_OP_WRITE] = {
		.execute = vas_test_op_access, .flags = VAS_TEST_FLAG_VIA_FD,
		.context = true, .copy_out = true,
	},
	[VAS_TEST_OP_BIND] = {
		.execute = vas_test_op_bind,
		.flags = VAS_TEST_FLAG_BIND_APPLIES,
	},
	[VAS_TEST_OP_BENCH] = {
		.execute = vas_test_bench,	/* NULL without CONFIG_VAS_BENCH */
		.context = true, .copy_out = true,
	},
	[VAS_TEST_OP_READ_ONCE] = {
		.execute = vas_test_op_access, .flags = VAS_TEST_FLAG_VIA_FD,
		.context = true, .copy_out = true,
	},
	[VAS_TEST_OP_WRITE_ONCE] = {
		.execute = vas_test_op_access, .flags = VAS_TEST_FLAG_VIA_FD,
		.context = true, .copy_out = true,
	},
};

/**
 * vas_test_ioctl() - ioctl(VAS_TEST) on a vas fd
 * @vas: The vas
 * @uarg: The caller's struct vas_test_cmd
 *
 * Return: As vas_test_dispatch().
 */
long vas_test_ioctl(struct vas *vas, void __user *uarg)
{
	return vas_test_dispatch(vas_test_ops, ARRAY_SIZE(vas_test_ops),
				 VAS_TEST_OP_READ, vas, uarg);
}
