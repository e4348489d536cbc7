// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas micro-benchmarks (CONFIG_VAS_BENCH, test kernels only)
 *
 * VAS_TEST_OP_BENCH (test.c) times vas paths against anchors measured in the
 * same call: memcpy() of the same size for vas_read()/vas_write(), and,
 * a raw copy_from_user() of the owner memory (the floor of the owner path,
 * and under emulation far slower than memcpy()), and,
 * given a KVM VM whose memslots mirror the vas, kvm_read_guest(), KVM's
 * gfn_to_pfn_cache and gfn_to_memslot() for the 8-byte read, the cache and
 * the memslot lookup. Under emulation absolute times mean little; the
 * ratios are what tests/bench/ prints. This is the only vas code that
 * knows about KVM, and only to compare with it.
 */
#include <linux/file.h>
#include <linux/kvm_host.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "vas_private.h"
#include "vas_test.h"

#define BENCH_COPY	SZ_64K

struct vas_bench {
	struct vas *vas;
	struct kvm *kvm;
	void __user *uaddr;
	struct vas_test_bench *cmd;
	void *src, *dst;
};

/* Nanoseconds per operation of @n operations started at @t0 */
static u64 ns_per_op(u64 t0, u32 n)
{
	return div_u64(ktime_get_ns() - t0, n);
}

static int vas_bench_copies(void *arg)
{
	struct vas_bench *b = arg;
	struct vas_test_bench *cmd = b->cmd;
	u32 i, n = cmd->iterations;
	int err = 0;
	u64 t0;

	cmd->path_taken = vas_access_path(b->vas);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++)
		memcpy(b->dst, b->src, BENCH_COPY);
	cmd->memcpy_64k_ns = ns_per_op(t0, n);
	if (cmd->path_taken == VAS_PATH_OWNER && b->uaddr) {
		t0 = ktime_get_ns();
		for (i = 0; i < n; i++)
			err |= copy_from_user(b->dst, b->uaddr, BENCH_COPY) ?
			       -EFAULT : 0;
		cmd->copy_from_user_64k_ns = ns_per_op(t0, n);
	}
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++)
		err |= vas_read(b->vas, cmd->gpa, b->dst, BENCH_COPY);
	cmd->vas_read_64k_ns = ns_per_op(t0, n);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++)
		err |= vas_write(b->vas, cmd->gpa, b->src, BENCH_COPY);
	cmd->vas_write_64k_ns = ns_per_op(t0, n);
	/* Small operations: more of them, for steadier figures */
	t0 = ktime_get_ns();
	for (i = 0; i < n * 16; i++)
		err |= vas_read(b->vas, cmd->gpa, b->dst, 8);
	cmd->vas_read_8_ns = ns_per_op(t0, n * 16);
	return err;
}

/* The cache anchors: both the documented check-then-read pattern. */
static int vas_bench_gpc(struct vas_bench *b)
{
	struct vas_test_bench *cmd = b->cmd;
	struct gfn_to_pfn_cache kgpc;
	u32 i, n = cmd->iterations * 16;
	struct vas_gpc gpc;
	unsigned long flags;
	u64 val = 0, t0;
	int err, idx;

	vas_gpc_init(&gpc, b->vas);
	err = vas_gpc_activate(&gpc, cmd->gpa, 8, 0);
	if (err)
		return err;
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		read_lock_irqsave(&gpc.lock, flags);
		if (vas_gpc_check(&gpc, 8))
			val += *(u64 *)gpc.khva;
		else
			err = -EAGAIN;
		read_unlock_irqrestore(&gpc.lock, flags);
	}
	cmd->vas_gpc_read_ns = ns_per_op(t0, n);
	vas_gpc_deactivate(&gpc);
	if (err || !b->kvm)
		return err;

	/* KVM's users hold kvm->srcu, as a vCPU does while it runs. */
	kvm_gpc_init(&kgpc, b->kvm);
	idx = srcu_read_lock(&b->kvm->srcu);
	err = kvm_gpc_activate(&kgpc, cmd->gpa, 8);
	if (err) {
		srcu_read_unlock(&b->kvm->srcu, idx);
		return err;
	}
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		read_lock_irqsave(&kgpc.lock, flags);
		if (kvm_gpc_check(&kgpc, 8))
			val += *(u64 *)kgpc.khva;
		else
			err = -EAGAIN;
		read_unlock_irqrestore(&kgpc.lock, flags);
	}
	cmd->kvm_gpc_read_ns = ns_per_op(t0, n);
	srcu_read_unlock(&b->kvm->srcu, idx);
	kvm_gpc_deactivate(&kgpc);
	/* Keep the loads. */
	WRITE_ONCE(*(u64 *)b->dst, val);
	return err;
}

static int vas_bench_kvm_read(struct vas_bench *b)
{
	struct vas_test_bench *cmd = b->cmd;
	u32 i, n = cmd->iterations * 16;
	int err = 0, idx;
	u64 t0;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		idx = srcu_read_lock(&b->kvm->srcu);
		err |= kvm_read_guest(b->kvm, cmd->gpa, b->dst, 8);
		srcu_read_unlock(&b->kvm->srcu, idx);
	}
	cmd->kvm_read_8_ns = ns_per_op(t0, n);
	return err;
}

static int vas_bench_lookup(struct vas_bench *b)
{
	struct vas_test_bench *cmd = b->cmd;
	u32 i, n = cmd->iterations * 16, count = max(cmd->lookup_count, 1U);
	unsigned long misses = 0;
	u64 gfn, t0;
	int idx;

	idx = srcu_read_lock(&b->vas->srcu);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		gfn = (cmd->lookup_gpa + (i % count) * cmd->lookup_stride) >>
		      PAGE_SHIFT;
		misses += !vas_memslot_lookup(b->vas, gfn);
	}
	cmd->vas_lookup_ns = ns_per_op(t0, n);
	srcu_read_unlock(&b->vas->srcu, idx);
	if (!b->kvm)
		return misses ? -EFAULT : 0;

	idx = srcu_read_lock(&b->kvm->srcu);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		gfn = (cmd->lookup_gpa + (i % count) * cmd->lookup_stride) >>
		      PAGE_SHIFT;
		misses += !gfn_to_memslot(b->kvm, gfn);
	}
	cmd->kvm_lookup_ns = ns_per_op(t0, n);
	srcu_read_unlock(&b->kvm->srcu, idx);
	return misses ? -EFAULT : 0;
}

/* The owner address behind @gpa, for the raw copy_from_user() anchor */
static void __user *vas_bench_uaddr(struct vas *vas, u64 gpa)
{
	struct vas_memslot *slot;
	void __user *uaddr = NULL;
	int idx;

	idx = srcu_read_lock(&vas->srcu);
	slot = vas_memslot_translate(vas, gpa, false);
	if (!IS_ERR(slot))
		uaddr = (void __user *)vas_memslot_hva(slot, gpa);
	srcu_read_unlock(&vas->srcu, idx);
	return uaddr;
}

/**
 * vas_test_bench() - VAS_TEST_OP_BENCH: time vas paths and their anchors
 * @target: The vas
 * @tcmd: The command; its bench member holds arguments and results
 *
 * Return: 0, or -EINVAL for bad arguments, -EBADF for a bad kvm_fd, the
 * first error of a timed operation.
 */
int vas_test_bench(void *target, struct vas_test_cmd *tcmd)
{
	struct vas_test_bench *cmd = &tcmd->bench;
	struct vas_bench b = { .vas = target, .cmd = cmd };
	struct vas *vas = target;
	struct file *kvm_file = NULL;
	int err;

	if (!cmd->iterations || cmd->iterations > 1000000)
		return -EINVAL;

	if (cmd->kvm_fd >= 0) {
		kvm_file = fget(cmd->kvm_fd);
		if (!kvm_file)
			return -EBADF;
		if (!file_is_kvm(kvm_file)) {
			err = -EINVAL;
			goto out_fput;
		}
		b.kvm = kvm_file->private_data;
		if (b.kvm->mm != current->mm ||
		    tcmd->context != VAS_TEST_CALLER) {
			err = -EINVAL;
			goto out_fput;
		}
	}

	b.uaddr = vas_bench_uaddr(vas, cmd->gpa);
	b.src = kvzalloc(BENCH_COPY, GFP_KERNEL);
	b.dst = kvzalloc(BENCH_COPY, GFP_KERNEL);
	err = -ENOMEM;
	if (!b.src || !b.dst)
		goto out_free;

	err = vas_test_run(tcmd->context, vas_bench_copies, &b);
	if (!err)
		err = vas_bench_gpc(&b);
	if (!err && b.kvm)
		err = vas_bench_kvm_read(&b);
	if (!err)
		err = vas_bench_lookup(&b);
out_free:
	kvfree(b.src);
	kvfree(b.dst);
out_fput:
	if (kvm_file)
		fput(kvm_file);
	return err;
}
