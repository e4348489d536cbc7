// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas: the object, its file descriptor and the ioctl dispatch
 *
 * vas_create(2) allocates a struct vas and returns an anon-inode file for
 * it. The vas records the creating process's mm as its owner with
 * mmgrab(): the mm_struct stays allocated, so comparing current->mm with
 * it identifies the owner for as long as the vas lives, but the owner's
 * memory is not kept alive after it exits.
 *
 * References: the file holds one, and each vas_get()/vas_get_from_fd()
 * one more. The last vas_put() frees the memslots and the vas, so a kernel
 * user that took a reference keeps working after the fd is closed.
 *
 * The ioctls follow iommufd: each takes a size-first structure copied with
 * copy_struct_from_user(), and the table below knows each one's minimum
 * size (its first published version). Only the owner may change memslots;
 * anyone holding the fd may read and write guest memory through it and
 * read its dirty log.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "vas_private.h"
#include "vas_test.h"

static const struct file_operations vas_fops;

/**
 * vas_alloc() - Allocate an empty vas
 * @owner_mm: The mm whose memory the memslots will map; current is its
 *	owner, whose user and RLIMIT_MEMLOCK pins are charged to
 *
 * Return: The vas with one reference, or an ERR_PTR().
 */
struct vas *vas_alloc(struct mm_struct *owner_mm)
{
	struct vas *vas;
	int err;

	vas = kzalloc(sizeof(*vas), GFP_KERNEL_ACCOUNT);
	if (!vas)
		return ERR_PTR(-ENOMEM);
	err = init_srcu_struct(&vas->srcu);
	if (err)
		goto err_free;
	refcount_set(&vas->users, 1);
	vas_memslots_init(vas);
	mutex_init(&vas->vmaps_lock);
	INIT_LIST_HEAD(&vas->vmaps);
	mutex_init(&vas->sgmaps_lock);
	INIT_LIST_HEAD(&vas->sgmaps);
	mmgrab(owner_mm);
	vas->owner_mm = owner_mm;
	vas->owner_task = get_task_struct(current->group_leader);
	vas->owner_user = get_uid(current_user());
	vas->pins_unlimited = capable(CAP_IPC_LOCK);
	err = vas_binders_init(vas);
	if (err)
		goto err_put_owner;
	return vas;

err_put_owner:
	free_uid(vas->owner_user);
	put_task_struct(vas->owner_task);
	mmdrop(owner_mm);
	cleanup_srcu_struct(&vas->srcu);
err_free:
	kfree(vas);
	return ERR_PTR(err);
}

static void vas_destroy(struct vas *vas)
{
	WARN_ON_ONCE(!list_empty(&vas->vmaps));
	WARN_ON_ONCE(!list_empty(&vas->sgmaps));
	vas_binders_destroy(vas);
	vas_memslots_destroy(vas);
	cleanup_srcu_struct(&vas->srcu);
	free_uid(vas->owner_user);
	put_task_struct(vas->owner_task);
	mmdrop(vas->owner_mm);
	kfree(vas);
}

/**
 * vas_get() - Take another reference on a vas
 * @vas: A vas the caller already holds a reference on
 *
 * Context: Any context.
 */
void vas_get(struct vas *vas)
{
	refcount_inc(&vas->users);
}
EXPORT_SYMBOL_NS_GPL(vas_get, VAS);

/**
 * vas_put() - Drop a reference on a vas
 * @vas: The vas; freed with all its memslots when this was the last one
 *
 * Context: Process context; may sleep.
 */
void vas_put(struct vas *vas)
{
	might_sleep();
	if (refcount_dec_and_test(&vas->users))
		vas_destroy(vas);
}
EXPORT_SYMBOL_NS_GPL(vas_put, VAS);

/**
 * vas_get_from_fd() - Take a reference on the vas behind a file descriptor
 * @fd: File descriptor of the calling process, as returned by vas_create(2)
 *
 * The reference is independent of the file: the vas stays alive after the
 * descriptor is closed, until the matching vas_put().
 *
 * Context: Process context.
 * Return: The vas, or ERR_PTR(-EBADF) if @fd is not an open file,
 * ERR_PTR(-EINVAL) if it is not a vas.
 */
struct vas *vas_get_from_fd(int fd)
{
	CLASS(fd, f)(fd);
	struct vas *vas;

	if (!fd_file(f))
		return ERR_PTR(-EBADF);
	if (fd_file(f)->f_op != &vas_fops)
		return ERR_PTR(-EINVAL);
	vas = fd_file(f)->private_data;
	vas_get(vas);
	return vas;
}
EXPORT_SYMBOL_NS_GPL(vas_get_from_fd, VAS);

/**
 * vas_owner_mm() - The address space a vas maps guest memory onto
 * @vas: The vas
 *
 * For binders that must belong to the same process as the vas (KVM).
 *
 * Return: The owner's mm; it stays allocated while @vas is referenced, but
 * compare it, do not use it.
 */
struct mm_struct *vas_owner_mm(struct vas *vas)
{
	return vas->owner_mm;
}
EXPORT_SYMBOL_NS_GPL(vas_owner_mm, VAS);

/* ---------------------------------------------------------------- ioctls */

static int vas_ioctl_get_info(struct vas *vas, void *data)
{
	struct vas_get_info *info = data;

	if (info->flags)
		return -EINVAL;
	info->api_version = VAS_API_VERSION;
	info->max_memslots = VAS_MAX_MEMSLOTS;
	info->capabilities = VAS_CAP_READONLY_MEMSLOTS | VAS_CAP_RW_FD |
			     VAS_CAP_DIRTY_LOG;
	info->max_memslot_size = VAS_MAX_MEMSLOT_PAGES << PAGE_SHIFT;
	return 0;
}

static int vas_ioctl_set_memslot(struct vas *vas, void *data)
{
	if (current->mm != vas->owner_mm)
		return -EPERM;
	return vas_memslots_set(vas, data);
}

/**
 * vas_ioctl_copy_in() - Copy in a size-first ioctl structure
 * @dst: Kernel copy, @ksize bytes
 * @ksize: Size of the structure this kernel knows
 * @min_size: Size of its first published version
 * @uarg: The caller's structure, whose first member is its size
 *
 * A shorter structure is zero-extended, a longer one must be zero past
 * @ksize (copy_struct_from_user()).
 *
 * Return: The caller's size, or -EFAULT, -EINVAL below @min_size, -E2BIG
 * beyond a page or for non-zero bytes past @ksize.
 */
int vas_ioctl_copy_in(void *dst, size_t ksize, size_t min_size,
		      void __user *uarg)
{
	u32 usize;
	int err;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < min_size)
		return -EINVAL;
	/* Bound the zero check of copy_struct_from_user(), as openat2 does */
	if (usize > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(dst, ksize, uarg, usize);
	return err ? err : usize;
}

union vas_ioctl_buffer {
	struct vas_get_info get_info;
	struct vas_set_memslot set_memslot;
	struct vas_dirty_log dirty_log;
};

/**
 * struct vas_ioctl_op - one entry of the ioctl table
 * @size: Size of the structure this kernel knows
 * @min_size: Size of its first published version
 * @copy_out: Copy the structure back to userspace after success
 * @execute: The handler, working on the structure in kernel memory
 */
struct vas_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	bool copy_out;
	int (*execute)(struct vas *vas, void *data);
};

#define VAS_IOCTL_OP(_ioctl, _fn, _struct, _last, _out)			\
	[_IOC_NR(_ioctl)] = {						\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union vas_ioctl_buffer) < \
					  sizeof(_struct)),		\
		.min_size = offsetofend(_struct, _last),		\
		.copy_out = _out,					\
		.execute = _fn,						\
	}

static const struct vas_ioctl_op vas_ioctl_ops[] = {
	VAS_IOCTL_OP(VAS_GET_INFO, vas_ioctl_get_info, struct vas_get_info,
		     max_memslot_size, true),
	VAS_IOCTL_OP(VAS_SET_MEMSLOT, vas_ioctl_set_memslot,
		     struct vas_set_memslot, userspace_addr, false),
	VAS_IOCTL_OP(VAS_GET_DIRTY_LOG, vas_ioctl_get_dirty_log,
		     struct vas_dirty_log, bitmap, false),
	VAS_IOCTL_OP(VAS_CLEAR_DIRTY_LOG, vas_ioctl_clear_dirty_log,
		     struct vas_dirty_log, bitmap, false),
};

static long vas_fop_ioctl(struct file *filp, unsigned int cmd,
			  unsigned long arg)
{
	struct vas *vas = filp->private_data;
	void __user *uarg = (void __user *)arg;
	const struct vas_ioctl_op *op;
	union vas_ioctl_buffer buf;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize;
	int err;

	if (cmd == VAS_TEST)
		return vas_test_ioctl(vas, uarg);

	/* Every vas ioctl is _IO(VAS_TYPE, nr): the size is in the struct. */
	if (cmd != _IO(VAS_TYPE, nr) || nr >= ARRAY_SIZE(vas_ioctl_ops) ||
	    !vas_ioctl_ops[nr].execute)
		return -ENOTTY;
	op = &vas_ioctl_ops[nr];

	err = vas_ioctl_copy_in(&buf, op->size, op->min_size, uarg);
	if (err < 0)
		return err;
	usize = err;

	err = op->execute(vas, &buf);
	if (!err && op->copy_out &&
	    copy_to_user(uarg, &buf, min_t(u32, op->size, usize)))
		return -EFAULT;
	return err;
}

/* ---------------------------------------------------------------- read/write */

/*
 * pread/pwrite and friends: the file offset is a guest-physical address.
 * Data goes through a bounce page and the same vas_access() as vas_read()
 * and vas_write(). Like a regular file, a transfer that stops at a hole or
 * a read-only memslot returns the bytes done before it, or the error if
 * there were none.
 */
static ssize_t vas_rw_iter(struct kiocb *iocb, struct iov_iter *iter,
			   bool write)
{
	struct vas *vas = iocb->ki_filp->private_data;
	u64 gpa = iocb->ki_pos;
	ssize_t total = 0;
	void *bounce;
	int err = 0;

	bounce = (void *)__get_free_page(GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;

	while (iov_iter_count(iter)) {
		size_t chunk = min_t(size_t, iov_iter_count(iter), PAGE_SIZE);
		size_t done, copied;

		if (write) {
			chunk = copy_from_iter(bounce, chunk, iter);
			if (!chunk) {
				err = -EFAULT;
				break;
			}
		}
		err = vas_access(vas, gpa, bounce, chunk, write, &done);
		if (write) {
			iov_iter_revert(iter, chunk - done);
			copied = done;
		} else {
			copied = copy_to_iter(bounce, done, iter);
			if (copied < done)
				err = -EFAULT;
		}
		gpa += copied;
		total += copied;
		if (err)
			break;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
	}

	free_page((unsigned long)bounce);
	iocb->ki_pos = gpa;
	return total ? total : err;
}

static ssize_t vas_fop_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return vas_rw_iter(iocb, to, false);
}

static ssize_t vas_fop_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	return vas_rw_iter(iocb, from, true);
}

static int vas_fop_release(struct inode *inode, struct file *filp)
{
	vas_put(filp->private_data);
	return 0;
}

static const struct file_operations vas_fops = {
	.owner = THIS_MODULE,
	.release = vas_fop_release,
	.unlocked_ioctl = vas_fop_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.read_iter = vas_fop_read_iter,
	.write_iter = vas_fop_write_iter,
	.llseek = no_seek_end_llseek,
};

static_assert(VAS_CLOEXEC == O_CLOEXEC);

SYSCALL_DEFINE1(vas_create, unsigned int, flags)
{
	struct file *file;
	struct vas *vas;
	int fd;

	if (flags & ~VAS_CLOEXEC)
		return -EINVAL;

	vas = vas_alloc(current->mm);
	if (IS_ERR(vas))
		return PTR_ERR(vas);

	fd = get_unused_fd_flags(O_RDWR | (flags & VAS_CLOEXEC));
	if (fd < 0)
		goto err_put_vas;

	file = anon_inode_getfile_fmode("[vas]", &vas_fops, vas, O_RDWR,
					FMODE_LSEEK | FMODE_PREAD |
					FMODE_PWRITE);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto err_put_vas;
	}
	fd_install(fd, file);
	return fd;

err_put_vas:
	vas_put(vas);
	return fd;
}
